package search

import (
	"testing"

	"github.com/quorum-app/quorum/internal/testcloud"
)

// TestOnDynamoDBLocal runs the indexer and the queries on DynamoDB Local:
// conditional document writes, batched postings, key-range queries and the
// statistics' ADD behave there as on memdb.
func TestOnDynamoDBLocal(t *testing.T) {
	on := func(t *testing.T) *fixture {
		env := testcloud.New(t) // a table of its own
		return newFixtureOn(t, env.Clients.DynamoDB, env.Config.Table)
	}
	t.Run("edits and deletions", func(t *testing.T) { editsAndDeletions(t, on(t)) })
	t.Run("out of order", func(t *testing.T) { outOfOrder(t, on(t)) })
	t.Run("scope", func(t *testing.T) { scopeIsAll(t, secretWorldIn(on(t))) })
}
