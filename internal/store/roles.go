package store

import (
	"context"

	"github.com/guregu/dynamo/v2"
)

// The interfaces below name one method of *Store each (as io.Reader names
// Read), so that a core declares the storage it consumes as exactly the
// methods it calls, by embedding them:
//
//	type storage interface {
//		store.Getter
//		store.Transactor
//		store.Pager
//	}
//
// *Store is their implementation: over the SDK's DynamoDB client it is the
// DynamoDB one, and over internal/memdb (an implementation of the DynamoDB
// API with its conditions, transactions and streams, held to DynamoDB Local
// by internal/memdb/contract) the in-memory one. The seam sits at the
// DynamoDB API because conditional writes and transactions are the semantics
// the cores rely on; see docs/architecture.md#storage-each-core-declares-what-it-consumes.

// Getter reads one item by key (Store.Get).
type Getter interface {
	Get(ctx context.Context, pk, sk string, out Entity) error
}

// Creator writes a new item unless its key exists (Store.Create).
type Creator interface {
	Create(ctx context.Context, item Entity, exists error) error
}

// Saver replaces an item read at its current version (Store.Save).
type Saver interface {
	Save(ctx context.Context, item Entity) error
}

// Deleter removes one item by key (Store.Delete).
type Deleter interface {
	Delete(ctx context.Context, pk, sk string) error
}

// PrefixDeleter removes a bounded batch of a partition's items by sort-key
// prefix (Store.DeletePrefix).
type PrefixDeleter interface {
	DeletePrefix(ctx context.Context, pk, skPrefix string, limit int) (int, error)
}

// Transactor starts a transaction (Store.Tx).
type Transactor interface {
	Tx() *Tx
}

// Updater starts an update of one item, for a transaction or on its own
// (Store.Update).
type Updater interface {
	Update(pk, sk string) *dynamo.Update
}

// DeleteOpBuilder starts a delete of one item, for a transaction
// (Store.DeleteOp).
type DeleteOpBuilder interface {
	DeleteOp(pk, sk string) *dynamo.Delete
}

// Tabler hands out the table for a core's own queries (Store.Table); it is
// also what ScanStep needs.
type Tabler interface {
	Table() dynamo.Table
}

// Renamer does one step of a resumable rename scan (Store.RenameScan).
type Renamer interface {
	RenameScan(ctx context.Context, r Rename) (bool, error)
}

// Pager is what QueryPage needs of a store: signing a page's cursor and
// checking the cursor it is handed. Its methods are unexported: the cursor
// key never leaves *Store, its one implementation.
type Pager interface {
	encodeCursor(scope string, key dynamo.PagingKey) (string, error)
	decodeCursor(scope, cursor string) (dynamo.PagingKey, error)
}

// Sweeper is what SweepStep needs: the scan, and reading, saving and
// deleting its progress item.
type Sweeper interface {
	Getter
	Deleter
	Transactor
	Tabler
}
