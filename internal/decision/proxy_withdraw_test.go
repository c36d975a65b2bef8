package decision_test

import (
	"errors"
	"testing"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/domain"
)

// TestProxyWithdrawsGrantorsVote: Ben, who holds Ada's proxy, withdraws the
// vote he cast for her (the tally loses it, the proxy stays, an audit
// entry); nobody else can; a vote Ada cast herself cannot be withdrawn by
// him; her own later vote still overrides.
func TestProxyWithdrawsGrantorsVote(t *testing.T) {
	f := newProxyFixture(t)
	p := f.poll(nil)
	ada, ben, cat := f.as("ada"), f.as("ben"), f.as("cat")
	if err := f.svc.WithdrawFor(ben, p.ID, f.uid("ada")); !errors.Is(err, decision.ErrNoProxy) {
		t.Fatalf("withdraw without a proxy: %v", err)
	}
	_, err := f.svc.GrantProxy(ada, "", p.ID, f.uid("ben"))
	f.must(err)
	if err := f.svc.WithdrawFor(ben, p.ID, f.uid("ada")); !errors.Is(err, decision.ErrNoProxyBallot) {
		t.Fatalf("withdraw before any vote: %v", err)
	}
	_, err = f.svc.Vote(ben, p.ID, decision.VoteInput{Ballot: agree(), For: f.uid("ada")})
	f.must(err)
	if err := f.svc.WithdrawFor(cat, p.ID, f.uid("ada")); !errors.Is(err, decision.ErrNoProxy) {
		t.Fatalf("someone else withdraws Ada's vote: %v", err)
	}
	if rep := f.recountClean(p.ID); rep.Ballots != 1 {
		t.Fatalf("before: %+v", rep)
	}
	f.must(f.svc.WithdrawFor(ben, p.ID, f.uid("ada")))
	if rep := f.recountClean(p.ID); rep.Ballots != 0 || rep.Stored.Decided != 0 {
		t.Fatalf("after the withdrawal: %+v", rep)
	}
	mine, err := f.svc.Mine(ada, p.ID)
	f.must(err)
	if mine.Voted {
		t.Fatalf("ada still has a ballot %+v", mine)
	}
	// The proxy stays: Ben may vote for her again.
	pp, err := f.svc.PollProxiesOf(ben, p.ID)
	f.must(err)
	if len(pp.Held) != 1 || pp.Held[0].Ballot != nil {
		t.Fatalf("ben's proxies after withdrawing %+v", pp.Held)
	}
	_, err = f.svc.Vote(ben, p.ID, decision.VoteInput{Ballot: agree(), For: f.uid("ada")})
	f.must(err)
	// Ada votes herself: her vote can no longer be withdrawn by Ben.
	_, err = f.svc.Vote(ada, p.ID, decision.VoteInput{Ballot: agree()})
	f.must(err)
	if err := f.svc.WithdrawFor(ben, p.ID, f.uid("ada")); !errors.Is(err, decision.ErrGrantorVoted) {
		t.Fatalf("withdraw Ada's own vote: %v", err)
	}
	if rep := f.recountClean(p.ID); rep.Ballots != 1 {
		t.Fatalf("ada's own vote: %+v", rep)
	}
	if n := f.actions()[audit.ProxyWithdrawn]; n != 1 {
		t.Fatalf("audit entries of withdrawals: %d", n)
	}
}

// TestProxyWithdrawStandingAndClosed: a proxy for every poll withdraws
// too; not once the poll closed, not after proxy voting was turned off.
func TestProxyWithdrawStandingAndClosed(t *testing.T) {
	f := newProxyFixture(t)
	p := f.poll(nil)
	ada, ben := f.as("ada"), f.as("ben")
	_, err := f.svc.GrantProxy(ada, f.gid, "", f.uid("ben"))
	f.must(err)
	_, err = f.svc.Vote(ben, p.ID, decision.VoteInput{Ballot: agree(), For: f.uid("ada")})
	f.must(err)
	f.setFlag(false)
	if err := f.svc.WithdrawFor(ben, p.ID, f.uid("ada")); code(err) != domain.Forbidden {
		t.Fatalf("withdraw with proxy voting off: %v", err)
	}
	f.setFlag(true)
	f.must(f.svc.WithdrawFor(ben, p.ID, f.uid("ada")))
	_, err = f.svc.Vote(ben, p.ID, decision.VoteInput{Ballot: agree(), For: f.uid("ada")})
	f.must(err)
	_, err = f.svc.Close(f.as("alice"), p.ID)
	f.must(err)
	if err := f.svc.WithdrawFor(ben, p.ID, f.uid("ada")); !errors.Is(err, decision.ErrPollClosed) {
		t.Fatalf("withdraw in a closed poll: %v", err)
	}
}
