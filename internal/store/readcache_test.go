package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/metering"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// TestReadCacheReadsEachKeyOnce: under a read cache a key is read once per
// request, found or not; keys not read yet are asked for alone; a write
// through the store forgets what was read; without a cache every BatchGet
// reads.
func TestReadCacheReadsEachKeyOnce(t *testing.T) {
	both(t, func(t *testing.T, s *store.Store, _ raw) {
		ctx := context.Background()
		a, b := newNote("rc", "a", "first"), newNote("rc", "b", "second")
		for _, n := range []*note{a, b} {
			if err := s.Create(ctx, n, nil); err != nil {
				t.Fatal(err)
			}
		}
		ka, kb, missing := store.Key{PK: a.PK, SK: a.SK}, store.Key{PK: b.PK, SK: b.SK}, store.Key{PK: a.PK, SK: "NOTE#none"}
		title := func(items map[store.Key]map[string]types.AttributeValue, k store.Key) string {
			if v, ok := items[k]["Title"].(*types.AttributeValueMemberS); ok {
				return v.Value
			}
			return ""
		}
		ctx, m := metering.NewContext(store.WithReadCache(ctx))
		read := func(keys ...store.Key) (map[store.Key]map[string]types.AttributeValue, int) {
			t.Helper()
			before := m.Snapshot().DynamoDBCalls
			items, err := store.BatchGet(ctx, s.Table(), keys)
			if err != nil {
				t.Fatal(err)
			}
			out := map[store.Key]map[string]types.AttributeValue{}
			for k, v := range items {
				out[k] = v
			}
			return out, m.Snapshot().DynamoDBCalls - before
		}

		items, calls := read(ka, missing)
		if calls != 1 || title(items, ka) != "first" || len(items) != 1 {
			t.Fatalf("first read: %d calls, %v", calls, items)
		}
		items[ka]["Title"] = &types.AttributeValueMemberS{Value: "changed by a caller"}
		items, calls = read(ka, missing, ka)
		if calls != 0 || title(items, ka) != "first" || len(items) != 1 {
			t.Fatalf("second read: %d calls (want 0), %v", calls, items)
		}
		items, calls = read(ka, kb)
		if calls != 1 || title(items, kb) != "second" || title(items, ka) != "first" {
			t.Fatalf("read with a new key: %d calls, %v", calls, items)
		}
		if _, calls = read(kb); calls != 0 {
			t.Fatalf("the new key read again: %d calls", calls)
		}

		a.Title = "first, edited"
		if err := s.Save(ctx, a); err != nil {
			t.Fatal(err)
		}
		items, calls = read(ka)
		if calls != 1 || title(items, ka) != "first, edited" {
			t.Fatalf("read after a write: %d calls, %v", calls, items)
		}

		// An eventually consistent read is served by any earlier read; a
		// consistent one only by a consistent one.
		kc := store.Key{PK: a.PK, SK: "NOTE#c"}
		if err := s.Create(ctx, newNote("rc", "c", "third"), nil); err != nil {
			t.Fatal(err)
		}
		eventually := func(keys ...store.Key) int {
			t.Helper()
			before := m.Snapshot().DynamoDBCalls
			if _, err := store.BatchGetEventually(ctx, s.Table(), keys); err != nil {
				t.Fatal(err)
			}
			return m.Snapshot().DynamoDBCalls - before
		}
		if calls := eventually(ka); calls != 1 {
			t.Fatalf("eventually consistent read after the write: %d calls", calls)
		}
		if calls := eventually(ka, kc); calls != 1 {
			t.Fatalf("eventually consistent read of a new key: %d calls", calls)
		}
		if calls := eventually(ka, kc); calls != 0 {
			t.Fatalf("eventually consistent reads again: %d calls", calls)
		}
		if items, calls = read(kc); calls != 1 || title(items, kc) != "third" {
			t.Fatalf("consistent read of a key read eventually: %d calls, %v", calls, items)
		}
		if calls := eventually(kb); calls != 1 {
			t.Fatalf("eventually consistent read of a key forgotten by the write: %d calls", calls)
		}

		// Keys along ride in a call made anyway, and cost nothing alone.
		if err := s.Create(ctx, newNote("rc", "d", "fourth"), nil); err != nil {
			t.Fatal(err)
		}
		kd := store.Key{PK: a.PK, SK: "NOTE#d"}
		along := func(keys, with []store.Key) (map[store.Key]map[string]types.AttributeValue, int) {
			t.Helper()
			before := m.Snapshot().DynamoDBCalls
			items, err := store.BatchGetAlong(ctx, s.Table(), keys, with)
			if err != nil {
				t.Fatal(err)
			}
			out := map[store.Key]map[string]types.AttributeValue{}
			for k, v := range items {
				out[k] = v
			}
			return out, m.Snapshot().DynamoDBCalls - before
		}
		if items, calls = along([]store.Key{ka}, []store.Key{kd}); calls != 1 || title(items, kd) != "fourth" {
			t.Fatalf("a key along a read: %d calls, %v", calls, items)
		}
		if _, calls = read(kd); calls != 0 {
			t.Fatalf("the key read along, asked for: %d calls", calls)
		}
		if items, calls = along([]store.Key{ka}, []store.Key{kc}); calls != 0 || len(items) != 1 {
			t.Fatalf("a key along cached keys: %d calls (want none), %v", calls, items)
		}

		// A write a core builds on the table (not a Store method) forgets
		// too: every write to the table goes through the Store's client.
		if _, calls = read(kd); calls != 0 {
			t.Fatalf("kd is cached, yet read: %d calls", calls)
		}
		if err := s.Table().Update(tabledef.PK, kd.PK).Range(tabledef.SK, kd.SK).Set("Title", "fourth, updated").Run(ctx); err != nil {
			t.Fatal(err)
		}
		if items, calls = read(kd); calls != 1 || title(items, kd) != "fourth, updated" {
			t.Fatalf("read after an update built on the table: %d calls, %v", calls, items)
		}

		plain, pm := metering.NewContext(context.Background())
		for i := 0; i < 2; i++ {
			if _, err := store.BatchGet(plain, s.Table(), []store.Key{ka}); err != nil {
				t.Fatal(err)
			}
		}
		if n := pm.Snapshot().DynamoDBCalls; n != 2 {
			t.Fatalf("without a cache: %d calls for two reads", n)
		}
		if store.WithReadCache(ctx) != ctx {
			t.Fatal("a second WithReadCache replaced the request's cache")
		}
	})
}

