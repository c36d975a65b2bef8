package store

import (
	"context"
	"errors"
	"maps"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"
	"github.com/guregu/dynamo/v2/dynamodbiface"

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
// write to the table through a Store (its methods, and the updates, puts,
// deletes and transactions the cores build on Table: forgetfulDB) empties
// the cache of its context first. The items are the table's, not any
// core's: each owner decodes its own, the layout stays with it.
type readCache struct {
	mu    sync.Mutex
	items map[Key]cached
	memo  map[string]any // Memo's answers, by the owner's key
}

// cached is one key's answer: item nil when the key was read and absent;
// consistent when it came from a strongly consistent read (an eventually
// consistent one serves only eventually consistent reads).
type cached struct {
	item       dynamo.Item
	consistent bool
}

// Key is the primary key of one item.
type Key struct{ PK, SK string }

type readCacheKey struct{}

// forgetfulDB is the DynamoDB client under a Store: every write empties the
// read cache of the call's context before it is sent, so no read after a
// write in the same request is served from before it.
type forgetfulDB struct{ dynamodbiface.DynamoDBAPI }

type dbOpt = func(*dynamodb.Options)

func (d forgetfulDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...dbOpt) (*dynamodb.PutItemOutput, error) {
	forgetReads(ctx)
	return d.DynamoDBAPI.PutItem(ctx, in, o...)
}

func (d forgetfulDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...dbOpt) (*dynamodb.UpdateItemOutput, error) {
	forgetReads(ctx)
	return d.DynamoDBAPI.UpdateItem(ctx, in, o...)
}

func (d forgetfulDB) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...dbOpt) (*dynamodb.DeleteItemOutput, error) {
	forgetReads(ctx)
	return d.DynamoDBAPI.DeleteItem(ctx, in, o...)
}

func (d forgetfulDB) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, o ...dbOpt) (*dynamodb.BatchWriteItemOutput, error) {
	forgetReads(ctx)
	return d.DynamoDBAPI.BatchWriteItem(ctx, in, o...)
}

func (d forgetfulDB) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...dbOpt) (*dynamodb.TransactWriteItemsOutput, error) {
	forgetReads(ctx)
	return d.DynamoDBAPI.TransactWriteItems(ctx, in, o...)
}

// WithReadCache returns ctx carrying an empty read cache (ctx itself when
// it carries one already). Use it only around reads.
func WithReadCache(ctx context.Context) context.Context {
	if cacheOf(ctx) != nil {
		return ctx
	}
	return context.WithValue(ctx, readCacheKey{}, &readCache{items: map[Key]cached{}, memo: map[string]any{}})
}

// ReadCacheOn reports whether ctx carries a read cache: a reader may then
// read ahead in one batch what the request will ask next.
func ReadCacheOn(ctx context.Context) bool { return cacheOf(ctx) != nil }

func cacheOf(ctx context.Context) *readCache {
	c, _ := ctx.Value(readCacheKey{}).(*readCache)
	return c
}

// forgetReads empties the read cache of ctx (after a write).
func forgetReads(ctx context.Context) {
	if c := cacheOf(ctx); c != nil {
		c.mu.Lock()
		clear(c.items)
		clear(c.memo)
		c.mu.Unlock()
	}
}

// Memo returns fn's answer, asked once per read-only request under a read
// cache (without one, fn is called every time): for an owner's read that is
// not by key (a query), such as the group core's list of a person's guest
// grants in a group, which every policy question about a guest asks. key
// names the owner and the question, and everything the answer depends on
// ("group.guests/<gid>/<uid>"). A failed fn is not remembered; writes
// through the store forget every answer.
func Memo[V any](ctx context.Context, key string, fn func() (V, error)) (V, error) {
	c := cacheOf(ctx)
	if c == nil {
		return fn()
	}
	c.mu.Lock()
	v, ok := c.memo[key].(V)
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := fn()
	if err == nil {
		c.mu.Lock()
		c.memo[key] = v
		c.mu.Unlock()
	}
	return v, err
}

// BatchGet reads the items at keys with strongly consistent BatchGetItem
// calls and returns those that exist, by key. Under a read cache, keys read
// before in the same request are served from it and only the others are
// asked for (no call at all when every key was read).
func BatchGet(ctx context.Context, t dynamo.Table, keys []Key) (map[Key]dynamo.Item, error) {
	return batchGet(ctx, t, keys, nil, true)
}

// BatchGetAlong is BatchGet that also reads the keys along, but only in a
// call made for keys anyway: when every key was read before in the request,
// along costs nothing and is absent from the answer unless read before.
// A reader adds what a later question of the request will likely ask (the
// group's notification level with the group and membership).
func BatchGetAlong(ctx context.Context, t dynamo.Table, keys, along []Key) (map[Key]dynamo.Item, error) {
	return batchGet(ctx, t, keys, along, true)
}

// BatchGetEventually is BatchGet with eventually consistent reads (half
// the read units), for what may lag a write by a moment (names to show):
// it is served by any earlier read of the request, and serves only
// eventually consistent reads after it.
func BatchGetEventually(ctx context.Context, t dynamo.Table, keys []Key) (map[Key]dynamo.Item, error) {
	return batchGet(ctx, t, keys, nil, false)
}

func batchGet(ctx context.Context, t dynamo.Table, keys, along []Key, consistent bool) (map[Key]dynamo.Item, error) {
	out := make(map[Key]dynamo.Item, len(keys)+len(along))
	c := cacheOf(ctx)
	ask := keys
	if c != nil {
		ask = nil
		c.mu.Lock()
		var alongAsk []Key
		for i, k := range append(append([]Key{}, keys...), along...) {
			e, ok := c.items[k]
			switch {
			case (!ok || consistent && !e.consistent) && i < len(keys):
				ask = append(ask, k)
			case !ok || consistent && !e.consistent:
				alongAsk = append(alongAsk, k)
			case e.item != nil:
				out[k] = maps.Clone(e.item) // callers may change what they get
			}
		}
		c.mu.Unlock()
		if len(ask) > 0 {
			ask = append(ask, alongAsk...)
		}
	} else {
		ask = append(append([]Key{}, keys...), along...)
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
	err := t.Batch(tabledef.PK, tabledef.SK).Get(ks...).Consistent(consistent).All(ctx, &items)
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
			if e, ok := c.items[k]; ok && e.consistent && !consistent {
				continue // a concurrent consistent read got there first
			}
			c.items[k] = cached{item: maps.Clone(got[k]), consistent: consistent}
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
