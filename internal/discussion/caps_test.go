package discussion_test

import (
	"context"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
)

// The thread page's controls come from the core: each capability is what
// the policy would allow, asked once per page.
func TestThreadCapsFollowThePolicy(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice") // the group's admin
	bob, _ := f.user("Bob")     // a member, the thread's author
	carol, _ := f.user("Carol") // not a member of the closed group
	gid := f.group(alice, authz.Closed, bob)
	th := f.thread(bob, gid, "Budget")
	c := f.comment(bob, th.ID, "", "first")

	admin := f.svc.Caps(alice, th)
	if !admin.SignedIn || !admin.Comment || !admin.Pin || !admin.Move || !admin.Moderate {
		t.Errorf("admin: %+v", admin)
	}
	author := f.svc.Caps(bob, th)
	if !author.Comment || !author.Edit || author.Pin || author.Move {
		t.Errorf("author: %+v", author)
	}
	if edit, _ := author.ForComment(c); !edit {
		t.Error("bob may not edit his own comment")
	}
	// The core refuses alice an edit of bob's comment (the default
	// flags); the control is not shown either.
	if edit, _ := admin.ForComment(c); edit {
		t.Error("alice is offered an edit of bob's comment")
	}
	outsider := f.svc.Caps(carol, th)
	if !outsider.SignedIn || outsider.Comment || outsider.Edit || outsider.Pin || outsider.Move || outsider.Fork {
		t.Errorf("outsider: %+v", outsider)
	}
	anon := authz.WithActor(context.Background(), authz.Actor{Kind: authz.Anonymous})
	if got := f.svc.Caps(anon, th); got.SignedIn || got.Comment || got.Edit {
		t.Errorf("anonymous: %+v", got)
	}
	if edit, del := f.svc.Caps(anon, th).ForComment(c); edit || del {
		t.Error("anonymous is offered a comment control")
	}
}
