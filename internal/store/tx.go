package store

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// MaxTxItems is DynamoDB's limit of items in one transaction.
const MaxTxItems = 100

// Tx is an all-or-nothing write of up to 100 items. Each operation carries
// the domain error to return when its condition fails, so a cancelled
// transaction tells the caller which invariant held it back. A failed
// transaction writes nothing.
type Tx struct {
	s     *Store
	tx    *dynamo.WriteTx
	fails []error
	bumps []*Item
	n     int
	err   error
	// guardAt is the index of the context's TxGuard operation (-1: none).
	guardAt int
}

// TxGuard adds an operation to every transaction run with a context that
// carries it (WithTxGuard): the idempotency record of an API request,
// marked applied in the same transaction as the request's effect, on
// condition that the request still holds its lease. When that condition
// fails the transaction wrote nothing and Run returns the guard's error.
type TxGuard func(t *Tx)

type guardKey struct{}

// WithTxGuard returns a context whose transactions include g. Store.Create
// and Store.Save run as transactions under it too: a keyed request's single
// writes are recorded with their effect like its transactions.
func WithTxGuard(ctx context.Context, g TxGuard) context.Context {
	return context.WithValue(ctx, guardKey{}, g)
}

func guarded(ctx context.Context) bool {
	_, ok := ctx.Value(guardKey{}).(TxGuard)
	return ok
}

// Tx starts a transaction.
func (s *Store) Tx() *Tx { return &Tx{s: s, tx: s.db.WriteTx(), guardAt: -1} }

func (t *Tx) add(onFail error) {
	t.n++
	t.fails = append(t.fails, onFail)
	if t.n > MaxTxItems && t.err == nil {
		t.err = domain.Errorf(domain.Internal, "transaction exceeds %d items", MaxTxItems)
	}
}

// Create adds a put that fails with onFail when the key already exists.
func (t *Tx) Create(item Entity, onFail error) *Tx {
	b := item.Base()
	b.Version = 1
	t.bumps = append(t.bumps, nil)
	t.tx.Put(t.s.table.Put(item).If("attribute_not_exists($)", tabledef.PK))
	t.add(orConflict(onFail, "it already exists"))
	return t
}

// Save adds an optimistic-concurrency replace (see Store.Save).
func (t *Tx) Save(item Entity) *Tx { return t.SaveIf(item, "") }

// SaveIf is Save with a further condition on the stored item (expr with
// args, as in dynamo's If; "" for none), for items whose Version alone does
// not identify what was read: an item deleted and created again starts at
// version 1 again. Either condition failing is ErrVersionConflict.
func (t *Tx) SaveIf(item Entity, expr string, args ...any) *Tx {
	b := item.Base()
	if b.Version == 0 {
		return t.Create(item, nil)
	}
	b.Version++
	t.bumps = append(t.bumps, b)
	put := t.s.table.Put(item).If("$ = ?", tabledef.Version, b.Version-1)
	if expr != "" {
		put.If(expr, args...)
	}
	t.tx.Put(put)
	t.add(ErrVersionConflict)
	return t
}

// Put adds an unconditional put.
func (t *Tx) Put(item Entity) *Tx {
	t.bumps = append(t.bumps, nil)
	t.tx.Put(t.s.table.Put(item))
	t.add(nil)
	return t
}

// Update adds an update built with Store.Update; onFail is returned if its
// condition (set with If) fails.
func (t *Tx) Update(u *dynamo.Update, onFail error) *Tx {
	t.bumps = append(t.bumps, nil)
	t.tx.Update(u)
	t.add(onFail)
	return t
}

// Delete adds a delete built with Store.DeleteOp; onFail is returned if its
// condition fails.
func (t *Tx) Delete(d *dynamo.Delete, onFail error) *Tx {
	t.bumps = append(t.bumps, nil)
	t.tx.Delete(d)
	t.add(onFail)
	return t
}

// Check adds a condition on an item that is not written.
func (t *Tx) Check(pk, sk, expr string, onFail error, args ...any) *Tx {
	t.bumps = append(t.bumps, nil)
	t.tx.Check(t.s.table.Check(tabledef.PK, pk).Range(tabledef.SK, sk).If(expr, args...))
	t.add(onFail)
	return t
}

// Len is the number of operations so far.
func (t *Tx) Len() int { return t.n }

// Run executes the transaction. token, if not empty, makes retries of the
// same logical request idempotent for ten minutes (ClientRequestToken).
func (t *Tx) Run(ctx context.Context, token string) error {
	if t.err != nil {
		return t.err
	}
	if token != "" {
		t.tx.IdempotentWithToken(token)
	}
	// A retry of this very call (the SDK's, after a lost answer) carries
	// the same ClientRequestToken, so DynamoDB answers it without applying
	// it twice.
	if g, ok := ctx.Value(guardKey{}).(TxGuard); ok && t.guardAt < 0 && t.n < MaxTxItems {
		t.guardAt = t.n
		g(t)
	}
	err := t.tx.Run(ctx)
	if err == nil {
		return nil
	}
	// Undo the in-memory version bumps: nothing was written.
	for _, b := range t.bumps {
		if b != nil {
			b.Version--
		}
	}
	return t.cancellation(err)
}

func (t *Tx) cancellation(err error) error {
	var te *types.TransactionCanceledException
	if !errors.As(err, &te) {
		var ipe *types.IdempotentParameterMismatchException
		if errors.As(err, &ipe) {
			return domain.Wrap(domain.Conflict, err, "this request was already made with different content")
		}
		return Classify(err)
	}
	if t.guardAt >= 0 && t.guardAt < len(te.CancellationReasons) && code(te.CancellationReasons[t.guardAt].Code) == "ConditionalCheckFailed" {
		// The request lost its idempotency lease: that is the reason.
		return t.fails[t.guardAt]
	}
	for i, r := range te.CancellationReasons {
		if r.Code != nil && *r.Code == "ConditionalCheckFailed" {
			if i < len(t.fails) && t.fails[i] != nil {
				return t.fails[i]
			}
			return domain.Wrap(domain.Conflict, err, "a condition of this change no longer holds")
		}
	}
	return Classify(err)
}

// Update starts an update of the item with the given key.
func (s *Store) Update(pk, sk string) *dynamo.Update {
	return s.table.Update(tabledef.PK, pk).Range(tabledef.SK, sk)
}

// DeleteOp starts a delete of the item with the given key (for transactions).
func (s *Store) DeleteOp(pk, sk string) *dynamo.Delete {
	return s.table.Delete(tabledef.PK, pk).Range(tabledef.SK, sk)
}
