package decision_test

import (
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/poll"
)

// TestGroupProxiesListsPollGrants: GroupProxiesOf lists, besides the
// standing proxy, the proxies given for single open polls (not an ended
// one, not in a closed poll) with the open polls' titles.
func TestGroupProxiesListsPollGrants(t *testing.T) {
	f := newProxyFixture(t)
	p1 := f.poll(func(d *poll.Definition) { d.Title = "First" })
	p2 := f.poll(func(d *poll.Definition) { d.Title = "Second" })
	p3 := f.poll(func(d *poll.Definition) { d.Title = "Third" })
	ada, ben := f.as("ada"), f.as("ben")
	for _, pid := range []string{p1.ID, p2.ID, p3.ID} {
		_, err := f.svc.GrantProxy(ada, "", pid, f.uid("ben"))
		f.must(err)
	}
	f.must(f.svc.RevokeProxy(ada, f.gid, p2.ID))
	_, err := f.svc.Close(f.as("alice"), p3.ID)
	f.must(err)
	gp, err := f.svc.GroupProxiesOf(ada, f.gid)
	f.must(err)
	if gp.Given != nil || len(gp.GivenPolls) != 1 || gp.GivenPolls[0].PollID != p1.ID || gp.GivenPolls[0].GranteeID != f.uid("ben") {
		t.Fatalf("ada's proxies %+v", gp)
	}
	if gp.Titles[p1.ID] != "First" || gp.Titles[p2.ID] != "Second" || gp.Titles[p3.ID] != "" {
		t.Fatalf("titles %+v", gp.Titles)
	}
	held, err := f.svc.GroupProxiesOf(ben, f.gid)
	f.must(err)
	if len(held.GivenPolls) != 0 || len(held.Held) < 1 {
		t.Fatalf("ben's proxies %+v", held)
	}
	// Revoking by group and poll: the poll must be of that group.
	other := f.group(authz.Closed, "alice", "ada", "ben")
	if err := f.svc.RevokeProxy(ada, other, p1.ID); err == nil {
		t.Fatal("revoked through another group")
	}
}
