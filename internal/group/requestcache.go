package group

import (
	"context"
	"sync"

	"github.com/quorum-app/quorum/internal/authz"
)

// A request cache keeps, for the length of one read-only request, what the
// policy read about each group for the actor (the group, its parent, the
// memberships, the guest grants), so that a request asking the policy
// about many threads or polls of the same groups (a search page) reads
// each group once instead of once per item.
type requestCache struct {
	mu      sync.Mutex
	loads   map[string]*cacheEntry[*loaded]
	grants  map[string]*cacheEntry[[]authz.GuestGrant]
	actorID string
}

type cacheEntry[V any] struct {
	done chan struct{}
	v    V
	err  error
}

type requestCacheKey struct{}

// WithRequestCache returns ctx carrying a cache of the policy's group
// facts for the actor of ctx. Use it only around reads: a write under it
// could be authorized on facts read before another write changed them.
//
// A ctx that already carries a cache for the same actor is returned as it
// is: a page that reads groups itself and then searches (or lists cards)
// shares one cache for the whole request.
func WithRequestCache(ctx context.Context) context.Context {
	if cacheFrom(ctx, authz.ActorFrom(ctx)) != nil {
		return ctx
	}
	return context.WithValue(ctx, requestCacheKey{}, &requestCache{actorID: authz.ActorFrom(ctx).UserID,
		loads: map[string]*cacheEntry[*loaded]{}, grants: map[string]*cacheEntry[[]authz.GuestGrant]{}})
}

func cacheFrom(ctx context.Context, a authz.Actor) *requestCache {
	c, _ := ctx.Value(requestCacheKey{}).(*requestCache)
	if c == nil || c.actorID != a.UserID {
		return nil // another actor (a system task within the request): no cache
	}
	return c
}

// cached returns m[key], computing it once with fn (concurrent callers of
// the same key wait for the first).
func cached[V any](c *requestCache, m map[string]*cacheEntry[V], key string, fn func() (V, error)) (V, error) {
	c.mu.Lock()
	e, ok := m[key]
	if !ok {
		e = &cacheEntry[V]{done: make(chan struct{})}
		m[key] = e
	}
	c.mu.Unlock()
	if ok {
		<-e.done
		return e.v, e.err
	}
	e.v, e.err = fn()
	close(e.done)
	return e.v, e.err
}
