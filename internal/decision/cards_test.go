package decision_test

import (
	"reflect"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/poll"
)

// Cards answers what Get, Mine, Results, GetOutcome and Ballots answer,
// poll by poll, for the polls the viewer may see; others' drafts, unknown
// ids and polls past MaxCards are left out.
func TestCardsAgreeWithTheSingleCalls(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Closed, "ada", "ben", "cy")
	ada, ben, cy := f.as("ada"), f.as("ben"), f.as("cy")
	open := f.create(ada, gid, f.definition(poll.TypeProposal, nil))
	hidden := f.create(ada, gid, f.definition(poll.TypeProposal, func(d *poll.Definition) { d.Settings.HideResults = poll.HideUntilVote }))
	anon := f.create(ada, gid, f.definition(poll.TypePoll, func(d *poll.Definition) { d.Settings.Anonymous = true }))
	draft := f.create(ada, gid, f.definition(poll.TypeCheck, func(d *poll.Definition) { d.Settings.ClosingAt = nil }))
	for _, p := range []decision.Poll{open, hidden} {
		b := one(poll.OptionAgree)
		b.Reason = "because"
		_, err := f.svc.Vote(ben, p.ID, decision.VoteInput{Ballot: b})
		f.must(err)
	}
	b := one("a")
	b.Reason = "secret reason"
	_, err := f.svc.Vote(ben, anon.ID, decision.VoteInput{Ballot: b})
	f.must(err)

	for _, name := range []string{"ada", "ben", "cy"} {
		cards, err := f.svc.Cards(f.as(name), []string{open.ID, hidden.ID, anon.ID, draft.ID, "nosuchpoll", open.ID}, 3)
		f.must(err)
		want := 3
		if name == "ada" {
			want = 4 // her draft
		}
		if len(cards) != want {
			t.Fatalf("%s: %d cards, want %d", name, len(cards), want)
		}
		for _, card := range cards {
			pid := card.Poll.ID
			g, err := f.svc.Get(f.as(name), pid)
			f.must(err)
			m, err := f.svc.Mine(f.as(name), pid)
			f.must(err)
			r, err := f.svc.Results(f.as(name), pid)
			f.must(err)
			if !reflect.DeepEqual(card.Poll, g) || !reflect.DeepEqual(card.Mine, m) || !reflect.DeepEqual(card.Results, r) {
				t.Errorf("%s, poll %s: card %+v differs from Get/Mine/Results %+v %+v %+v", name, pid, card, g, m, r)
			}
			bl, err := f.svc.Ballots(f.as(name), pid, "", 50)
			f.must(err)
			if bl.Hidden != nil && len(card.Stances) > 0 {
				t.Errorf("%s, poll %s: reasons on a card whose ballots are hidden", name, pid)
			}
			if pid == anon.ID && len(card.Stances) == 1 && card.Stances[0].UserID != "" {
				t.Errorf("anonymous reason carries a user id")
			}
		}
		// Cy has not voted: the hidden poll hides its reasons from him.
		if name == "cy" && (cards[1].Results.Hidden == nil || len(cards[1].Stances) != 0) {
			t.Errorf("cy's hidden card: %+v", cards[1])
		}
		if name == "cy" && (len(cards[0].Stances) != 1 || cards[0].Stances[0].Reason != "because") {
			t.Errorf("cy's open card's reasons: %+v", cards[0].Stances)
		}
	}
	// An outsider gets no card.
	cards, err := f.svc.Cards(f.as("zed"), []string{open.ID}, 3)
	if err != nil || len(cards) != 0 {
		t.Errorf("outsider: %v %v", cards, err)
	}
	// The bound.
	var many []string
	for range decision.MaxCards + 2 {
		many = append(many, f.create(ada, gid, f.definition(poll.TypeCheck, nil)).ID)
	}
	cards, err = f.svc.Cards(ada, many, 0)
	f.must(err)
	if len(cards) != decision.MaxCards {
		t.Errorf("%d cards for %d polls, want %d", len(cards), len(many), decision.MaxCards)
	}
	// The outcome.
	_, err = f.svc.Close(ada, open.ID)
	f.must(err)
	_, err = f.svc.SetOutcome(ada, open.ID, decision.OutcomeInput{Statement: "Done."})
	f.must(err)
	cards, err = f.svc.Cards(cy, []string{open.ID}, 3)
	f.must(err)
	if len(cards) != 1 || cards[0].Outcome == nil || cards[0].Outcome.Statement != "Done." || cards[0].Poll.Status != poll.StatusClosed {
		t.Errorf("closed card: %+v", cards)
	}
}

// A card names the poll's voters (with or without a reason) under the
// stances' rule: never an anonymous poll's, never while the results are
// hidden from the viewer, none without stances asked for.
func TestCardVoters(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Closed, "ada", "ben", "cy")
	ada, ben, cy := f.as("ada"), f.as("ben"), f.as("cy")
	open := f.create(ada, gid, f.definition(poll.TypeProposal, nil))
	hidden := f.create(ada, gid, f.definition(poll.TypeProposal, func(d *poll.Definition) { d.Settings.HideResults = poll.HideUntilVote }))
	anon := f.create(ada, gid, f.definition(poll.TypePoll, func(d *poll.Definition) { d.Settings.Anonymous = true }))
	for _, p := range []decision.Poll{open, hidden} {
		_, err := f.svc.Vote(ben, p.ID, decision.VoteInput{Ballot: one(poll.OptionAgree)}) // no reason
		f.must(err)
	}
	_, err := f.svc.Vote(ada, open.ID, decision.VoteInput{Ballot: one(poll.OptionAgree)})
	f.must(err)
	_, err = f.svc.Vote(ben, anon.ID, decision.VoteInput{Ballot: one("a")})
	f.must(err)

	cards, err := f.svc.Cards(cy, []string{open.ID, hidden.ID, anon.ID}, 3)
	f.must(err)
	if len(cards) != 3 {
		t.Fatalf("%d cards", len(cards))
	}
	got := map[string]bool{}
	for _, v := range cards[0].Voters {
		got[v] = true
	}
	if len(cards[0].Voters) != 2 || !got[f.uid("ada")] || !got[f.uid("ben")] {
		t.Errorf("open poll's voters %v, want ada and ben", cards[0].Voters)
	}
	if len(cards[1].Voters) != 0 {
		t.Errorf("results hidden from cy, yet voters %v", cards[1].Voters)
	}
	if len(cards[2].Voters) != 0 {
		t.Errorf("anonymous poll names its voters %v", cards[2].Voters)
	}
	// Once cy voted, the hidden poll's voters are his to see.
	_, err = f.svc.Vote(cy, hidden.ID, decision.VoteInput{Ballot: one(poll.OptionAgree)})
	f.must(err)
	cards, err = f.svc.Cards(cy, []string{hidden.ID}, 3)
	f.must(err)
	if len(cards) != 1 || len(cards[0].Voters) != 2 {
		t.Errorf("after voting, hidden poll's voters: %+v", cards)
	}
	// Without stances, no ballots are read: no voters.
	cards, err = f.svc.Cards(cy, []string{open.ID}, 0)
	f.must(err)
	if len(cards) != 1 || cards[0].Voters != nil {
		t.Errorf("no stances asked, voters %v", cards[0].Voters)
	}
}
