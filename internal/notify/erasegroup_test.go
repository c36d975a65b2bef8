package notify

import (
	"context"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
)

// An erased group's notifications leave a member's list a page at a time
// (the group's and its subgroup's; another group's stay), the unread count
// drops by the unread ones only, and a repeated pass changes nothing.
func TestEraseGroupNotifications(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	uid := f.person("Ada").ID
	me := authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: uid})
	f.notify(
		Notification{UserID: uid, Kind: Reply, GroupID: "g1", ThreadID: "t1"},
		Notification{UserID: uid, Kind: Reply, GroupID: "g2", ThreadID: "t2"},
		Notification{UserID: uid, Kind: Reply, GroupID: "sub1", ThreadID: "t3"},
		Notification{UserID: uid, Kind: Reply, GroupID: "g1", ThreadID: "t1"},
		Notification{UserID: uid, Kind: Reply, GroupID: "g1", ThreadID: "t1"},
	)
	page, err := f.notes.List(me, "", 50)
	if err != nil || len(page.Items) != 5 {
		t.Fatalf("list: %d %v", len(page.Items), err)
	}
	// One of g1's is read: the count must not drop for it.
	for _, n := range page.Items {
		if n.GroupID == "g1" {
			if err := f.notes.MarkRead(me, n.ID); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	erase := func() int {
		t.Helper()
		after, total := "", 0
		for i := 0; ; i++ {
			next, n, err := f.notes.EraseGroupNotifications(ctx, uid, []string{"g1", "sub1"}, after, 2)
			if err != nil {
				t.Fatal(err)
			}
			if n > 2 || i > 10 {
				t.Fatalf("step %d deleted %d", i, n)
			}
			total += n
			if next == "" {
				return total
			}
			after = next
		}
	}
	if n := erase(); n != 4 {
		t.Fatalf("deleted %d, want 4", n)
	}
	page, err = f.notes.List(me, "", 50)
	if err != nil || len(page.Items) != 1 || page.Items[0].GroupID != "g2" {
		t.Fatalf("left: %+v %v", page.Items, err)
	}
	if c, err := f.notes.UnreadCount(me); err != nil || c != 1 {
		t.Fatalf("unread %d %v, want 1", c, err)
	}
	if n := erase(); n != 0 {
		t.Fatalf("second pass deleted %d", n)
	}
	if c, err := f.notes.UnreadCount(me); err != nil || c != 1 {
		t.Fatalf("unread after second pass %d %v", c, err)
	}
}
