package decision_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/poll"
)

// A withdrawal that fails when someone leaves is queued and retried by Tick
// until it succeeds, exactly once; a ballot cast after rejoining is kept.
func TestMemberLeftWithdrawalIsRetriedByTick(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Open, "ann", "bob", "cat")
	ann := f.as("ann")
	p := f.create(ann, gid, f.definition(poll.TypeProposal, nil))
	for _, who := range []string{"bob", "cat"} {
		_, err := f.svc.Vote(f.as(who), p.ID, decision.VoteInput{Ballot: one("agree")})
		f.must(err)
	}
	outage := domain.Errorf(domain.Unavailable, "storage did not answer in time")
	decision.SetWithdrawFault(f.svc, func(string, string) error { return outage })

	f.must(f.groups.Leave(f.as("cat"), gid))
	if err := f.svc.MemberLeft(context.Background(), gid, f.uid("cat")); !errors.Is(err, outage) {
		t.Fatalf("hook during the outage: %v", err)
	}
	if rep := f.recountClean(p.ID); rep.Stored.Decided != 2 {
		t.Fatalf("ballot withdrawn during the outage: %+v", rep.Stored)
	}
	// Still failing: the scheduler counts a failure and keeps the duty.
	rep, err := f.svc.Tick(context.Background(), f.clock.now())
	f.must(err)
	if rep.Withdrawals != 0 || rep.Failed != 1 {
		t.Fatalf("tick during the outage: %+v", rep)
	}
	// Recovered: the next run withdraws; later runs do nothing.
	decision.SetWithdrawFault(f.svc, nil)
	for i, want := range []int{1, 0} {
		rep, err := f.svc.Tick(context.Background(), f.clock.now())
		f.must(err)
		if rep.Withdrawals != want || rep.Failed != 0 {
			t.Fatalf("tick %d after recovery: %+v", i, rep)
		}
	}
	if rep := f.recountClean(p.ID); rep.Stored.Decided != 1 {
		t.Fatalf("after the retry: %+v", rep.Stored)
	}
	if _, err := f.svc.Mine(f.as("bob"), p.ID); err != nil {
		t.Fatalf("bob's ballot: %v", err)
	}

	// Bob leaves during an outage, rejoins later and votes again: the retry
	// clears the duty but keeps the ballot written after rejoining.
	decision.SetWithdrawFault(f.svc, func(string, string) error { return outage })
	f.must(f.groups.Leave(f.as("bob"), gid))
	if err := f.svc.MemberLeft(context.Background(), gid, f.uid("bob")); err == nil {
		t.Fatal("hook succeeded during the outage")
	}
	f.clock.advance(time.Minute)
	_, err = f.groups.Join(f.as("bob"), gid)
	f.must(err)
	_, err = f.svc.Vote(f.as("bob"), p.ID, decision.VoteInput{Ballot: one("disagree")})
	f.must(err)
	decision.SetWithdrawFault(f.svc, nil)
	rep, err = f.svc.Tick(context.Background(), f.clock.now())
	f.must(err)
	if rep.Withdrawals != 1 || rep.Failed != 0 {
		t.Fatalf("tick after rejoining: %+v", rep)
	}
	mine, err := f.svc.Mine(f.as("bob"), p.ID)
	f.must(err)
	if !mine.Voted || mine.Ballot.Choices[0].OptionID != "disagree" {
		t.Fatalf("ballot after rejoining: %+v", mine)
	}
	if rep := f.recountClean(p.ID); rep.Stored.Decided != 1 {
		t.Fatalf("after rejoining: %+v", rep.Stored)
	}

	// Without an outage the hook withdraws at once and leaves no duty.
	f.must(f.groups.Leave(f.as("bob"), gid))
	f.must(f.svc.MemberLeft(context.Background(), gid, f.uid("bob")))
	if rep := f.recountClean(p.ID); rep.Stored.Decided != 0 {
		t.Fatalf("after leaving without an outage: %+v", rep.Stored)
	}
	rep, err = f.svc.Tick(context.Background(), f.clock.now())
	f.must(err)
	if rep.Withdrawals != 0 || rep.Failed != 0 {
		t.Fatalf("queue not empty: %+v", rep)
	}
}
