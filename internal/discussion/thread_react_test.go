package discussion_test

import (
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
)

// Reactions on the thread itself: one of each kind per person, the
// comments' allow-list, shown on the thread's reads with the viewer's own
// marked, refused to those who may not comment and on deleted threads.
func TestThreadReactions(t *testing.T) {
	f := newFixture(t)
	alice, aid := f.user("Alice")
	bob, bid := f.user("Bob")
	eve, _ := f.user("Eve") // not a member of the secret group
	gid := f.group(alice, authz.Secret, bob)
	th := f.thread(alice, gid, "Plans")

	for range 2 { // a retry does not count twice
		f.must(f.svc.ReactThread(bob, th.ID, "heart", true))
	}
	f.must(f.svc.ReactThread(alice, th.ID, "heart", true))
	f.must(f.svc.ReactThread(bob, th.ID, "rocket", true))
	f.must(f.svc.ReactThread(bob, th.ID, "rocket", false))
	f.must(f.svc.ReactThread(alice, th.ID, "thumbsup", true))
	cases := []struct {
		name string
		err  error
		want domain.Code
	}{
		{"unknown kind", f.svc.ReactThread(bob, th.ID, "skull", true), domain.Invalid},
		{"not a member", f.svc.ReactThread(eve, th.ID, "heart", true), domain.NotFound},
		{"bad id", f.svc.ReactThread(bob, "nope", "heart", true), domain.NotFound},
	}
	for _, c := range cases {
		if code(c.err) != c.want {
			t.Errorf("%s: %v, want %s", c.name, c.err, c.want)
		}
	}

	got, err := f.svc.Thread(bob, th.ID)
	f.must(err)
	if len(got.Reactions) != 2 || got.Reactions[0].Name != "thumbsup" || got.Reactions[0].Count != 1 || got.Reactions[0].Mine ||
		got.Reactions[1].Name != "heart" || got.Reactions[1].Count != 2 || !got.Reactions[1].Mine {
		t.Fatalf("thread reactions %+v", got.Reactions)
	}
	p, err := f.svc.Page(alice, th.ID, "", 0)
	f.must(err)
	if rs := p.Thread.Reactions; len(rs) != 2 || !rs[0].Mine || !rs[1].Mine || len(rs[1].Users) != 2 ||
		!(rs[1].Users[0] == aid || rs[1].Users[1] == aid) || !(rs[1].Users[0] == bid || rs[1].Users[1] == bid) {
		t.Fatalf("page reactions %+v", rs)
	}
	// Comments' reactions are not the thread's.
	if len(p.Items) != 0 {
		t.Fatalf("items %+v", p.Items)
	}

	// The personal export carries them (no comment id).
	var found []discussion.ExportReaction
	cursor := ""
	for {
		rows, next, err := f.svc.ExportUser(bob, bid, cursor)
		f.must(err)
		for _, r := range rows {
			if re, ok := r.(discussion.ExportReaction); ok {
				found = append(found, re)
			}
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	if len(found) != 1 || found[0].ThreadID != th.ID || found[0].CommentID != "" || found[0].Reaction != "heart" {
		t.Fatalf("export %+v", found)
	}

	f.must(f.svc.Delete(alice, th.ID))
	if err := f.svc.ReactThread(bob, th.ID, "heart", false); code(err) != domain.NotFound {
		t.Fatalf("react to a deleted thread: %v", err)
	}
}
