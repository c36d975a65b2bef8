package group_test

import (
	"testing"

	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/metering"
)

// TestRequestCacheIsOnePerRequest: under a request cache a group's policy
// facts are read once, and a cache asked for again within the request (the
// search page wraps its request, the search wraps its own work) is the same
// cache, not a fresh one that reads everything again.
func TestRequestCacheIsOnePerRequest(t *testing.T) {
	f := newFixture(t)
	ada, _ := f.user("Ada")
	g, err := f.svc.Create(ada, group.CreateInput{Name: "Allotments", Privacy: "closed"})
	f.must(err)
	ctx, m := metering.NewContext(group.WithRequestCache(ada))
	_, err = f.svc.Get(ctx, g.ID)
	f.must(err)
	first := m.Snapshot().DynamoDBCalls
	if first == 0 {
		t.Fatal("the first read of the group cost no call: the test measures nothing")
	}
	_, err = f.svc.Get(group.WithRequestCache(ctx), g.ID) // the page's cache, asked for again
	f.must(err)
	if again := m.Snapshot().DynamoDBCalls - first; again != 0 {
		t.Errorf("the group read again under the same request cost %d calls, want 0", again)
	}
	// Without a cache every read pays.
	plain, pm := metering.NewContext(ada)
	for range 2 {
		_, err = f.svc.Get(plain, g.ID)
		f.must(err)
	}
	if pm.Snapshot().DynamoDBCalls != 2*first {
		t.Errorf("two reads without a cache cost %d calls, want %d", pm.Snapshot().DynamoDBCalls, 2*first)
	}
}