// Memo answers once per request under a read cache, asks again after a
// write or a failure, and every time without a cache.
func TestMemoOncePerRequest(t *testing.T) {
	both(t, func(t *testing.T, s *store.Store, _ raw) {
		asked := 0
		ask := func() (int, error) { asked++; return asked, nil }
		ctx := store.WithReadCache(context.Background())
		for i := 0; i < 3; i++ {
			if v, err := store.Memo(ctx, "test.q/1", ask); err != nil || v != 1 {
				t.Fatalf("memo %d: %v %v", i, v, err)
			}
		}
		if v, _ := store.Memo(ctx, "test.q/2", ask); v != 2 {
			t.Fatalf("another key: %v, want a new answer", v)
		}
		failed := errors.New("unavailable")
		if _, err := store.Memo(ctx, "test.q/3", func() (int, error) { return 0, failed }); err != failed {
			t.Fatal(err)
		}
		if v, _ := store.Memo(ctx, "test.q/3", ask); v != 3 {
			t.Fatalf("after a failure: %v, want the question asked again", v)
		}
		if err := s.Create(ctx, newNote("memo", "a", "x"), nil); err != nil {
			t.Fatal(err)
		}
		if v, _ := store.Memo(ctx, "test.q/1", ask); v != 4 {
			t.Fatalf("after a write: %v, want the question asked again", v)
		}
		plain := context.Background()
		_, _ = store.Memo(plain, "test.q/1", ask)
		if v, _ := store.Memo(plain, "test.q/1", ask); v != 6 {
			t.Fatalf("without a cache: %v, want every call asked", v)
		}
	})
}
