package memdb

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// writeOp is one validated write (or condition check) on one item: what a
// PutItem, UpdateItem, DeleteItem or transaction entry asks for, with its
// expressions parsed. Nothing in it depends on what is stored.
type writeOp struct {
	kind    string // "Put", "Update", "Delete", "ConditionCheck"
	t       *table
	key     Item
	item    Item // Put
	upd     *updateExpr
	cond    cond
	failOld bool // ReturnValuesOnConditionCheckFailure ALL_OLD
}

// evaluate checks the op's condition against the stored item and returns
// the item that replaces it (nil: deleted or unchanged for a check).
func (op *writeOp) evaluate(rec *record) (old, new Item, err error) {
	if rec != nil {
		old = rec.item
	}
	if op.cond != nil && !eval(op.cond, old) {
		var item Item
		if op.failOld && old != nil {
			item = cloneItem(old)
		}
		return old, nil, condFailed(item)
	}
	switch op.kind {
	case "Put":
		new = op.item
	case "Update":
		base := old
		if base == nil {
			base = op.key
		}
		new = base
		if op.upd != nil {
			if new, err = op.upd.apply(base); err != nil {
				return old, nil, err
			}
		}
		if err := op.t.checkItem(new, true); err != nil {
			return old, nil, err
		}
	case "ConditionCheck":
		new = old
	}
	return old, new, nil
}

func checkFailureMode(v types.ReturnValuesOnConditionCheckFailure) (bool, error) {
	switch v {
	case "", types.ReturnValuesOnConditionCheckFailureNone:
		return false, nil
	case types.ReturnValuesOnConditionCheckFailureAllOld:
		return true, nil
	}
	return false, validation("1 validation error detected: Value '%s' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]", v)
}

func legacy(name string, present bool) error {
	if present {
		return validation("memdb does not emulate the legacy parameter %s; use expressions", name)
	}
	return nil
}

func (db *DB) preparePut(t *table, itemIn Item, condExpr *string, names map[string]string, values map[string]types.AttributeValue) (*writeOp, error) {
	item, err := validateItem(itemIn)
	if err != nil {
		return nil, err
	}
	if err := t.checkItem(item, false); err != nil {
		return nil, err
	}
	op := &writeOp{kind: "Put", t: t, key: t.keyOf(item), item: item}
	return op, op.parseCondition(condExpr, names, values, true)
}

func (op *writeOp) parseCondition(expr *string, names map[string]string, values map[string]types.AttributeValue, finish bool) error {
	e, err := newEnv(names, values)
	if err != nil {
		return err
	}
	if expr != nil {
		if op.cond, err = parseCondition(kindCondition, *expr, e); err != nil {
			return err
		}
	}
	if finish {
		return e.finish()
	}
	return nil
}

func (db *DB) prepareUpdate(t *table, key Item, updExpr, condExpr *string, names map[string]string, values map[string]types.AttributeValue) (*writeOp, error) {
	k, err := t.checkKey(key)
	if err != nil {
		return nil, err
	}
	op := &writeOp{kind: "Update", t: t, key: k}
	e, err := newEnv(names, values)
	if err != nil {
		return nil, err
	}
	if updExpr != nil {
		if op.upd, err = parseUpdate(*updExpr, e); err != nil {
			return nil, err
		}
		for _, p := range op.upd.targets() {
			if n := p[0].name; n == t.hash.name || n == t.rng.name {
				// A runtime error: in a transaction it cancels with the
				// reason ValidationError, as on DynamoDB.
				return nil, runtimeError{invalidParam("Cannot update attribute %s. This attribute is part of the key", n)}
			}
		}
	}
	if condExpr != nil {
		if op.cond, err = parseCondition(kindCondition, *condExpr, e); err != nil {
			return nil, err
		}
	}
	return op, e.finish()
}

func (db *DB) prepareKeyed(kind string, t *table, key Item, condExpr *string, names map[string]string, values map[string]types.AttributeValue) (*writeOp, error) {
	k, err := t.checkKey(key)
	if err != nil {
		return nil, err
	}
	op := &writeOp{kind: kind, t: t, key: k}
	return op, op.parseCondition(condExpr, names, values, true)
}

// runWrite performs one single-item write under the lock and returns the
// item before and after it.
func (db *DB) runWrite(op *writeOp, cap *usage) (old, new Item, err error) {
	if db.opts.Conflicts && db.claims[op.t.itemKey(op.key)] != nil {
		return nil, nil, txConflict()
	}
	rec := op.t.get(op.key)
	old, new, err = op.evaluate(rec)
	if err != nil {
		return old, nil, err
	}
	op.t.writeCost(cap, old, new)
	db.store(op.t, op.key, old, new)
	return old, new, nil
}

// store writes new (nil: delete) over old and records the change.
func (db *DB) store(t *table, key, old, new Item) {
	if old == nil && new == nil {
		return
	}
	t.write(key, new)
	db.recordChange(t, key, old, new)
}

// GetItem reads one item (always the latest write: eventually consistent
// reads are as fresh as strongly consistent ones, at half the capacity).
func (db *DB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return call(ctx, db, "GetItem", in, func(_ context.Context, in *dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
		if err := legacy("AttributesToGet", len(in.AttributesToGet) > 0); err != nil {
			return nil, err
		}
		db.mu.Lock()
		defer db.mu.Unlock()
		t, err := db.table(in.TableName)
		if err != nil {
			return nil, err
		}
		key, err := t.checkKey(in.Key)
		if err != nil {
			return nil, err
		}
		paths, err := projection(in.ProjectionExpression, in.ExpressionAttributeNames)
		if err != nil {
			return nil, err
		}
		var u usages
		x := u.of(t.name, true)
		out := &dynamodb.GetItemOutput{}
		size := 0
		if rec := t.get(key); rec != nil {
			out.Item = project(rec.item, paths)
			size = rec.size
		}
		x.units += readUnits(size, aws.ToBool(in.ConsistentRead))
		out.ConsumedCapacity = u.one(in.ReturnConsumedCapacity)
		return out, nil
	})
}

