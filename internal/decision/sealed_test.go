package decision_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
)

// A changed vote keeps what it replaced (newest first), bounded, and only
// a real change counts; the ballot list shows it under the results gate.
func TestVoteHistoryKeptAndBounded(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Closed, "ann", "bob")
	ann, bob := f.as("ann"), f.as("bob")
	p := f.create(ann, gid, f.definition(poll.TypePoll, nil))

	first := one("a")
	first.Reason = "First thoughts"
	_, err := f.svc.Vote(bob, p.ID, decision.VoteInput{Ballot: first})
	f.must(err)
	bl, err := f.svc.Ballots(ann, p.ID, "", 10)
	f.must(err)
	if len(bl.Items) != 1 || bl.Items[0].Changed || len(bl.Items[0].History) != 0 {
		t.Fatalf("a first vote has no history: %+v", bl.Items)
	}
	// The same ballot again changes nothing.
	_, err = f.svc.Vote(bob, p.ID, decision.VoteInput{Ballot: first})
	f.must(err)
	second := one("b")
	second.Reason = "Changed my mind"
	_, err = f.svc.Vote(bob, p.ID, decision.VoteInput{Ballot: second})
	f.must(err)
	bl, err = f.svc.Ballots(ann, p.ID, "", 10)
	f.must(err)
	b := bl.Items[0]
	if !b.Changed || len(b.History) != 1 || b.History[0].Choices[0].OptionID != "a" || b.History[0].Reason != "First thoughts" {
		t.Fatalf("history after one change: %+v", b)
	}
	if b.Choices[0].OptionID != "b" || b.History[0].At.IsZero() {
		t.Fatalf("current ballot or time: %+v", b)
	}
	// Bounded: the oldest go first.
	for i := 0; i < decision.MaxBallotHistory+3; i++ {
		next := one([]string{"a", "b", "c"}[i%3])
		next.Reason = fmt.Sprintf("change %d", i)
		_, err = f.svc.Vote(bob, p.ID, decision.VoteInput{Ballot: next})
		f.must(err)
	}
	bl, err = f.svc.Ballots(ann, p.ID, "", 10)
	f.must(err)
	h := bl.Items[0].History
	if len(h) != decision.MaxBallotHistory {
		t.Fatalf("history of %d, want %d", len(h), decision.MaxBallotHistory)
	}
	last := decision.MaxBallotHistory + 3 - 2 // the stance before the current one
	if h[0].Reason != fmt.Sprintf("change %d", last) || h[len(h)-1].Reason != fmt.Sprintf("change %d", last-decision.MaxBallotHistory+1) {
		t.Fatalf("history not the latest, newest first: %q … %q", h[0].Reason, h[len(h)-1].Reason)
	}
	f.recountClean(p.ID)
	// Withdrawing ends the cast and its history; a new cast starts clean.
	f.must(f.svc.Withdraw(bob, p.ID, ""))
	_, err = f.svc.Vote(bob, p.ID, decision.VoteInput{Ballot: first})
	f.must(err)
	bl, err = f.svc.Ballots(ann, p.ID, "", 10)
	f.must(err)
	if bl.Items[0].Changed || len(bl.Items[0].History) != 0 {
		t.Fatalf("a new cast after withdrawing has history: %+v", bl.Items[0])
	}
}

