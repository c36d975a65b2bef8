// Package contract holds the DynamoDB contract suite: behaviour cases
// that run the same calls against DynamoDB Local (the reference, through
// internal/testcloud) and against the in-memory DynamoDB of internal/memdb,
// and fail on any difference between the two. Its tests are the suite; this
// file gives other packages' tests the same pair of backends (Each), so
// that a package's storage tests prove both.
//
// Use testcloud.Run in TestMain of a package that calls Each, as for any
// test of the local cloud.
package contract

import (
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/guregu/dynamo/v2/dynamodbiface"

	"github.com/quorum-app/quorum/internal/memdb"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/testcloud"
)

// Backend is one implementation of the DynamoDB API.
type Backend struct {
	// Name is "local" (DynamoDB Local) or "memdb".
	Name string
	// Table returns a client and the name of a fresh, empty Quorum table
	// (tabledef.MainTable) on the backend.
	Table func(t testing.TB) (dynamodbiface.DynamoDBAPI, string)
}

// Local is DynamoDB Local, provisioned by testcloud exactly as every
// integration test's table.
var Local = Backend{Name: "local", Table: func(t testing.TB) (dynamodbiface.DynamoDBAPI, string) {
	env := testcloud.New(t)
	return env.Clients.DynamoDB, env.Config.Table
}}

// Mem is memdb with default options (metered, conflict-free).
var Mem = Backend{Name: "memdb", Table: func(t testing.TB) (dynamodbiface.DynamoDBAPI, string) {
	def := tabledef.MainTable(randomPrefix())
	db, err := memdb.NewWithTable(def, memdb.Options{})
	if err != nil {
		t.Fatalf("memdb table: %v", err)
	}
	return db, def.Name
}}

// Backends are the two backends, the reference first.
func Backends() []Backend { return []Backend{Local, Mem} }

// Each runs f once per backend, as subtests named after them, each with a
// fresh table.
func Each(t *testing.T, f func(t *testing.T, db dynamodbiface.DynamoDBAPI, table string)) {
	t.Helper()
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db, table := b.Table(t)
			f(t, db, table)
		})
	}
}

func randomPrefix() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return "m" + hex.EncodeToString(b)
}