// projection parses an optional projection expression of a read.
func projection(expr *string, names map[string]string) ([]docPath, error) {
	e, err := newEnv(names, nil)
	if err != nil {
		return nil, err
	}
	var paths []docPath
	if expr != nil {
		if paths, err = parseProjection(*expr, e); err != nil {
			return nil, err
		}
	}
	return paths, e.finish()
}

// written is the outcome of one single-item write.
type written struct {
	op       *writeOp
	old, new Item
	cap      usages
}

// write runs a PutItem, UpdateItem or DeleteItem: the checks they share,
// then prepare and the write itself under the lock.
func (db *DB) write(table *string, expected bool, returnValues error, onFail types.ReturnValuesOnConditionCheckFailure, prepare func(*table) (*writeOp, error)) (*written, error) {
	if err := legacy("Expected", expected); err != nil {
		return nil, err
	}
	if returnValues != nil {
		return nil, returnValues
	}
	failOld, err := checkFailureMode(onFail)
	if err != nil {
		return nil, err
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	t, err := db.table(table)
	if err != nil {
		return nil, err
	}
	w := &written{}
	if w.op, err = prepare(t); err != nil {
		return nil, err
	}
	w.op.failOld = failOld
	w.old, w.new, err = db.runWrite(w.op, w.cap.of(t.name, false))
	if err != nil {
		return nil, err
	}
	return w, nil
}

// oldOrNone checks the ReturnValues of PutItem and DeleteItem.
func oldOrNone(rv types.ReturnValue) error {
	switch rv {
	case "", types.ReturnValueNone, types.ReturnValueAllOld:
		return nil
	}
	return validation("ReturnValues can only be ALL_OLD or NONE")
}

// PutItem creates or replaces an item.
func (db *DB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return call(ctx, db, "PutItem", in, func(_ context.Context, in *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
		w, err := db.write(in.TableName, len(in.Expected) > 0, oldOrNone(in.ReturnValues), in.ReturnValuesOnConditionCheckFailure, func(t *table) (*writeOp, error) {
			return db.preparePut(t, in.Item, in.ConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues)
		})
		if err != nil {
			return nil, err
		}
		out := &dynamodb.PutItemOutput{ConsumedCapacity: w.cap.one(in.ReturnConsumedCapacity)}
		if in.ReturnValues == types.ReturnValueAllOld && w.old != nil {
			out.Attributes = cloneItem(w.old)
		}
		return out, nil
	})
}

// UpdateItem updates (or creates) an item with an update expression.
func (db *DB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return call(ctx, db, "UpdateItem", in, func(_ context.Context, in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
		if err := legacy("AttributeUpdates", len(in.AttributeUpdates) > 0); err != nil {
			return nil, err
		}
		var rvErr error
		switch in.ReturnValues {
		case "", types.ReturnValueNone, types.ReturnValueAllOld, types.ReturnValueAllNew, types.ReturnValueUpdatedOld, types.ReturnValueUpdatedNew:
		default:
			rvErr = validation("1 validation error detected: Value '%s' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]", in.ReturnValues)
		}
		w, err := db.write(in.TableName, len(in.Expected) > 0, rvErr, in.ReturnValuesOnConditionCheckFailure, func(t *table) (*writeOp, error) {
			return db.prepareUpdate(t, in.Key, in.UpdateExpression, in.ConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues)
		})
		if err != nil {
			return nil, err
		}
		out := &dynamodb.UpdateItemOutput{ConsumedCapacity: w.cap.one(in.ReturnConsumedCapacity)}
		var targets []docPath
		if w.op.upd != nil {
			targets = w.op.upd.returned()
		}
		switch in.ReturnValues {
		case types.ReturnValueAllOld:
			out.Attributes = cloneItem(w.old)
		case types.ReturnValueAllNew:
			out.Attributes = cloneItem(w.new)
		case types.ReturnValueUpdatedOld:
			out.Attributes = project(w.old, targets)
		case types.ReturnValueUpdatedNew:
			out.Attributes = project(w.new, targets)
		}
		if len(out.Attributes) == 0 {
			out.Attributes = nil
		}
		return out, nil
	})
}

// DeleteItem deletes an item (deleting a missing item is not an error).
func (db *DB) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return call(ctx, db, "DeleteItem", in, func(_ context.Context, in *dynamodb.DeleteItemInput) (*dynamodb.DeleteItemOutput, error) {
		w, err := db.write(in.TableName, len(in.Expected) > 0, oldOrNone(in.ReturnValues), in.ReturnValuesOnConditionCheckFailure, func(t *table) (*writeOp, error) {
			return db.prepareKeyed("Delete", t, in.Key, in.ConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues)
		})
		if err != nil {
			return nil, err
		}
		out := &dynamodb.DeleteItemOutput{ConsumedCapacity: w.cap.one(in.ReturnConsumedCapacity)}
		if in.ReturnValues == types.ReturnValueAllOld && w.old != nil {
			out.Attributes = cloneItem(w.old)
		}
		return out, nil
	})
}
