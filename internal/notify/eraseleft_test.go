package notify

import (
	"context"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
)

// The notifications about an erased group in the lists of people who had
// left it before (no membership leads the erasure to them) go with the
// group's sweep: each person's unread count drops by their unread ones,
// other groups' notifications stay, no progress item is left, and a
// repeated sweep changes nothing.
func TestGroupSweepErasesNotificationsOfPeopleWhoLeft(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ada, ben := f.person("Ada").ID, f.person("Ben").ID
	f.notify(
		Notification{UserID: ada, Kind: Reply, GroupID: "g1", ThreadID: "t1"},
		Notification{UserID: ada, Kind: Reply, GroupID: "g2", ThreadID: "t2"},
		Notification{UserID: ben, Kind: Reply, GroupID: "g1", ThreadID: "t1"},
		Notification{UserID: ben, Kind: Reply, GroupID: "g1", ThreadID: "t1"},
	)
	sweep := func() {
		t.Helper()
		for i := 0; ; i++ {
			done, err := f.notes.GroupSweep().EraseGroup(ctx, "g1")
			if err != nil {
				t.Fatal(err)
			}
			if done {
				return
			}
			if i > 100 {
				t.Fatal("the sweep never finishes")
			}
		}
	}
	sweep()
	for _, p := range []struct {
		uid    string
		left   int
		unread int64
	}{{ada, 1, 1}, {ben, 0, 0}} {
		me := authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: p.uid})
		page, err := f.notes.List(me, "", 50)
		if err != nil || len(page.Items) != p.left {
			t.Fatalf("%s: %d left (%v), want %d", p.uid, len(page.Items), err, p.left)
		}
		for _, n := range page.Items {
			if n.GroupID == "g1" {
				t.Errorf("a notification about the erased group is left: %+v", n)
			}
		}
		if c, err := f.notes.UnreadCount(me); err != nil || c != p.unread {
			t.Errorf("%s: unread %d %v, want %d", p.uid, c, err, p.unread)
		}
	}
	var prog counterItem // any entity: only the item's presence matters
	if err := f.notes.st.Get(ctx, leftScanPK("g1"), leftScanSK, &prog); err == nil {
		t.Error("the sweep's progress item is left")
	}
	sweep()
	me := authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: ada})
	if c, err := f.notes.UnreadCount(me); err != nil || c != 1 {
		t.Errorf("unread after a second sweep %d %v, want 1", c, err)
	}
}
