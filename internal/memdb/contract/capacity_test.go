package contract_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/metering"
)

// pad returns a string attribute value of n bytes.
func pad(n int) types.AttributeValue { return S(strings.Repeat("x", n)) }

// capView keeps what capacity tests compare: units, without the table name
// (each backend has its own).
func capView(cc *types.ConsumedCapacity) any {
	if cc == nil {
		return nil
	}
	v := map[string]any{"total": aws.ToFloat64(cc.CapacityUnits)}
	if cc.Table != nil {
		v["table"] = aws.ToFloat64(cc.Table.CapacityUnits)
	}
	for k, x := range cc.GlobalSecondaryIndexes {
		v[k] = aws.ToFloat64(x.CapacityUnits)
	}
	return v
}

func capList(ccs []types.ConsumedCapacity) any {
	var out []any
	for i := range ccs {
		out = append(out, capView(&ccs[i]))
	}
	return out
}

func TestCapacity(t *testing.T) {
	modes := []types.ReturnConsumedCapacity{types.ReturnConsumedCapacityTotal, types.ReturnConsumedCapacityIndexes, types.ReturnConsumedCapacityNone}
	for _, mode := range modes {
		run(t, "reads "+string(mode), func(c *C) {
			c.put(c.with("c", "small", item{"a": S("x")}))
			c.put(c.with("c", "5k", item{"a": pad(5000)}))
			c.put(c.with("c", "9k", item{"a": pad(9000), "GSI1PK": S(c.pk("cg")), "GSI1SK": S("1")}))
			for _, sk := range []string{"small", "5k", "9k", "none"} {
				for _, strong := range []bool{true, false} {
					out, err := c.DB.GetItem(c.ctx, &dynamodb.GetItemInput{TableName: &c.Table, Key: c.key("c", sk), ConsistentRead: aws.Bool(strong), ReturnConsumedCapacity: mode})
					c.ok("get", err)
					c.note(fmt.Sprintf("get %s strong=%v", sk, strong), capView(out.ConsumedCapacity))
				}
			}
			for _, in := range []*dynamodb.QueryInput{
				{KeyConditionExpression: aws.String("PK = :p"), ExpressionAttributeValues: vals(":p", S(c.pk("c")))},
				{KeyConditionExpression: aws.String("PK = :p"), ExpressionAttributeValues: vals(":p", S(c.pk("c"))), ConsistentRead: aws.Bool(true)},
				{KeyConditionExpression: aws.String("PK = :p"), ExpressionAttributeValues: vals(":p", S(c.pk("c"))), Select: types.SelectCount, ConsistentRead: aws.Bool(true)},
				{KeyConditionExpression: aws.String("PK = :p"), FilterExpression: aws.String("a = :x"), ExpressionAttributeValues: vals(":p", S(c.pk("c")), ":x", S("x"))},
				{KeyConditionExpression: aws.String("PK = :p"), ExpressionAttributeValues: vals(":p", S(c.pk("none")))},
				{KeyConditionExpression: aws.String("PK = :p"), ExpressionAttributeValues: vals(":p", S(c.pk("c"))), Limit: aws.Int32(1), ConsistentRead: aws.Bool(true)},
				{IndexName: aws.String("GSI1"), KeyConditionExpression: aws.String("GSI1PK = :g"), ExpressionAttributeValues: vals(":g", S(c.pk("cg")))},
				{IndexName: aws.String("GSI1"), KeyConditionExpression: aws.String("GSI1PK = :g"), ExpressionAttributeValues: vals(":g", S(c.pk("none")))},
			} {
				in.TableName, in.ReturnConsumedCapacity = &c.Table, mode
				out, err := c.DB.Query(c.ctx, in)
				c.ok("query", err)
				c.note("query", capView(out.ConsumedCapacity))
			}
		})
		run(t, "writes "+string(mode), func(c *C) {
			w := func(label string, out any, err error, cc *types.ConsumedCapacity) {
				c.Helper()
				c.ok(label, err)
				c.note(label, capView(cc))
			}
			put := func(label string, it item) {
				out, err := c.DB.PutItem(c.ctx, &dynamodb.PutItemInput{TableName: &c.Table, Item: it, ReturnConsumedCapacity: mode})
				c.ok(label, err)
				w(label, out, err, out.ConsumedCapacity)
			}
			update := func(label, sk, expr string, v item) {
				out, err := c.DB.UpdateItem(c.ctx, &dynamodb.UpdateItemInput{TableName: &c.Table, Key: c.key("w", sk), UpdateExpression: aws.String(expr),
					ExpressionAttributeValues: v, ReturnConsumedCapacity: mode})
				c.ok(label, err)
				w(label, out, err, out.ConsumedCapacity)
			}
			del := func(label, sk string) {
				out, err := c.DB.DeleteItem(c.ctx, &dynamodb.DeleteItemInput{TableName: &c.Table, Key: c.key("w", sk), ReturnConsumedCapacity: mode})
				c.ok(label, err)
				w(label, out, err, out.ConsumedCapacity)
			}
			put("small", c.with("w", "1", item{"a": S("x")}))
			put("2.5k", c.with("w", "2", item{"a": pad(2500)}))
			put("replace 2.5k with small", c.with("w", "2", item{"a": S("x")}))
			put("indexed", c.with("w", "3", item{"a": pad(1500), "GSI1PK": S("g"), "GSI1SK": S("1")}))
			put("in both indexes", c.with("w", "4", item{"GSI1PK": S("g"), "GSI1SK": S("1"), "GSI2PK": S("h"), "GSI2SK": S("1")}))
			update("add index keys", "1", "SET GSI1PK = :g, GSI1SK = :s", vals(":g", S("g"), ":s", S("2")))
			update("change index key", "1", "SET GSI1SK = :s", vals(":s", S("3")))
			update("change other attribute", "1", "SET a = :a", vals(":a", pad(3000)))
			update("remove index keys", "1", "REMOVE GSI1PK", nil)
			update("new item", "5", "SET a = :a", vals(":a", pad(100)))
			del("delete indexed", "3")
			if mode == types.ReturnConsumedCapacityNone {
				out, err := c.DB.DeleteItem(c.ctx, &dynamodb.DeleteItemInput{TableName: &c.Table, Key: c.key("w", "none"), ReturnConsumedCapacity: mode})
				c.ok("delete", err)
				c.diverges("delete missing", "deleting a missing item returns capacity unasked", capView(out.ConsumedCapacity), nil)
			} else {
				del("delete missing", "none")
			}
			del("delete 3k", "1")
		})
		run(t, "batches and transactions "+string(mode), func(c *C) {
			c.put(c.with("b", "small", item{"a": S("x")}))
			c.put(c.with("b", "5k", item{"a": pad(5000), "GSI1PK": S("g"), "GSI1SK": S("1")}))
			for _, strong := range []bool{true, false} {
				out, err := c.DB.BatchGetItem(c.ctx, &dynamodb.BatchGetItemInput{ReturnConsumedCapacity: mode, RequestItems: map[string]types.KeysAndAttributes{
					c.Table: {Keys: []item{c.key("b", "small"), c.key("b", "5k"), c.key("b", "none")}, ConsistentRead: aws.Bool(strong)}}})
				c.ok("batch get", err)
				c.note(fmt.Sprint("batch get strong=", strong), capList(out.ConsumedCapacity))
			}
			bw, err := c.DB.BatchWriteItem(c.ctx, &dynamodb.BatchWriteItemInput{ReturnConsumedCapacity: mode, RequestItems: map[string][]types.WriteRequest{
				c.Table: {putReq(c.with("b", "n1", item{"a": pad(1500)})), putReq(c.with("b", "n2", item{"GSI1PK": S("g"), "GSI1SK": S("2")})), delReq(c.key("b", "none"))}}})
			c.ok("batch write", err)
			// Deleting a missing item costs 1 unit everywhere on DynamoDB Local
			// but in a batch, where it costs 2.
			if mode == types.ReturnConsumedCapacityNone {
				c.note("batch write", capList(bw.ConsumedCapacity))
			} else if mode == types.ReturnConsumedCapacityTotal {
				c.diverges("batch write", "a missing item deleted in a batch costs 2 units", capList(bw.ConsumedCapacity), []any{map[string]any{"total": 5.0}})
			} else {
				c.diverges("batch write", "a missing item deleted in a batch costs 2 units", capList(bw.ConsumedCapacity), []any{map[string]any{"total": 5.0, "table": 4.0, "GSI1": 1.0}})
			}
			tg, err := c.DB.TransactGetItems(c.ctx, &dynamodb.TransactGetItemsInput{ReturnConsumedCapacity: mode, TransactItems: []types.TransactGetItem{
				{Get: &types.Get{TableName: &c.Table, Key: c.key("b", "small")}}, {Get: &types.Get{TableName: &c.Table, Key: c.key("b", "5k")}}, {Get: &types.Get{TableName: &c.Table, Key: c.key("b", "none")}}}})
			c.ok("transact get", err)
			c.note("transact get", capList(tg.ConsumedCapacity))
			// DynamoDB Local adds up the distinct per-item costs of a
			// transaction (two 1-unit puts cost 2, not 4): multi-item
			// transactions are checked against AWS's rule, twice the sum.
			for _, tc := range []struct {
				label string
				items []types.TransactWriteItem
				aws   float64
			}{
				{"two small puts", []types.TransactWriteItem{c.txPut(c.with("b", "t1", nil), "", nil), c.txPut(c.with("b", "t2", nil), "", nil)}, 4},
				{"delete", []types.TransactWriteItem{c.txDelete(c.key("b", "small"), "", nil), c.txDelete(c.key("b", "none"), "", nil)}, 4},
			} {
				out, err := c.DB.TransactWriteItems(c.ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tc.items, ReturnConsumedCapacity: mode})
				c.ok(tc.label, err)
				var want any
				switch mode {
				case types.ReturnConsumedCapacityTotal:
					want = []any{map[string]any{"total": tc.aws}}
				case types.ReturnConsumedCapacityIndexes:
					want = []any{map[string]any{"total": tc.aws, "table": tc.aws}}
				}
				c.diverges(tc.label, "a transaction costs the sum of its distinct item costs", capList(out.ConsumedCapacity), want)
			}
			for _, tc := range []struct {
				label string
				items []types.TransactWriteItem
			}{
				{"put 1.5k", []types.TransactWriteItem{c.txPut(c.with("b", "t3", item{"a": pad(1500)}), "", nil)}},
				{"check", []types.TransactWriteItem{c.txCheck(c.key("b", "5k"), "attribute_exists(PK)", nil), c.txPut(c.with("b", "t4", nil), "", nil)}},
				{"check missing item", []types.TransactWriteItem{c.txCheck(c.key("b", "none"), "attribute_not_exists(PK)", nil)}},
				{"indexed update", []types.TransactWriteItem{c.txUpdate(c.key("b", "5k"), "SET GSI1SK = :s", "", vals(":s", S("9")))}},
				{"delete one", []types.TransactWriteItem{c.txDelete(c.key("b", "t1"), "", nil)}},
			} {
				out, err := c.DB.TransactWriteItems(c.ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tc.items, ReturnConsumedCapacity: mode})
				c.ok(tc.label, err)
				c.note(tc.label, capList(out.ConsumedCapacity))
			}
		})
	}
	// The metering middleware (SDK) and metering.Observe (memdb) count the
	// same calls and units when the Meter's context reaches the client.
	run(t, "metering", func(c *C) {
		ctx, m := metering.NewContext(context.Background())
		_, err := c.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &c.Table, Item: c.with("m", "1", item{"a": pad(1500), "GSI1PK": S("g"), "GSI1SK": S("1")})})
		c.ok("put", err)
		_, err = c.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &c.Table, Key: c.key("m", "1")})
		c.ok("get", err)
		_, err = c.DB.Query(ctx, &dynamodb.QueryInput{TableName: &c.Table, KeyConditionExpression: aws.String("PK = :p"), ExpressionAttributeValues: vals(":p", S(c.pk("m"))),
			ReturnConsumedCapacity: types.ReturnConsumedCapacityIndexes})
		c.ok("query", err)
		_, err = c.tx(c.txPut(c.with("m", "2", nil), "", nil))
		c.ok("tx (no meter)", err)
		_, err = c.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{c.txPut(c.with("m", "3", nil), "", nil)}})
		c.ok("tx", err)
		_, err = c.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &c.Table, Key: item{"PK": S("x")}})
		if err == nil {
			c.Error("bad key accepted")
		}
		s := m.Snapshot()
		c.note("meter", map[string]any{"calls": s.DynamoDBCalls, "ops": s.Operations})
		c.note("units", map[string]any{"read": s.ReadUnits, "write": s.WriteUnits})
	})
}
