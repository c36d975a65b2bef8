package discussion_test

import (
	"context"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/notify"
)

// Edits notify only the people they mention for the first time, only if
// those can see the thread and their level wants mentions; a new thread's
// description mentions are notified as mentions (not twice).
func TestEditsNotifyNewMentionsOnly(t *testing.T) {
	f := newFixture(t)
	alice, aid := f.user("Alice Smith")
	bob, bid := f.user("Bob")
	carol, _ := f.user("Carol")
	dave, _ := f.user("Dave")
	eve, _ := f.user("Eve") // not a member of the secret group
	gid := f.group(alice, authz.Secret, bob, carol, dave)
	f.must(f.svc.SetGroupLevel(carol, gid, notify.Quiet))
	f.must(f.svc.SetGroupLevel(dave, gid, notify.Mute))

	count := func(ctx context.Context) int64 {
		f.drain()
		f.t.Helper()
		n, err := f.notes.UnreadCount(ctx)
		f.must(err)
		return n
	}
	latest := func(ctx context.Context) notify.Notification {
		f.t.Helper()
		f.drain()
		l, err := f.notes.List(ctx, "", 1)
		f.must(err)
		if len(l.Items) == 0 {
			t.Fatal("no notification")
		}
		return l.Items[0]
	}
	// A description mention at creation: carol (quiet) hears it as a mention.
	th, err := f.svc.StartThread(alice, discussion.StartInput{GroupID: gid, Title: "Plans", Description: "@Carol what do you think?"})
	f.must(err)
	if count(carol) != 1 || latest(carol).Kind != notify.Mention || count(bob) != 1 || latest(bob).Kind != notify.NewThread || count(dave) != 0 {
		t.Fatalf("creation: carol %d bob %d dave %d", count(carol), count(bob), count(dave))
	}

	c := f.comment(bob, th.ID, "", "hello @Carol")
	if count(carol) != 2 || count(alice) != 0 {
		t.Fatalf("comment: carol %d alice %d", count(carol), count(alice))
	}
	// The edit adds alice, eve (cannot see the thread) and dave (muted).
	ed, err := f.svc.EditComment(bob, th.ID, c.ID, "hello @Carol and @AliceSmith, also @Eve and @Dave", c.Version)
	f.must(err)
	if count(alice) != 1 || count(carol) != 2 || count(eve) != 0 || count(dave) != 0 || count(bob) != 1 {
		t.Fatalf("after edit: alice %d carol %d eve %d dave %d bob %d", count(alice), count(carol), count(eve), count(dave), count(bob))
	}
	if n := latest(alice); n.Kind != notify.Mention || n.CommentID != c.ID || n.ActorID != bid || n.ThreadID != th.ID {
		t.Fatalf("alice's notification %+v", n)
	}
	// Editing again with the same people mentions nobody new; dropping and
	// re-adding alice later does not notify her twice in one edit either.
	ed, err = f.svc.EditComment(bob, th.ID, c.ID, "hello @Carol and @AliceSmith (edited), also @Eve and @Dave", ed.Version)
	f.must(err)
	if count(alice) != 1 || count(carol) != 2 {
		t.Fatalf("after second edit: alice %d carol %d", count(alice), count(carol))
	}
	// Mentioning oneself in an edit notifies nobody.
	_, err = f.svc.EditComment(bob, th.ID, c.ID, "@Bob notes to self, @Carol", ed.Version)
	f.must(err)
	if count(bob) != 1 || count(carol) != 2 {
		t.Fatalf("self mention: bob %d carol %d", count(bob), count(carol))
	}

	// Thread description edits: bob is new, carol was already mentioned.
	cur, err := f.svc.Thread(alice, th.ID)
	f.must(err)
	desc := "@Carol what do you think? And @Bob?"
	upd, err := f.svc.UpdateThread(alice, th.ID, discussion.UpdateInput{Description: &desc, Version: cur.Version})
	f.must(err)
	if count(bob) != 2 || latest(bob).Kind != notify.Mention || latest(bob).ActorID != aid || count(carol) != 2 {
		t.Fatalf("description edit: bob %d carol %d", count(bob), count(carol))
	}
	title := "Plans, renamed"
	_, err = f.svc.UpdateThread(alice, th.ID, discussion.UpdateInput{Title: &title, Version: upd.Version})
	f.must(err)
	if count(bob) != 2 || count(carol) != 2 {
		t.Fatalf("title edit notified: bob %d carol %d", count(bob), count(carol))
	}
}
