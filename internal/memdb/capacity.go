package memdb

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Capacity follows DynamoDB's on-demand accounting: a read unit per 4 KB
// read (half for eventually consistent reads), a write unit per 1 KB
// written, at least one unit per item, index writes on top of table writes,
// and twice as much for items in transactions.

func readUnits(size int, consistent bool) float64 {
	u := float64((size + 4095) / 4096)
	if u == 0 {
		u = 1
	}
	if !consistent {
		u /= 2
	}
	return u
}

func writeUnits(size int) float64 {
	u := float64((size + 1023) / 1024)
	if u == 0 {
		u = 1
	}
	return u
}

// usage accumulates one table's capacity during a call.
type usage struct {
	table string
	units float64
	read  bool
	idx   map[string]float64
}

// usages accumulates the capacity of a call, table by table.
type usages struct {
	order []string
	by    map[string]*usage
}

func (u *usages) of(table string, read bool) *usage {
	if u.by == nil {
		u.by = map[string]*usage{}
	}
	x := u.by[table]
	if x == nil {
		x = &usage{table: table, read: read}
		u.by[table] = x
		u.order = append(u.order, table)
	}
	return x
}

func (x *usage) addIndex(name string, units float64) {
	if x.idx == nil {
		x.idx = map[string]float64{}
	}
	x.idx[name] += units
}

func (x *usage) scale(f float64) {
	x.units *= f
	for k := range x.idx {
		x.idx[k] *= f
	}
}

// consumed renders the usage as DynamoDB returns it for mode.
func (x *usage) consumed(mode types.ReturnConsumedCapacity) *types.ConsumedCapacity {
	total := x.units
	for _, v := range x.idx {
		total += v
	}
	cc := &types.ConsumedCapacity{TableName: aws.String(x.table), CapacityUnits: aws.Float64(total)}
	if x.read {
		cc.ReadCapacityUnits = aws.Float64(total)
	} else {
		cc.WriteCapacityUnits = aws.Float64(total)
	}
	if mode == types.ReturnConsumedCapacityIndexes {
		cc.Table = &types.Capacity{CapacityUnits: aws.Float64(x.units)}
		if x.read {
			cc.Table.ReadCapacityUnits = aws.Float64(x.units)
		} else {
			cc.Table.WriteCapacityUnits = aws.Float64(x.units)
		}
		if len(x.idx) > 0 {
			cc.GlobalSecondaryIndexes = map[string]types.Capacity{}
			for k, v := range x.idx {
				c := types.Capacity{CapacityUnits: aws.Float64(v)}
				if x.read {
					c.ReadCapacityUnits = aws.Float64(v)
				} else {
					c.WriteCapacityUnits = aws.Float64(v)
				}
				cc.GlobalSecondaryIndexes[k] = c
			}
		}
	}
	return cc
}

// one returns the single table's capacity for mode (nil for NONE).
func (u *usages) one(mode types.ReturnConsumedCapacity) *types.ConsumedCapacity {
	if !wantCapacity(mode) || len(u.order) == 0 {
		return nil
	}
	return u.by[u.order[0]].consumed(mode)
}

// list returns every table's capacity for mode, in table-name order.
func (u *usages) list(mode types.ReturnConsumedCapacity) []types.ConsumedCapacity {
	if !wantCapacity(mode) {
		return nil
	}
	out := []types.ConsumedCapacity{}
	for _, name := range sortedKeys(u.by) {
		out = append(out, *u.by[name].consumed(mode))
	}
	return out
}

func wantCapacity(mode types.ReturnConsumedCapacity) bool {
	return mode == types.ReturnConsumedCapacityTotal || mode == types.ReturnConsumedCapacityIndexes
}

// writeCost adds the capacity of replacing old with new (either may be nil)
// to x: the table write and every index entry written or deleted.
func (t *table) writeCost(x *usage, old, new Item) {
	size := 0
	if old != nil {
		size = itemSize(old)
	}
	if new != nil {
		size = max(size, itemSize(new))
	}
	x.units += writeUnits(size)
	for _, ix := range t.indexes {
		oldIn := old != nil && ix.has(old)
		newIn := new != nil && ix.has(new)
		switch {
		case oldIn && newIn && equal(old[ix.hash.name], new[ix.hash.name]) && (ix.rng.name == "" || equal(old[ix.rng.name], new[ix.rng.name])):
			x.addIndex(ix.name, writeUnits(itemSize(ix.projected(t, new))))
		case oldIn && newIn:
			x.addIndex(ix.name, writeUnits(itemSize(ix.projected(t, old)))+writeUnits(itemSize(ix.projected(t, new))))
		case oldIn:
			x.addIndex(ix.name, writeUnits(itemSize(ix.projected(t, old))))
		case newIn:
			x.addIndex(ix.name, writeUnits(itemSize(ix.projected(t, new))))
		}
	}
}