// The history is part of the ballot list: where results are hidden, so is
// it; anonymous polls keep none; the poll cards' stances carry it.
func TestVoteHistoryHiddenAndNeverAnonymous(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Closed, "ann", "bob", "cat")
	ann, bob, cat := f.as("ann"), f.as("bob"), f.as("cat")
	hidden := f.create(ann, gid, f.definition(poll.TypePoll, func(d *poll.Definition) { d.Settings.HideResults = poll.HideUntilClosed }))
	_, err := f.svc.Vote(bob, hidden.ID, decision.VoteInput{Ballot: one("a")})
	f.must(err)
	_, err = f.svc.Vote(bob, hidden.ID, decision.VoteInput{Ballot: one("b")})
	f.must(err)
	bl, err := f.svc.Ballots(cat, hidden.ID, "", 10)
	f.must(err)
	if bl.Hidden == nil || len(bl.Items) != 0 {
		t.Fatalf("hidden results leak the ballots: %+v", bl)
	}
	cards, err := f.svc.Cards(cat, []string{hidden.ID}, decision.MaxStances)
	f.must(err)
	if len(cards) != 1 || len(cards[0].Stances) != 0 {
		t.Fatalf("card of a hidden poll has stances: %+v", cards)
	}
	_, err = f.svc.Close(ann, hidden.ID)
	f.must(err)
	bl, err = f.svc.Ballots(cat, hidden.ID, "", 10)
	f.must(err)
	if bl.Hidden != nil || len(bl.Items) != 1 || !bl.Items[0].Changed {
		t.Fatalf("after close the change shows: %+v", bl)
	}

	withReason := one("a")
	withReason.Reason = "Because"
	open := f.create(ann, gid, f.definition(poll.TypePoll, nil))
	_, err = f.svc.Vote(bob, open.ID, decision.VoteInput{Ballot: withReason})
	f.must(err)
	withReason.Choices = one("c").Choices
	_, err = f.svc.Vote(bob, open.ID, decision.VoteInput{Ballot: withReason})
	f.must(err)
	cards, err = f.svc.Cards(cat, []string{open.ID}, decision.MaxStances)
	f.must(err)
	if len(cards[0].Stances) != 1 || !cards[0].Stances[0].Changed || cards[0].Stances[0].History[0].Choices[0].OptionID != "a" {
		t.Fatalf("card stance without its history: %+v", cards[0].Stances)
	}

	anon := f.create(ann, gid, f.definition(poll.TypePoll, func(d *poll.Definition) { d.Settings.Anonymous = true }))
	res, err := f.svc.Vote(bob, anon.ID, decision.VoteInput{Ballot: one("a")})
	f.must(err)
	_, err = f.svc.Vote(bob, anon.ID, decision.VoteInput{Ballot: one("b"), Receipt: res.Receipt})
	f.must(err)
	bl, err = f.svc.Ballots(ann, anon.ID, "", 10)
	f.must(err)
	for _, b := range bl.Items {
		if b.Changed || len(b.History) != 0 || b.UserID != "" {
			t.Fatalf("anonymous ballot with history or identity: %+v", b)
		}
	}
	// No item of the poll's partition keeps a history.
	for _, it := range f.scanAll() {
		if pk, ok := it["PK"].(*types.AttributeValueMemberS); !ok || pk.Value != "POLL#"+anon.ID {
			continue
		}
		if _, ok := it["History"]; ok {
			t.Fatalf("an anonymous poll's item keeps a history: %v", it["SK"])
		}
	}
}

// A closed poll is sealed: no vote, change or withdrawal, by the clock as
// well as by its status, and no withdrawal through the removal of a
// specified voter once its closing time has passed.
func TestClosedPollIsSealed(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Closed, "ann", "bob", "cat")
	ann, bob := f.as("ann"), f.as("bob")
	p := f.create(ann, gid, f.definition(poll.TypePoll, func(d *poll.Definition) { d.Settings.SpecifiedVotersOnly = true }),
		f.uid("bob"), f.uid("cat"))
	_, err := f.svc.Vote(bob, p.ID, decision.VoteInput{Ballot: one("a")})
	f.must(err)
	// The closing time passes; the scheduler has not run yet.
	f.clock.Add(73 * time.Hour)
	if _, err := f.svc.Vote(bob, p.ID, decision.VoteInput{Ballot: one("b")}); !errors.Is(err, decision.ErrPollClosed) {
		t.Fatalf("change after the closing time: %v", err)
	}
	if err := f.svc.Withdraw(bob, p.ID, ""); !errors.Is(err, decision.ErrPollClosed) {
		t.Fatalf("withdrawal after the closing time: %v", err)
	}
	if err := f.svc.RemoveVoter(ann, p.ID, f.uid("bob")); !errors.Is(err, decision.ErrPollClosedEdit) {
		t.Fatalf("removing a voter with a ballot after the closing time: %v", err)
	}
	mine, err := f.svc.Mine(bob, p.ID)
	f.must(err)
	if mine.Ballot == nil || mine.Ballot.Choices[0].OptionID != "a" {
		t.Fatalf("sealed ballot changed: %+v", mine)
	}
	// Leaving the group withdraws nothing from a closed poll either.
	f.must(f.svc.MemberLeft(context.Background(), gid, f.uid("bob")))
	bl, err := f.svc.Ballots(ann, p.ID, "", 10)
	f.must(err)
	if len(bl.Items) != 1 {
		t.Fatalf("ballots of a closed poll: %+v", bl.Items)
	}
	// Closed by the scheduler: still sealed.
	_, err = f.svc.Tick(context.Background(), f.clock.Now())
	f.must(err)
	if err := f.svc.Withdraw(ann, p.ID, ""); !errors.Is(err, decision.ErrPollClosed) {
		t.Fatalf("withdrawal after close: %v", err)
	}
	f.recountClean(p.ID)
}

// auditLog records the entries a core adds to its transactions.
type auditLog struct {
	mu      sync.Mutex
	entries []audit.Action
}

func (a *auditLog) Record(_ context.Context, _ *store.Tx, _ string, action audit.Action, _ audit.Target, _ map[string]string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.entries = append(a.entries, action)
	return nil
}

