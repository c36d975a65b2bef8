// Package store is Quorum's DynamoDB data layer: one table (see
// docs/data-model.md), typed items mapped with guregu/dynamo, optimistic
// concurrency on a Version attribute, transactions whose cancellation
// reasons become domain errors, TTL for ephemeral items and opaque, signed
// pagination cursors. Domain packages build their access patterns on it.
package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"
	"github.com/guregu/dynamo/v2/dynamodbiface"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/secrets"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Item is the part every stored item shares. Entity types embed it.
type Item struct {
	PK     string `dynamo:"PK,hash"`
	SK     string `dynamo:"SK,range"`
	GSI1PK string `dynamo:"GSI1PK,omitempty"`
	GSI1SK string `dynamo:"GSI1SK,omitempty"`
	GSI2PK string `dynamo:"GSI2PK,omitempty"`
	GSI2SK string `dynamo:"GSI2SK,omitempty"`
	// Type names the entity ("user", "session", ...) for scans and debugging.
	Type string `dynamo:"Type"`
	// Version counts successful writes; 0 means "not stored yet".
	Version int64 `dynamo:"Version"`
	// TTL is the epoch second after which DynamoDB deletes the item (0: never).
	TTL int64 `dynamo:"TTL,omitempty"`
}

// Base returns the embedded Item, so generic helpers can reach it.
func (i *Item) Base() *Item { return i }

// Entity is any struct embedding Item.
type Entity interface{ Base() *Item }

// ExpireAt sets the item to expire at t.
func (i *Item) ExpireAt(t time.Time) { i.TTL = t.Unix() }

// Store is a handle on the table.
type Store struct {
	db        *dynamo.DB
	table     dynamo.Table
	cursorKey []byte
}

// New returns a Store on the named table. client is the SDK's DynamoDB
// client or, in tests, the in-memory DynamoDB of internal/memdb. signingKey
// is the root secret from configuration; the store derives its cursor key
// from it.
func New(client dynamodbiface.DynamoDBAPI, table string, signingKey []byte) *Store {
	db := dynamo.NewFromIface(forgetfulDB{client}) // writes empty the request's read cache
	return &Store{db: db, table: db.Table(table), cursorKey: secrets.DeriveKey(signingKey, "pagination-cursor")}
}

// Table exposes the guregu table for building queries and writes.
func (s *Store) Table() dynamo.Table { return s.table }

// Name is the table name.
func (s *Store) Name() string { return s.table.Name() }

// Ping checks that the table is reachable (used by /healthz).
func (s *Store) Ping(ctx context.Context) error {
	_, err := s.db.Client().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: strPtr(s.table.Name())})
	return err
}

func strPtr(s string) *string { return &s }

// ErrNotFound is returned by Get when no item has the key.
var ErrNotFound = domain.Errorf(domain.NotFound, "not found")

// Get reads one item by key into out (strongly consistent).
// A missing item returns ErrNotFound.
func (s *Store) Get(ctx context.Context, pk, sk string, out Entity) error {
	err := s.table.Get(tabledef.PK, pk).Range(tabledef.SK, dynamo.Equal, sk).Consistent(true).One(ctx, out)
	if errors.Is(err, dynamo.ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return Classify(err)
	}
	// An expired item may linger until DynamoDB's TTL sweep: treat it as gone.
	if ttl := out.Base().TTL; ttl != 0 && ttl <= time.Now().Unix() {
		return ErrNotFound
	}
	return nil
}

// Create writes a new item; if an item with the same key exists it returns
// exists (or a generic conflict when exists is nil). The item's Version
// becomes 1.
//
// Within a keyed API request (a context with a TxGuard) the put is a
// transaction with the guard, so that the effect and the request's
// idempotency record cannot disagree (see WithTxGuard).
func (s *Store) Create(ctx context.Context, item Entity, exists error) error {
	if guarded(ctx) {
		err := s.Tx().Create(item, exists).Run(ctx, "")
		if err != nil {
			item.Base().Version = 0
		}
		return err
	}
	b := item.Base()
	b.Version = 1
	av, id, err := withWriteID(item)
	if err == nil {
		err = s.table.Put(av).If("attribute_not_exists($)", tabledef.PK).Run(ctx)
	}
	if err != nil {
		if dynamo.IsCondCheckFailed(err) && s.written(ctx, b, id) {
			return nil
		}
		b.Version = 0
		if dynamo.IsCondCheckFailed(err) {
			return orConflict(exists, "it already exists")
		}
		return Classify(err)
	}
	return nil
}

