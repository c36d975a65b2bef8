package decision_test

import (
	"errors"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/poll"
)

// Reactions on a poll, its outcome and its ballots with a reason: the
// comments' allow-list and rule (who may comment may react), one of each
// kind per person, ballots only for those who may read them.
func TestPollReactions(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Closed, "ann", "bob", "cat")
	ann, bob, cat, dan := f.as("ann"), f.as("bob"), f.as("cat"), f.as("dan")
	p := f.create(ann, gid, f.definition(poll.TypeProposal, nil))
	withReason := one("agree")
	withReason.Reason = "Good soil."
	_, err := f.svc.Vote(bob, p.ID, decision.VoteInput{Ballot: withReason})
	f.must(err)
	_, err = f.svc.Vote(cat, p.ID, decision.VoteInput{Ballot: one("agree")}) // no reason
	f.must(err)

	f.must(f.svc.React(bob, p.ID, decision.ReactPoll, "thumbsup", true))
	f.must(f.svc.React(bob, p.ID, decision.ReactPoll, "thumbsup", true)) // once per person
	f.must(f.svc.React(cat, p.ID, decision.ReactPoll, "thumbsup", true))
	f.must(f.svc.React(ann, p.ID, f.uid("bob"), "heart", true))
	if err := f.svc.React(ann, p.ID, decision.ReactPoll, "skull", true); code(err) != domain.Invalid {
		t.Fatalf("reaction outside the allow-list: %v", err)
	}
	if err := f.svc.React(dan, p.ID, decision.ReactPoll, "heart", true); code(err) != domain.Forbidden {
		t.Fatalf("outsider reacts: %v", err)
	}
	if err := f.svc.React(ann, p.ID, f.uid("cat"), "heart", true); !errors.Is(err, decision.ErrNoReactionTarget) {
		t.Fatalf("reaction to a ballot without a reason: %v", err)
	}
	if err := f.svc.React(ann, p.ID, decision.ReactOutcome, "heart", true); !errors.Is(err, decision.ErrNoReactionTarget) {
		t.Fatalf("reaction to a missing outcome: %v", err)
	}
	r, err := f.svc.Reactions(bob, p.ID, []string{f.uid("bob"), f.uid("cat")})
	f.must(err)
	if len(r.Poll) != 1 || r.Poll[0].Name != "thumbsup" || r.Poll[0].Count != 2 || !r.Poll[0].Mine || r.Poll[0].Emoji != "👍" {
		t.Fatalf("poll reactions: %+v", r.Poll)
	}
	if b := r.Ballots[f.uid("bob")]; len(b) != 1 || b[0].Name != "heart" || b[0].Mine {
		t.Fatalf("ballot reactions: %+v", r.Ballots)
	}
	f.must(f.svc.React(bob, p.ID, decision.ReactPoll, "thumbsup", false))
	r, err = f.svc.Reactions(bob, p.ID, nil)
	f.must(err)
	if r.Poll[0].Count != 1 || r.Poll[0].Mine || r.Ballots != nil {
		t.Fatalf("after removing: %+v", r)
	}

	// Closed: the outcome takes reactions too.
	_, err = f.svc.Close(ann, p.ID)
	f.must(err)
	_, err = f.svc.SetOutcome(ann, p.ID, decision.OutcomeInput{Statement: "We agreed."})
	f.must(err)
	f.must(f.svc.React(cat, p.ID, decision.ReactOutcome, "tada", true))
	r, err = f.svc.Reactions(cat, p.ID, nil)
	f.must(err)
	if len(r.Outcome) != 1 || r.Outcome[0].Name != "tada" || !r.Outcome[0].Mine {
		t.Fatalf("outcome reactions: %+v", r.Outcome)
	}

	// Hidden results hide the ballots, and reacting to them.
	h := f.create(ann, gid, f.definition(poll.TypeProposal, func(d *poll.Definition) { d.Settings.HideResults = poll.HideUntilClosed }))
	_, err = f.svc.Vote(bob, h.ID, decision.VoteInput{Ballot: withReason})
	f.must(err)
	if err := f.svc.React(cat, h.ID, f.uid("bob"), "heart", true); !errors.Is(err, decision.ErrResultsHidden) {
		t.Fatalf("reaction to a hidden ballot: %v", err)
	}
	r, err = f.svc.Reactions(cat, h.ID, []string{f.uid("bob")})
	f.must(err)
	if r.Ballots != nil {
		t.Fatalf("hidden ballots' reactions shown: %+v", r.Ballots)
	}
	// Anonymous ballots take none.
	anon := f.create(ann, gid, f.definition(poll.TypeProposal, func(d *poll.Definition) { d.Settings.Anonymous = true }))
	if err := f.svc.React(ann, anon.ID, f.uid("bob"), "heart", true); !errors.Is(err, decision.ErrNoReactionTarget) {
		t.Fatalf("reaction to an anonymous ballot: %v", err)
	}
}