// eventLog is the thread side: it keeps the timeline items appended.
type eventLog struct {
	threadsStub
	mu     *sync.Mutex
	events *[]decision.TimelineEvent
}

func (e eventLog) AppendEvent(_ context.Context, _ string, ev decision.TimelineEvent) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	*e.events = append(*e.events, ev)
	return nil
}

// Only a group admin reopens a closed poll, not its author; the reopening
// is audited and noted in the thread with who did it.
func TestReopenOnlyByGroupAdmin(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Closed, "ann", "bob", "cat")
	rec := &auditLog{}
	var events []decision.TimelineEvent
	svc := decision.New(decision.Config{Store: f.st, Groups: f.groups, Notifier: f.notes, Now: f.clock.Now, Audit: rec,
		Threads: eventLog{threadsStub: threadsStub{gid, f.st}, mu: &sync.Mutex{}, events: &events}})
	ann, bob, cat := f.as("ann"), f.as("bob"), f.as("cat")
	p, err := svc.Create(bob, decision.CreateInput{GroupID: gid, ThreadID: "t1" + f.tag, Definition: f.definition(poll.TypeProposal, nil)})
	f.must(err)
	_, err = svc.Close(bob, p.ID) // the author closes
	f.must(err)
	later := f.clock.Now().Add(24 * time.Hour)
	for name, ctx := range map[string]context.Context{"author": bob, "member": cat} {
		if _, err := svc.Reopen(ctx, p.ID, later); !errors.Is(err, decision.ErrReopenAdminOnly) {
			t.Fatalf("reopen by the %s: %v", name, err)
		}
	}
	if _, err := svc.Reopen(context.Background(), p.ID, later); code(err) != domain.Unauthorized {
		t.Fatalf("reopen signed out: %v", err)
	}
	if len(rec.entries) != 0 {
		t.Fatalf("refused reopenings audited: %v", rec.entries)
	}
	re, err := svc.Reopen(ann, p.ID, later)
	f.must(err)
	if re.Status != poll.StatusOpen {
		t.Fatalf("reopened: %+v", re)
	}
	if len(rec.entries) != 1 || rec.entries[0] != audit.PollReopened {
		t.Fatalf("audit: %v", rec.entries)
	}
	last := events[len(events)-1]
	if last.Kind != decision.EventReopened || last.ActorID != f.uid("ann") || last.PollID != p.ID {
		t.Fatalf("timeline note: %+v", last)
	}
}

// Editing an outcome keeps what it replaced (newest first), who edited and
// when; the first author stays the outcome's author.
func TestOutcomeEditHistory(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Closed, "ann", "bob", "cat")
	ann, bob, cat := f.as("ann"), f.as("bob"), f.as("cat")
	p := f.create(bob, gid, f.definition(poll.TypeProposal, nil))
	_, err := f.svc.Close(bob, p.ID)
	f.must(err)
	o, err := f.svc.SetOutcome(bob, p.ID, decision.OutcomeInput{Statement: "We agreed."})
	f.must(err)
	h, err := f.svc.OutcomeHistory(cat, p.ID)
	f.must(err)
	if len(h) != 0 {
		t.Fatalf("history of a new outcome: %+v", h)
	}
	// Saving the same text adds nothing.
	o, err = f.svc.SetOutcome(bob, p.ID, decision.OutcomeInput{Statement: "We agreed.", Version: o.Version})
	f.must(err)
	f.clock.Add(time.Minute)
	o, err = f.svc.SetOutcome(bob, p.ID, decision.OutcomeInput{Statement: "We agreed, with a change.", Version: o.Version})
	f.must(err)
	f.clock.Add(time.Minute)
	_, err = f.svc.SetOutcome(ann, p.ID, decision.OutcomeInput{Statement: "Final wording.", Version: o.Version})
	f.must(err)
	if _, err := f.svc.SetOutcome(cat, p.ID, decision.OutcomeInput{Statement: "Mine"}); code(err) != domain.Forbidden {
		t.Fatalf("outcome edit by a member: %v", err)
	}
	h, err = f.svc.OutcomeHistory(cat, p.ID)
	f.must(err)
	if len(h) != 2 || h[0].Before.Statement != "We agreed, with a change." || h[0].EditorID != f.uid("ann") ||
		h[1].Before.Statement != "We agreed." || h[1].EditorID != f.uid("bob") || !h[0].At.After(h[1].At) {
		t.Fatalf("outcome history: %+v", h)
	}
	got, err := f.svc.GetOutcome(cat, p.ID)
	f.must(err)
	if got.Statement != "Final wording." || got.AuthorID != f.uid("bob") {
		t.Fatalf("outcome: %+v", got)
	}
	if _, err := f.svc.OutcomeHistory(f.as("dan"), p.ID); code(err) != domain.Forbidden {
		t.Fatalf("outsider reads the history: %v", err)
	}
}
