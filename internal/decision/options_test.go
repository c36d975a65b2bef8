package decision_test

import (
	"context"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/poll"
)

func TestVotersMayAddOptions(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Closed, "ann", "bob", "cat")
	ann, bob, dan := f.as("ann"), f.as("bob"), f.as("dan") // dan is not a member

	p := f.create(ann, gid, f.definition(poll.TypePoll, func(d *poll.Definition) { d.Settings.VotersMayAddOptions = true }))
	_, err := f.svc.Vote(bob, p.ID, decision.VoteInput{Ballot: one("a")})
	f.must(err)
	got, err := f.svc.AddOption(bob, p.ID, poll.Option{Label: "Delta"})
	f.must(err)
	if n := len(got.Definition.Options); n != 4 || got.Definition.Options[3].Label != "Delta" || got.Definition.Options[3].ID == "" {
		t.Fatalf("options after add: %+v", got.Definition.Options)
	}
	newID := got.Definition.Options[3].ID
	// The new option can be voted for at once; the tally stays exact.
	_, err = f.svc.Vote(f.as("cat"), p.ID, decision.VoteInput{Ballot: one(newID)})
	f.must(err)
	f.recountClean(p.ID)

	if _, err := f.svc.AddOption(bob, p.ID, poll.Option{Label: "Delta"}); code(err) != domain.Invalid {
		t.Errorf("duplicate label: %v", err)
	}
	if _, err := f.svc.AddOption(bob, p.ID, poll.Option{Label: ""}); code(err) != domain.Invalid {
		t.Errorf("empty label: %v", err)
	}
	if _, err := f.svc.AddOption(dan, p.ID, poll.Option{Label: "Outsider"}); err == nil {
		t.Error("a non-member added an option")
	}
	if _, err := f.svc.AddOption(context.Background(), p.ID, poll.Option{Label: "Anonymous"}); code(err) != domain.Unauthorized {
		t.Errorf("signed out: %v", err)
	}

	// Not allowed by the settings: voters are refused.
	q := f.create(ann, gid, f.definition(poll.TypePoll, nil))
	if _, err := f.svc.AddOption(bob, q.ID, poll.Option{Label: "Delta"}); code(err) != domain.Forbidden {
		t.Errorf("setting off: %v", err)
	}

	// Closed: voters can no longer add.
	_, err = f.svc.Close(ann, p.ID)
	f.must(err)
	if _, err := f.svc.AddOption(bob, p.ID, poll.Option{Label: "Late"}); code(err) != domain.Conflict {
		t.Errorf("closed poll: %v", err)
	}
}
