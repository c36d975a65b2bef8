package testkit

import (
	"testing"

	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/testcloud"
)

// Tier is where a test's table, buckets and mail live.
type Tier int

const (
	// FastTier is the in-memory tier (internal/memdb, the in-memory S3 and SES
	// of testcloud.Fast): nothing outside the test process.
	FastTier Tier = iota
	// StreamTier is FastTier whose table keeps a stream of its changes
	// (testcloud.FastStream).
	StreamTier
	// RealTier is DynamoDB Local and the S3 and SES stand-ins (testcloud.New);
	// skipped under -short.
	RealTier
)

// NewEnv returns a fresh, isolated environment on tier.
func NewEnv(t testing.TB, tier Tier) *testcloud.Env {
	t.Helper()
	switch tier {
	case RealTier:
		return testcloud.New(t)
	case StreamTier:
		return testcloud.FastStream(t)
	default:
		return testcloud.Fast(t)
	}
}

// StoreOf is the store on env's table, signed with env's key.
func StoreOf(env *testcloud.Env) *store.Store {
	return store.New(env.Clients.DynamoDB, env.Config.Table, env.Config.SigningKey)
}
