package memdb

import (
	"context"

	"github.com/quorum-app/quorum/internal/localcloud"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// CreateTableDef creates a table from its tabledef definition exactly as
// make dev and the tests' local cloud provision DynamoDB Local (the same
// localcloud.EnsureTable: on-demand, indexes projecting everything, the
// stream, TTL enabled). It does nothing if the table exists.
func (db *DB) CreateTableDef(ctx context.Context, def tabledef.Table) error {
	return localcloud.EnsureTable(ctx, db, def)
}

// NewWithTable returns a DB holding one empty table made from def, for
// example tabledef.MainTable("test"): the one call a test needs before
// store.New(db, def.Name, key).
func NewWithTable(def tabledef.Table, opts Options) (*DB, error) {
	db := New(opts)
	if err := db.CreateTableDef(context.Background(), def); err != nil {
		return nil, err
	}
	return db, nil
}
