package decision_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
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
	rep, err := f.svc.Tick(context.Background(), f.clock.Now())
	f.must(err)
	if rep.Withdrawals != 0 || rep.Failed != 1 {
		t.Fatalf("tick during the outage: %+v", rep)
	}
	// Recovered: the next run withdraws; later runs do nothing.
	decision.SetWithdrawFault(f.svc, nil)
	for i, want := range []int{1, 0} {
		rep, err := f.svc.Tick(context.Background(), f.clock.Now())
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
	f.clock.Add(time.Minute)
	_, err = f.groups.Join(f.as("bob"), gid)
	f.must(err)
	_, err = f.svc.Vote(f.as("bob"), p.ID, decision.VoteInput{Ballot: one("disagree")})
	f.must(err)
	decision.SetWithdrawFault(f.svc, nil)
	rep, err = f.svc.Tick(context.Background(), f.clock.Now())
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
	rep, err = f.svc.Tick(context.Background(), f.clock.Now())
	f.must(err)
	if rep.Withdrawals != 0 || rep.Failed != 0 {
		t.Fatalf("queue not empty: %+v", rep)
	}
}

// threadsStub is the discussion core as the decision core sees it: threads
// of one group whose guests are the guest items in the table.
type threadsStub struct {
	gid string
	st  *store.Store
}

func (s threadsStub) ThreadGroup(context.Context, string) (string, error) { return s.gid, nil }

func (threadsStub) AppendEvent(context.Context, string, decision.TimelineEvent) error { return nil }

func (s threadsStub) ThreadGuests(ctx context.Context, tid string) ([]string, error) {
	var rows []struct {
		UserID string `dynamo:"UserID"`
	}
	err := s.st.Table().Get(tabledef.PK, "THREAD#"+tid).Range(tabledef.SK, dynamo.BeginsWith, "GUEST#").All(ctx, &rows)
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.UserID)
	}
	return out, err
}

// guestGrant is a thread guest grant as the discussion core stores it.
type guestGrant struct {
	store.Item
	GroupID  string `dynamo:"GroupID"`
	UserID   string `dynamo:"UserID"`
	Kind     string `dynamo:"Kind"`
	TargetID string `dynamo:"TargetID"`
}

// A guest removed from a thread leaves the voter set of its polls that
// invite its guests: their ballots there are withdrawn like those of a
// member who leaves (queued, retried by Tick during an outage), not in
// another thread's polls, and not for someone who is a member as well.
func TestGuestRemovedWithdrawalIsRetriedByTick(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Closed, "ann", "bob")
	svc := decision.New(decision.Config{Store: f.st, Groups: f.groups, Notifier: f.notes, Now: f.clock.Now, Threads: threadsStub{gid, f.st}})
	ctx := context.Background()
	tid, other := "t1"+f.tag, "t2"+f.tag
	grant := func(who, tid string) {
		uid := f.uid(who)
		f.must(f.st.Table().Put(&guestGrant{Item: store.Item{PK: "THREAD#" + tid, SK: "GUEST#" + uid, GSI1PK: "USER#" + uid,
			GSI1SK: "GUEST#" + gid + "#thread#" + tid, Type: "guest", Version: 1}, GroupID: gid, UserID: uid, Kind: "thread", TargetID: tid}).Run(ctx))
	}
	revoke := func(who, tid string) {
		f.must(f.st.Table().Delete(tabledef.PK, "THREAD#"+tid).Range(tabledef.SK, "GUEST#"+f.uid(who)).Run(ctx))
	}
	grant("gus", tid)
	grant("gus", other)
	grant("bob", tid) // a member who is a guest as well
	invite := func(tid string, on bool) decision.Poll {
		p, err := svc.Create(f.as("ann"), decision.CreateInput{GroupID: gid, ThreadID: tid,
			Definition: f.definition(poll.TypeProposal, func(d *poll.Definition) { d.Settings.ThreadGuestsMayVote = on })})
		f.must(err)
		return p
	}
	inv, plain, elsewhere := invite(tid, true), invite(tid, false), invite(other, true)
	figures := func(pid string) (eligible, decided int64) {
		t.Helper()
		r, err := svc.Results(f.as("ann"), pid)
		f.must(err)
		return r.Results.Eligible, r.Results.Decided
	}
	for _, pid := range []string{inv.ID, elsewhere.ID} {
		for _, who := range []string{"gus", "bob"} {
			_, err := svc.Vote(f.as(who), pid, decision.VoteInput{Ballot: one("agree")})
			f.must(err)
		}
	}
	if _, err := svc.Vote(f.as("gus"), plain.ID, decision.VoteInput{Ballot: one("agree")}); code(err) != domain.Forbidden {
		t.Fatalf("guest voted where guests are not invited: %v", err)
	}
	if el, dec := figures(inv.ID); el != 3 || dec != 2 {
		t.Fatalf("invited guest: eligible %d decided %d, want 3 and 2", el, dec)
	}
	if el, _ := figures(plain.ID); el != 2 {
		t.Fatalf("uninvited guest counted: eligible %d", el)
	}

	outage := domain.Errorf(domain.Unavailable, "storage did not answer in time")
	decision.SetWithdrawFault(svc, func(string, string) error { return outage })
	revoke("gus", tid)
	revoke("bob", tid)
	if err := svc.GuestRemoved(ctx, gid, tid, f.uid("gus")); !errors.Is(err, outage) {
		t.Fatalf("hook during the outage: %v", err)
	}
	if rep, err := svc.Tick(ctx, f.clock.Now()); err != nil || rep.Withdrawals != 0 || rep.Failed != 1 {
		t.Fatalf("tick during the outage: %+v %v", rep, err)
	}
	decision.SetWithdrawFault(svc, nil)
	f.must(svc.GuestRemoved(ctx, gid, tid, f.uid("bob"))) // still a member: nothing to withdraw
	for i, want := range []int{1, 0} {
		rep, err := svc.Tick(ctx, f.clock.Now())
		if err != nil || rep.Withdrawals != want || rep.Failed != 0 {
			t.Fatalf("tick %d after recovery: %+v %v", i, rep, err)
		}
	}
	if el, dec := figures(inv.ID); el != 2 || dec != 1 {
		t.Errorf("after the guest's removal: eligible %d decided %d, want 2 and 1 (bob's ballot stays)", el, dec)
	}
	if el, dec := figures(elsewhere.ID); el != 3 || dec != 2 {
		t.Errorf("the other thread's poll: eligible %d decided %d, want 3 and 2", el, dec)
	}
	if _, err := svc.Vote(f.as("gus"), inv.ID, decision.VoteInput{Ballot: one("agree")}); code(err) != domain.Forbidden {
		t.Errorf("former guest votes: %v", err)
	}
	for _, pid := range []string{inv.ID, elsewhere.ID} {
		if rep, err := svc.Recount(ctx, pid); err != nil || len(rep.Differences) != 0 {
			t.Errorf("recount %s: %+v %v", pid, rep, err)
		}
	}
	if err := svc.GuestRemoved(ctx, gid, "bad id!", f.uid("gus")); code(err) != domain.Invalid {
		t.Errorf("invalid thread id: %v", err)
	}
}
