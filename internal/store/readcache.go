package store

import (
	"context"
	"errors"
	"maps"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/tabledef"
)

// A read cache keeps, for the length of one read-only request (a GET or
// HEAD: the HTTP middleware installs it, httpx.Observe), the items that the
// owners' readers read by key in strongly consistent batches (BatchGet):
// the group item and the viewer's membership, a poll and the viewer's
// ballot, read once per request instead of once per question a page asks
// its cores (the poll page asked for the same group and membership nine
// times). A key read and not found is remembered as absent.
//
// Only what cannot change during the request belongs here: a read-only
// request changes none of it (its own writes are the session's last-seen
// mark and the reader's read marks, which no cached reader reads), and every
// write through the store (Save, Create, Delete, Tx.Run) empties the cache
// of its context. The items are the table's, not any core's: each owner
// decodes its own, the layout stays with it.
type readCache struct {
	mu    sync.Mutex
	items map[Key]dynamo.Item // nil: read, absent
}

// Key is the primary key of one item.
type Key struct{ PK, SK string }

type readCacheKey struct{}

// WithReadCache returns ctx carrying an empty read cache (ctx itself when
// it carries one already). Use it only around reads.
func WithReadCache(ctx context.Context) context.Context {
	if cacheOf(ctx) != nil {
		return ctx
	}
	return context.WithValue(ctx, readCacheKey{}, &readCache{items: map[Key]dynamo.Item{}})
}

func cacheOf(ctx context.Context) *readCache {
	c, _ := ctx.Value(readCacheKey{}).(*readCache)
	return c
}

// forgetReads empties the read cache of ctx (after a write).
func forgetReads(ctx context.Context) {
	if c := cacheOf(ctx); c != nil {
		c.mu.Lock()
		clear(c.items)
		c.mu.Unlock()
	}
}

// BatchGet reads the items at keys with strongly consistent BatchGetItem
// calls and returns those that exist, by key. Under a read cache, keys read
// before in the same request are served from it and only the others are
// asked for (no call at all when every key was read).
func BatchGet(ctx context.Context, t dynamo.Table, keys []Key) (map[Key]dynamo.Item, error) {
	out := make(map[Key]dynamo.Item, len(keys))
	c := cacheOf(ctx)
	ask := keys
	if c != nil {
		ask = nil
		c.mu.Lock()
		for _, k := range keys {
			it, ok := c.items[k]
			switch {
			case !ok:
				ask = append(ask, k)
			case it != nil:
				out[k] = maps.Clone(it) // callers may change what they get
			}
		}
		c.mu.Unlock()
	}
	if len(ask) == 0 {
		return out, nil
	}
	ks := make([]dynamo.Keyed, 0, len(ask))
	seen := make(map[Key]bool, len(ask))
	for _, k := range ask {
		if !seen[k] { // BatchGetItem refuses a key twice
			seen[k] = true
			ks = append(ks, dynamo.Keys{k.PK, k.SK})
		}
	}
	var items []dynamo.Item
	err := t.Batch(tabledef.PK, tabledef.SK).Get(ks...).Consistent(true).All(ctx, &items)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return nil, Classify(err)
	}
	got := make(map[Key]dynamo.Item, len(items))
	for _, it := range items {
		got[Key{attrS(it, tabledef.PK), attrS(it, tabledef.SK)}] = it
	}
	if c != nil {
		c.mu.Lock()
		for k := range seen {
			if it, ok := got[k]; ok {
				c.items[k] = maps.Clone(it)
			} else {
				c.items[k] = nil
			}
		}
		c.mu.Unlock()
	}
	maps.Copy(out, got)
	return out, nil
}

func attrS(it dynamo.Item, name string) string {
	if v, ok := it[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}
