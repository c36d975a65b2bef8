package memdb

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

const (
	maxTxItems     = 100
	maxTxSize      = 4 << 20
	tokenLifetime  = 10 * time.Minute
	reasonNone     = "None"
	reasonCond     = "ConditionalCheckFailed"
	reasonConflict = "TransactionConflict"
	reasonInvalid  = "ValidationError"
)

// inflight marks an item claimed by a write transaction in flight.
type inflight struct{}

// tokenEntry remembers a ClientRequestToken for ten minutes.
type tokenEntry struct {
	hash [32]byte
	at   time.Time
	done bool
	out  *dynamodb.TransactWriteItemsOutput
}

// TransactGetItems reads up to 100 items atomically.
func (db *DB) TransactGetItems(ctx context.Context, in *dynamodb.TransactGetItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactGetItemsOutput, error) {
	return call(ctx, db, "TransactGetItems", in, func(_ context.Context, in *dynamodb.TransactGetItemsInput) (*dynamodb.TransactGetItemsOutput, error) {
		if err := checkTxLen(len(in.TransactItems)); err != nil {
			return nil, err
		}
		db.mu.Lock()
		defer db.mu.Unlock()
		type get struct {
			t     *table
			key   Item
			paths []docPath
		}
		gets := make([]get, len(in.TransactItems))
		seen := map[string]bool{}
		for i, ti := range in.TransactItems {
			g := ti.Get
			if g == nil {
				return nil, validation("1 validation error detected: Value null at 'transactItems.%d.member.get' failed to satisfy constraint: Member must not be null", i+1)
			}
			t, err := db.table(g.TableName)
			if err != nil {
				return nil, err
			}
			key, err := t.checkKey(g.Key)
			if err != nil {
				return nil, err
			}
			paths, err := projection(g.ProjectionExpression, g.ExpressionAttributeNames)
			if err != nil {
				return nil, err
			}
			id := t.itemKey(key)
			if seen[id] {
				return nil, validation("Transaction request cannot include multiple operations on one item")
			}
			seen[id] = true
			gets[i] = get{t, key, paths}
		}
		if db.opts.Conflicts {
			reasons, failed := make([]types.CancellationReason, len(gets)), false
			for i, g := range gets {
				if db.claims[g.t.itemKey(g.key)] != nil {
					reasons[i] = types.CancellationReason{Code: aws.String(reasonConflict), Message: aws.String("Transaction is ongoing for the item")}
					failed = true
				}
			}
			if failed {
				return nil, canceled(fillNone(reasons))
			}
		}
		out := &dynamodb.TransactGetItemsOutput{Responses: make([]types.ItemResponse, len(gets))}
		var u usages
		for i, g := range gets {
			size := 0
			if rec := g.t.get(g.key); rec != nil {
				out.Responses[i].Item = project(rec.item, g.paths)
				size = rec.size
			}
			u.of(g.t.name, true).units += 2 * readUnits(size, true)
		}
		out.ConsumedCapacity = u.list(in.ReturnConsumedCapacity)
		return out, nil
	})
}

func checkTxLen(n int) error {
	if n == 0 {
		return validation("1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if n > maxTxItems {
		return validation("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to %d", maxTxItems)
	}
	return nil
}

func fillNone(reasons []types.CancellationReason) []types.CancellationReason {
	for i := range reasons {
		if reasons[i].Code == nil {
			reasons[i].Code = aws.String(reasonNone)
		}
	}
	return reasons
}

// TransactWriteItems performs up to 100 writes and checks atomically: all
// conditions hold and every write happens, or nothing does and the
// TransactionCanceledException lists a reason per item, in order.
func (db *DB) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	return call(ctx, db, "TransactWriteItems", in, db.transactWrite)
}

