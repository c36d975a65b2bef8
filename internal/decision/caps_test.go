package decision_test

import (
	"context"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/poll"
)

// The poll page's admin, reopen and react controls come from the core and
// agree with what it enforces.
func TestPollCapsFollowThePolicy(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Closed, "ann", "bob", "cat")
	ann, bob, cat, out := f.as("ann"), f.as("bob"), f.as("cat"), f.as("out")
	p := f.create(bob, gid, f.definition(poll.TypePoll, nil))
	anon := authz.WithActor(context.Background(), authz.Actor{Kind: authz.Anonymous})

	for _, c := range []struct {
		who          string
		ctx          context.Context
		admin, react bool
	}{
		{"group admin", ann, true, true},
		{"author", bob, true, true},
		{"member", cat, false, true},
		{"outsider", out, false, false},
		{"anonymous", anon, false, false},
	} {
		if got := f.svc.CanAdmin(c.ctx, p); got != c.admin {
			t.Errorf("%s: CanAdmin %v, want %v", c.who, got, c.admin)
		}
		if got := f.svc.CanReact(c.ctx, p); got != c.react {
			t.Errorf("%s: CanReact %v, want %v", c.who, got, c.react)
		}
	}
	// The member may not close it, as the control says; the author may.
	if _, err := f.svc.Close(cat, p.ID); code(err) != domain.Forbidden {
		t.Fatalf("a member closes the poll: %v", err)
	}
	closed, err := f.svc.Close(bob, p.ID)
	f.must(err)
	// Reopening a closed poll: the group's admin (authz.PollReopen), not
	// a member; the core then lets the admin reopen it.
	if !f.svc.CanReopen(ann, closed) || f.svc.CanReopen(cat, closed) {
		t.Errorf("reopen: admin %v, member %v", f.svc.CanReopen(ann, closed), f.svc.CanReopen(cat, closed))
	}
	if _, err := f.svc.Reopen(cat, p.ID, *f.closing(48 * time.Hour)); code(err) != domain.Forbidden {
		t.Errorf("a member reopens: %v", err)
	}
	_, err = f.svc.Reopen(ann, p.ID, *f.closing(48 * time.Hour))
	f.must(err)
}