// WriteIDAttribute names the random id of the Create or Save that last
// wrote an item.
const WriteIDAttribute = "WriteID"

// withWriteID marshals item with a fresh write id.
func withWriteID(item Entity) (dynamo.Item, string, error) {
	av, err := dynamo.MarshalItem(item)
	if err != nil {
		return nil, "", domain.Wrap(domain.Internal, err, "item cannot be stored")
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	av[WriteIDAttribute] = &types.AttributeValueMemberS{Value: id}
	return av, id, nil
}

// written reports whether the item at b's key was last written by the
// write with id: a conditional put whose first answer was lost and that
// the SDK sent again finds its own write and fails its condition, which is
// then not a conflict (409 means the state differs from what the request
// expected, not that the request succeeded). Only read after a failed
// condition.
func (s *Store) written(ctx context.Context, b *Item, id string) bool {
	var got dynamo.Item
	err := s.table.Get(tabledef.PK, b.PK).Range(tabledef.SK, dynamo.Equal, b.SK).Project(WriteIDAttribute).Consistent(true).One(ctx, &got)
	if err != nil {
		return false
	}
	v, ok := got[WriteIDAttribute].(*types.AttributeValueMemberS)
	return ok && v.Value == id
}

// Save replaces an item that was read at its current Version (optimistic
// concurrency). If anybody wrote it in between, Save returns a Conflict error
// the caller can act on (re-read and retry, or tell the user). Items with
// Version 0 are created.
//
// Within a keyed API request it is a transaction with the guard, as Create.
func (s *Store) Save(ctx context.Context, item Entity) error {
	b := item.Base()
	if b.Version == 0 {
		return s.Create(ctx, item, nil)
	}
	if guarded(ctx) {
		return s.Tx().Save(item).Run(ctx, "")
	}
	prev := b.Version
	b.Version++
	av, id, err := withWriteID(item)
	if err == nil {
		err = s.table.Put(av).If("$ = ?", tabledef.Version, prev).Run(ctx)
	}
	if err != nil {
		if dynamo.IsCondCheckFailed(err) && s.written(ctx, b, id) {
			return nil
		}
		b.Version = prev
		if dynamo.IsCondCheckFailed(err) {
			return ErrVersionConflict
		}
		return Classify(err)
	}
	return nil
}

// ErrVersionConflict means the item changed since it was read.
var ErrVersionConflict = domain.Errorf(domain.Conflict, "this was changed by someone else in the meantime; reload and try again")

// Delete removes an item by key (no error if it does not exist).
func (s *Store) Delete(ctx context.Context, pk, sk string) error {
	if err := s.table.Delete(tabledef.PK, pk).Range(tabledef.SK, sk).Run(ctx); err != nil {
		return Classify(err)
	}
	return nil
}

func orConflict(err error, msg string) error {
	if err != nil {
		return err
	}
	return domain.Errorf(domain.Conflict, "%s", msg)
}

// Describe renders a key for logs and errors.
func Describe(pk, sk string) string { return fmt.Sprintf("%s/%s", pk, sk) }

// DeletePrefix deletes up to limit items of partition pk whose sort key
// begins with skPrefix and reports how many it deleted (0: none left). The
// erasure steps of account deletion use it to go in bounded batches.
func (s *Store) DeletePrefix(ctx context.Context, pk, skPrefix string, limit int) (int, error) {
	var page []Item
	err := s.table.Get(tabledef.PK, pk).Range(tabledef.SK, dynamo.BeginsWith, skPrefix).
		Project(tabledef.PK, tabledef.SK).Limit(limit).All(ctx, &page)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return 0, Classify(err)
	}
	for _, it := range page {
		if err := s.Delete(ctx, it.PK, it.SK); err != nil {
			return 0, err
		}
	}
	return len(page), nil
}