// prepareTx validates a transaction's entries. Entries that are well formed
// but cannot apply to their table (updating a key attribute) come back as
// cancellation reasons rather than an error.
func (db *DB) prepareTx(in *dynamodb.TransactWriteItemsInput) ([]*writeOp, []types.CancellationReason, error) {
	ops := make([]*writeOp, len(in.TransactItems))
	reasons := make([]types.CancellationReason, len(in.TransactItems))
	seen := map[string]bool{}
	size := 0
	for i, ti := range in.TransactItems {
		set := 0
		for _, present := range []bool{ti.ConditionCheck != nil, ti.Put != nil, ti.Update != nil, ti.Delete != nil} {
			if present {
				set++
			}
		}
		if set != 1 {
			return nil, nil, validation("TransactItems can only contain one of Check, Put, Update or Delete")
		}
		var op *writeOp
		var err error
		var mode types.ReturnValuesOnConditionCheckFailure
		switch {
		case ti.Put != nil:
			x := ti.Put
			mode = x.ReturnValuesOnConditionCheckFailure
			t, terr := db.table(x.TableName)
			if terr != nil {
				return nil, nil, terr
			}
			op, err = db.preparePut(t, x.Item, x.ConditionExpression, x.ExpressionAttributeNames, x.ExpressionAttributeValues)
			if err == nil {
				size += itemSize(op.item)
			}
		case ti.Update != nil:
			x := ti.Update
			mode = x.ReturnValuesOnConditionCheckFailure
			t, terr := db.table(x.TableName)
			if terr != nil {
				return nil, nil, terr
			}
			if x.UpdateExpression == nil {
				return nil, nil, validation("1 validation error detected: Value null at 'transactItems.%d.member.update.updateExpression' failed to satisfy constraint: Member must not be null", i+1)
			}
			op, err = db.prepareUpdate(t, x.Key, x.UpdateExpression, x.ConditionExpression, x.ExpressionAttributeNames, x.ExpressionAttributeValues)
		case ti.Delete != nil:
			x := ti.Delete
			mode = x.ReturnValuesOnConditionCheckFailure
			t, terr := db.table(x.TableName)
			if terr != nil {
				return nil, nil, terr
			}
			op, err = db.prepareKeyed("Delete", t, x.Key, x.ConditionExpression, x.ExpressionAttributeNames, x.ExpressionAttributeValues)
		default:
			x := ti.ConditionCheck
			mode = x.ReturnValuesOnConditionCheckFailure
			t, terr := db.table(x.TableName)
			if terr != nil {
				return nil, nil, terr
			}
			if x.ConditionExpression == nil {
				return nil, nil, validation("1 validation error detected: Value null at 'transactItems.%d.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null", i+1)
			}
			op, err = db.prepareKeyed("ConditionCheck", t, x.Key, x.ConditionExpression, x.ExpressionAttributeNames, x.ExpressionAttributeValues)
		}
		var rte runtimeError
		if errors.As(err, &rte) {
			reasons[i] = types.CancellationReason{Code: aws.String(reasonInvalid), Message: aws.String(apiMessage(rte.err))}
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		if op.failOld, err = checkFailureMode(mode); err != nil {
			return nil, nil, err
		}
		id := op.t.itemKey(op.key)
		if seen[id] {
			return nil, nil, validation("Transaction request cannot include multiple operations on one item")
		}
		seen[id] = true
		ops[i] = op
	}
	if size > maxTxSize {
		return nil, nil, validation("Transaction request size exceeds the maximum allowed size of 4 MB")
	}
	return ops, reasons, nil
}

func (db *DB) transactWrite(ctx context.Context, in *dynamodb.TransactWriteItemsInput) (*dynamodb.TransactWriteItemsOutput, error) {
	if err := checkTxLen(len(in.TransactItems)); err != nil {
		return nil, err
	}
	token := aws.ToString(in.ClientRequestToken)
	if in.ClientRequestToken != nil && (len(token) < 1 || len(token) > 36) {
		return nil, validation("1 validation error detected: Value '%s' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36", token)
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	ops, reasons, err := db.prepareTx(in)
	if err != nil {
		return nil, err
	}
	var hash [32]byte
	if token != "" {
		hash = requestHash(in)
		now := db.now()
		for k, e := range db.tokens {
			if e.done && now.Sub(e.at) >= tokenLifetime {
				delete(db.tokens, k)
			}
		}
		if e := db.tokens[token]; e != nil {
			switch {
			case e.hash != hash:
				return nil, &types.IdempotentParameterMismatchException{Message: aws.String("The request uses the same client token as a previous, but non-identical request. Do not reuse a client token with different requests, unless the requests are identical.")}
			case !e.done:
				return nil, &types.TransactionInProgressException{Message: aws.String("The transaction with the given request token is already in progress.")}
			}
			return &dynamodb.TransactWriteItemsOutput{ConsumedCapacity: e.out.ConsumedCapacity}, nil
		}
	}
	failed := false
	for _, r := range reasons {
		failed = failed || r.Code != nil
	}
	if db.opts.Conflicts && !failed {
		for i, op := range ops {
			if db.claims[op.t.itemKey(op.key)] != nil {
				reasons[i] = types.CancellationReason{Code: aws.String(reasonConflict), Message: aws.String("Transaction is ongoing for the item")}
				failed = true
			}
		}
		if failed {
			return nil, canceled(fillNone(reasons))
		}
	}
	olds, news := make([]Item, len(ops)), make([]Item, len(ops))
	for i, op := range ops {
		if op == nil {
			continue
		}
		old, new, err := op.evaluate(op.t.get(op.key))
		var ccf *types.ConditionalCheckFailedException
		var rte runtimeError
		switch {
		case errors.As(err, &ccf):
			reasons[i] = types.CancellationReason{Code: aws.String(reasonCond), Message: aws.String("The conditional request failed"), Item: ccf.Item}
			failed = true
		case errors.As(err, &rte):
			reasons[i] = types.CancellationReason{Code: aws.String(reasonInvalid), Message: aws.String(apiMessage(rte.err))}
			failed = true
		case err != nil:
			return nil, err
		}
		olds[i], news[i] = old, new
	}
	if failed {
		return nil, canceled(fillNone(reasons))
	}
	if db.opts.Conflicts {
		// In flight: others touching these items now collide with us.
		ids := make([]string, len(ops))
		for i, op := range ops {
			ids[i] = op.t.itemKey(op.key)
			db.claims[ids[i]] = &inflight{}
		}
		if token != "" {
			db.tokens[token] = &tokenEntry{hash: hash, at: db.now()}
		}
		db.mu.Unlock()
		if db.opts.Hold > 0 {
			_ = sleep(context.WithoutCancel(ctx), db.opts.Hold)
		} else {
			runtime.Gosched()
		}
		db.mu.Lock()
		for _, id := range ids {
			delete(db.claims, id)
		}
	}
	var u usages
	for i, op := range ops {
		x := u.of(op.t.name, false)
		if op.kind == "ConditionCheck" {
			// A check reads its item: read units (doubled below).
			size := 0
			if olds[i] != nil {
				size = itemSize(olds[i])
			}
			x.units += readUnits(size, true)
			continue
		}
		op.t.writeCost(x, olds[i], news[i])
		db.store(op.t, op.key, olds[i], news[i])
	}
	for _, x := range u.by {
		x.scale(2)
	}
	out := &dynamodb.TransactWriteItemsOutput{ConsumedCapacity: u.list(in.ReturnConsumedCapacity)}
	if token != "" {
		db.tokens[token] = &tokenEntry{hash: hash, at: db.now(), done: true, out: out}
	}
	return out, nil
}

// requestHash identifies a transaction's content for idempotency checks.
func requestHash(in *dynamodb.TransactWriteItemsInput) [32]byte {
	var b strings.Builder
	str := func(s *string) { fmt.Fprintf(&b, "%q;", aws.ToString(s)) }
	names := func(m map[string]string) {
		for _, k := range sortedKeys(m) {
			fmt.Fprintf(&b, "%q=%q,", k, m[k])
		}
		b.WriteString(";")
	}
	item := func(m Item) {
		for _, k := range sortedKeys(m) {
			fmt.Fprintf(&b, "%q=", k)
			canon(&b, m[k])
			b.WriteString(",")
		}
		b.WriteString(";")
	}
	entry := func(kind string, table *string, it Item, upd, cond *string, ns map[string]string, vs Item) {
		b.WriteString(kind)
		str(table)
		item(it)
		str(upd)
		str(cond)
		names(ns)
		item(vs)
	}
	for _, ti := range in.TransactItems {
		switch {
		case ti.Put != nil:
			x := ti.Put
			entry("P", x.TableName, x.Item, nil, x.ConditionExpression, x.ExpressionAttributeNames, x.ExpressionAttributeValues)
		case ti.Update != nil:
			x := ti.Update
			entry("U", x.TableName, x.Key, x.UpdateExpression, x.ConditionExpression, x.ExpressionAttributeNames, x.ExpressionAttributeValues)
		case ti.Delete != nil:
			x := ti.Delete
			entry("D", x.TableName, x.Key, nil, x.ConditionExpression, x.ExpressionAttributeNames, x.ExpressionAttributeValues)
		case ti.ConditionCheck != nil:
			x := ti.ConditionCheck
			entry("C", x.TableName, x.Key, nil, x.ConditionExpression, x.ExpressionAttributeNames, x.ExpressionAttributeValues)
		}
	}
	return sha256.Sum256([]byte(b.String()))
}

// canon writes a canonical, type-tagged rendering of a value.
func canon(b *strings.Builder, v types.AttributeValue) {
	switch x := v.(type) {
	case *types.AttributeValueMemberM:
		b.WriteString("M{")
		for _, k := range sortedKeys(x.Value) {
			fmt.Fprintf(b, "%q:", k)
			canon(b, x.Value[k])
			b.WriteString(",")
		}
		b.WriteString("}")
	case *types.AttributeValueMemberL:
		b.WriteString("L[")
		for _, e := range x.Value {
			canon(b, e)
			b.WriteString(",")
		}
		b.WriteString("]")
	case *types.AttributeValueMemberB:
		b.WriteString("B" + base64.StdEncoding.EncodeToString(x.Value))
	case *types.AttributeValueMemberBS:
		b.WriteString("BS")
		for _, e := range x.Value {
			b.WriteString(base64.StdEncoding.EncodeToString(e) + ",")
		}
	default:
		fmt.Fprintf(b, "%s%q", typeOf(v), fmt.Sprint(v))
	}
}
