package memdb

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

const (
	maxBatchGet      = 100
	maxBatchWrite    = 25
	maxBatchResponse = 16 << 20
)

// BatchGetItem reads up to 100 items from one or more tables. Items are
// returned in request order; keys beyond DynamoDB's 16 MB response limit
// come back as UnprocessedKeys, as on AWS.
func (db *DB) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	return call(ctx, db, "BatchGetItem", in, func(_ context.Context, in *dynamodb.BatchGetItemInput) (*dynamodb.BatchGetItemOutput, error) {
		if len(in.RequestItems) == 0 {
			return nil, validation("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
		}
		n := 0
		for _, ka := range in.RequestItems {
			n += len(ka.Keys)
		}
		if n > maxBatchGet {
			return nil, validation("Too many items requested for the BatchGetItem call")
		}
		db.mu.Lock()
		defer db.mu.Unlock()
		type req struct {
			t      *table
			keys   []Item
			paths  []docPath
			strong bool
		}
		names := sortedKeys(in.RequestItems)
		reqs := make([]req, len(names))
		for i, name := range names {
			ka := in.RequestItems[name]
			if err := legacy("AttributesToGet", len(ka.AttributesToGet) > 0); err != nil {
				return nil, err
			}
			t, err := db.table(aws.String(name))
			if err != nil {
				return nil, err
			}
			if len(ka.Keys) == 0 {
				return nil, validation("1 validation error detected: Value at 'requestItems.%s.member.keys' failed to satisfy constraint: Member must have length greater than or equal to 1", name)
			}
			r := req{t: t, strong: aws.ToBool(ka.ConsistentRead)}
			seen := map[string]bool{}
			for _, k := range ka.Keys {
				key, err := t.checkKey(k)
				if err != nil {
					return nil, err
				}
				id := t.itemKey(key)
				if seen[id] {
					return nil, validation("Provided list of item keys contains duplicates")
				}
				seen[id] = true
				r.keys = append(r.keys, key)
			}
			if r.paths, err = projection(ka.ProjectionExpression, ka.ExpressionAttributeNames); err != nil {
				return nil, err
			}
			reqs[i] = r
		}
		out := &dynamodb.BatchGetItemOutput{Responses: map[string][]Item{}, UnprocessedKeys: map[string]types.KeysAndAttributes{}}
		var u usages
		total := 0
		for i, r := range reqs {
			x := u.of(r.t.name, true)
			out.Responses[r.t.name] = []Item{}
			for j, key := range r.keys {
				rec := r.t.get(key)
				size := 0
				if rec != nil {
					size = rec.size
				}
				if total+size > maxBatchResponse {
					ka := in.RequestItems[names[i]]
					ka.Keys = append([]Item(nil), r.keys[j:]...)
					out.UnprocessedKeys[r.t.name] = ka
					break
				}
				total += size
				if rec != nil { // a missing item costs nothing, as DynamoDB Local reports
					x.units += readUnits(size, r.strong)
					out.Responses[r.t.name] = append(out.Responses[r.t.name], project(rec.item, r.paths))
				}
			}
		}
		out.ConsumedCapacity = u.list(in.ReturnConsumedCapacity)
		return out, nil
	})
}

// BatchWriteItem puts or deletes up to 25 items without conditions. memdb
// writes them all under one lock, so UnprocessedItems is always empty.
func (db *DB) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	return call(ctx, db, "BatchWriteItem", in, func(_ context.Context, in *dynamodb.BatchWriteItemInput) (*dynamodb.BatchWriteItemOutput, error) {
		if len(in.RequestItems) == 0 {
			return nil, validation("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
		}
		n := 0
		for _, ws := range in.RequestItems {
			n += len(ws)
		}
		if n > maxBatchWrite {
			return nil, validation("Too many items requested for the BatchWriteItem call")
		}
		db.mu.Lock()
		defer db.mu.Unlock()
		var ops []*writeOp
		seen := map[string]bool{}
		for _, name := range sortedKeys(in.RequestItems) {
			t, err := db.table(aws.String(name))
			if err != nil {
				return nil, err
			}
			for _, w := range in.RequestItems[name] {
				var op *writeOp
				switch {
				case w.PutRequest != nil && w.DeleteRequest == nil:
					if op, err = db.preparePut(t, w.PutRequest.Item, nil, nil, nil); err != nil {
						return nil, err
					}
				case w.DeleteRequest != nil && w.PutRequest == nil:
					if op, err = db.prepareKeyed("Delete", t, w.DeleteRequest.Key, nil, nil, nil); err != nil {
						return nil, err
					}
				default:
					return nil, validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
				}
				id := t.itemKey(op.key)
				if seen[id] {
					return nil, validation("Provided list of item keys contains duplicates")
				}
				seen[id] = true
				if db.opts.Conflicts && db.claims[id] != nil {
					return nil, txConflict()
				}
				ops = append(ops, op)
			}
		}
		var u usages
		for _, op := range ops {
			if _, _, err := db.runWrite(op, u.of(op.t.name, false)); err != nil {
				return nil, err
			}
		}
		return &dynamodb.BatchWriteItemOutput{
			UnprocessedItems: map[string][]types.WriteRequest{},
			ConsumedCapacity: u.list(in.ReturnConsumedCapacity),
		}, nil
	})
}
