package decision_test

import (
	"context"
	"errors"
	"testing"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/metering"
	"github.com/quorum-app/quorum/internal/poll"
)

// proxyFixture: group of admin alice with members ada, ben, cat and dan,
// proxy voting enabled, the decision service recording to an audit log.
type proxyFixture struct {
	*fixture
	gid     string
	auditor *audit.Service
}

func newProxyFixture(t *testing.T) *proxyFixture {
	f := newFixture(t)
	pf := &proxyFixture{fixture: f}
	pf.auditor = audit.New(f.st, f.env.Config.SigningKey, f.groups, f.clock.Now, nil)
	f.svc = decision.New(decision.Config{Store: f.st, Groups: f.groups, Notifier: f.notes, Now: f.clock.Now, Audit: pf.auditor})
	pf.gid = f.group(authz.Closed, "alice", "ada", "ben", "cat", "dan")
	pf.setFlag(true)
	return pf
}

func (f *proxyFixture) setFlag(on bool) {
	f.t.Helper()
	g, err := f.groups.Get(f.as("alice"), f.gid)
	f.must(err)
	_, err = f.groups.Update(f.as("alice"), f.gid, group.UpdateInput{Version: g.Version, Permissions: &group.FlagsPatch{ProxyVoting: &on}})
	f.must(err)
}

// actions are the group's audit actions so far (pending and sealed).
func (f *proxyFixture) actions() map[audit.Action]int {
	f.t.Helper()
	page, err := f.auditor.List(f.as("alice"), f.gid, "", 100)
	f.must(err)
	out := map[audit.Action]int{}
	for _, e := range append(page.Pending, page.Entries...) {
		out[e.Action]++
	}
	return out
}

func (f *proxyFixture) poll(tweak func(*poll.Definition)) decision.Poll {
	return f.create(f.as("alice"), f.gid, f.definition(poll.TypeProposal, tweak))
}

func agree() poll.Ballot { return poll.Ballot{Choices: []poll.Choice{{OptionID: "agree", Score: 1}}} }

func TestProxyOffByDefaultAndForMembersOnly(t *testing.T) {
	f := newProxyFixture(t)
	p := f.poll(nil)
	if _, err := f.svc.GrantProxy(f.as("ada"), "", p.ID, f.uid("alice")+"x"); code(err) != domain.Invalid {
		t.Fatalf("grant to a non-member: %v", err)
	}
	if _, err := f.svc.GrantProxy(f.as("ada"), "", p.ID, f.uid("ada")); code(err) != domain.Invalid {
		t.Fatalf("grant to oneself: %v", err)
	}
	f.setFlag(false)
	if _, err := f.svc.GrantProxy(f.as("ada"), "", p.ID, f.uid("ben")); code(err) != domain.Forbidden {
		t.Fatalf("grant with proxy voting off: %v", err)
	}
	if _, err := f.svc.GrantProxy(f.as("ada"), f.gid, "", f.uid("ben")); code(err) != domain.Forbidden {
		t.Fatalf("standing grant with proxy voting off: %v", err)
	}
}

// TestProxyVoteAndOverride is the main path: Ada gives Ben her proxy for
// a poll, Ben votes for her (her ballot, "cast by Ben"), Ada is told, the
// tally counts one ballot for her; she votes herself, which ends the proxy.
func TestProxyVoteAndOverride(t *testing.T) {
	f := newProxyFixture(t)
	p := f.poll(nil)
	ada, ben := f.as("ada"), f.as("ben")
	if _, err := f.svc.Vote(ben, p.ID, decision.VoteInput{Ballot: agree(), For: f.uid("ada")}); !errors.Is(err, decision.ErrNoProxy) {
		t.Fatalf("vote without a proxy: %v", err)
	}
	g, err := f.svc.GrantProxy(ada, "", p.ID, f.uid("ben"))
	f.must(err)
	if g.PollID != p.ID || g.GranteeID != f.uid("ben") {
		t.Fatalf("grant %+v", g)
	}
	if _, err := f.svc.GrantProxy(ada, "", p.ID, f.uid("cat")); !errors.Is(err, decision.ErrProxyExists) {
		t.Fatalf("second proxy for the same poll: %v", err)
	}
	if _, err := f.svc.Vote(f.as("cat"), p.ID, decision.VoteInput{Ballot: agree(), For: f.uid("ada")}); !errors.Is(err, decision.ErrNoProxy) {
		t.Fatalf("someone else votes for Ada: %v", err)
	}
	pp, err := f.svc.PollProxiesOf(ben, p.ID)
	f.must(err)
	if !pp.Allowed || len(pp.Held) != 1 || pp.Held[0].GrantorID != f.uid("ada") || pp.Held[0].Ballot != nil {
		t.Fatalf("ben's proxies %+v", pp)
	}
	_, err = f.svc.Vote(ben, p.ID, decision.VoteInput{Ballot: agree(), For: f.uid("ada")})
	f.must(err)
	// Ben's own vote is separate; the tally has two ballots.
	_, err = f.svc.Vote(ben, p.ID, decision.VoteInput{Ballot: poll.Ballot{Choices: []poll.Choice{{OptionID: "disagree", Score: 1}}}})
	f.must(err)
	rep := f.recountClean(p.ID)
	if rep.Ballots != 2 || rep.Stored.Decided != 2 {
		t.Fatalf("tally after the proxy vote: %+v", rep)
	}
	mine, err := f.svc.Mine(ada, p.ID)
	f.must(err)
	if !mine.Voted || mine.CastBy != f.uid("ben") {
		t.Fatalf("ada's ballot %+v", mine)
	}
	if n := f.notes.of(decision.NoticeProxyVoted); len(n) != 1 || n[0].Recipients[0] != f.uid("ada") || n[0].ActorID != f.uid("ben") {
		t.Fatalf("notices %+v", n)
	}
	list, err := f.svc.Ballots(f.as("alice"), p.ID, "", 10)
	f.must(err)
	byProxy := 0
	for _, b := range list.Items {
		if b.CastBy != "" {
			byProxy++
			if b.UserID != f.uid("ada") || b.CastBy != f.uid("ben") {
				t.Fatalf("ballot %+v", b)
			}
		}
	}
	if byProxy != 1 {
		t.Fatalf("ballots cast by proxy: %d", byProxy)
	}
	// Ben changes Ada's ballot: still one ballot.
	_, err = f.svc.Vote(ben, p.ID, decision.VoteInput{Ballot: poll.Ballot{Choices: []poll.Choice{{OptionID: "abstain", Score: 1}}}, For: f.uid("ada")})
	f.must(err)
	if rep := f.recountClean(p.ID); rep.Ballots != 2 {
		t.Fatalf("after change: %+v", rep)
	}
	// Ada overrides: her own ballot, the proxy ends for this poll.
	_, err = f.svc.Vote(ada, p.ID, decision.VoteInput{Ballot: agree()})
	f.must(err)
	mine, err = f.svc.Mine(ada, p.ID)
	f.must(err)
	if mine.CastBy != "" {
		t.Fatalf("own vote still marked as cast by %s", mine.CastBy)
	}
	if _, err := f.svc.Vote(ben, p.ID, decision.VoteInput{Ballot: agree(), For: f.uid("ada")}); !errors.Is(err, decision.ErrGrantorVoted) {
		t.Fatalf("proxy vote after the override: %v", err)
	}
	f.must(f.svc.Withdraw(ada, p.ID, ""))
	if _, err := f.svc.Vote(ben, p.ID, decision.VoteInput{Ballot: agree(), For: f.uid("ada")}); !errors.Is(err, decision.ErrGrantorVoted) {
		t.Fatalf("the proxy came back after Ada withdrew: %v", err)
	}
	if pp, _ := f.svc.PollProxiesOf(ben, p.ID); len(pp.Held) != 0 {
		t.Fatalf("ben still holds %+v", pp.Held)
	}
	if rep := f.recountClean(p.ID); rep.Ballots != 1 {
		t.Fatalf("after withdrawal: %+v", rep)
	}
	acts := f.actions()
	if acts[audit.ProxyGranted] != 1 || acts[audit.ProxyUsed] != 2 || acts[audit.ProxyEnded] != 1 {
		t.Fatalf("audit %+v", acts)
	}
}

func TestProxyNeverInAnonymousPolls(t *testing.T) {
	f := newProxyFixture(t)
	p := f.poll(func(d *poll.Definition) { d.Settings.Anonymous = true })
	if _, err := f.svc.GrantProxy(f.as("ada"), "", p.ID, f.uid("ben")); !errors.Is(err, decision.ErrProxyAnonymous) {
		t.Fatalf("grant in an anonymous poll: %v", err)
	}
	// A standing proxy does not reach anonymous polls either.
	_, err := f.svc.GrantProxy(f.as("ada"), f.gid, "", f.uid("ben"))
	f.must(err)
	if _, err := f.svc.Vote(f.as("ben"), p.ID, decision.VoteInput{Ballot: agree(), For: f.uid("ada")}); !errors.Is(err, decision.ErrProxyAnonymous) {
		t.Fatalf("standing proxy used in an anonymous poll: %v", err)
	}
	pp, err := f.svc.PollProxiesOf(f.as("ben"), p.ID)
	f.must(err)
	if pp.Allowed || len(pp.Held) != 0 {
		t.Fatalf("anonymous poll offers proxies: %+v", pp)
	}
}

func TestProxyNoChains(t *testing.T) {
	f := newProxyFixture(t)
	p := f.poll(nil)
	// Ada → Ben (standing). Ben cannot give his; Cat cannot give hers to Ada... no: to Ada is fine,
	// Ada gave hers, so Ada cannot hold one.
	_, err := f.svc.GrantProxy(f.as("ada"), f.gid, "", f.uid("ben"))
	f.must(err)
	if _, err := f.svc.GrantProxy(f.as("ben"), f.gid, "", f.uid("cat")); !errors.Is(err, decision.ErrProxyChain) {
		t.Fatalf("holder passes it on (standing): %v", err)
	}
	if _, err := f.svc.GrantProxy(f.as("ben"), "", p.ID, f.uid("cat")); !errors.Is(err, decision.ErrProxyChain) {
		t.Fatalf("holder passes it on (poll): %v", err)
	}
	if _, err := f.svc.GrantProxy(f.as("cat"), "", p.ID, f.uid("ada")); !errors.Is(err, decision.ErrProxyChain) {
		t.Fatalf("grantor receives one: %v", err)
	}
	if _, err := f.svc.GrantProxy(f.as("cat"), f.gid, "", f.uid("ada")); !errors.Is(err, decision.ErrProxyChain) {
		t.Fatalf("grantor receives a standing one: %v", err)
	}
	// Ben holds two, that's fine.
	_, err = f.svc.GrantProxy(f.as("cat"), "", p.ID, f.uid("ben"))
	f.must(err)
	pp, err := f.svc.PollProxiesOf(f.as("ben"), p.ID)
	f.must(err)
	if len(pp.Held) != 2 {
		t.Fatalf("ben holds %+v", pp.Held)
	}
	// A standing proxy plus one for this poll: one per poll.
	if _, err := f.svc.GrantProxy(f.as("ada"), "", p.ID, f.uid("dan")); !errors.Is(err, decision.ErrProxyExists) {
		t.Fatalf("second proxy over a standing one: %v", err)
	}
	// Revoked for this poll only, Ada may give it to Dan here.
	f.must(f.svc.RevokeProxy(f.as("ada"), "", p.ID))
	_, err = f.svc.GrantProxy(f.as("ada"), "", p.ID, f.uid("dan"))
	f.must(err)
	if _, err := f.svc.Vote(f.as("ben"), p.ID, decision.VoteInput{Ballot: agree(), For: f.uid("ada")}); !errors.Is(err, decision.ErrNoProxy) {
		t.Fatalf("standing holder votes where a poll grant replaced his: %v", err)
	}
	_, err = f.svc.Vote(f.as("dan"), p.ID, decision.VoteInput{Ballot: agree(), For: f.uid("ada")})
	f.must(err)
	// Revoking the standing proxy.
	f.must(f.svc.RevokeProxy(f.as("ada"), f.gid, ""))
	if err := f.svc.RevokeProxy(f.as("ada"), f.gid, ""); !errors.Is(err, decision.ErrNoProxyGiven) {
		t.Fatalf("second revoke: %v", err)
	}
	acts := f.actions()
	if acts[audit.ProxyRevoked] != 2 || acts[audit.ProxyGranted] != 3 || acts[audit.ProxyUsed] != 1 {
		t.Fatalf("audit %+v", acts)
	}
}

func TestRemovedMembersProxiesEnd(t *testing.T) {
	f := newProxyFixture(t)
	p := f.poll(nil)
	_, err := f.svc.GrantProxy(f.as("ada"), f.gid, "", f.uid("ben"))
	f.must(err)
	_, err = f.svc.GrantProxy(f.as("cat"), "", p.ID, f.uid("ben"))
	f.must(err)
	_, err = f.svc.GrantProxy(f.as("dan"), "", p.ID, f.uid("ada"))
	if !errors.Is(err, decision.ErrProxyChain) {
		t.Fatalf("ada gave hers and receives one: %v", err)
	}
	// Ben (grantee) is removed: neither proxy works any more.
	f.must(f.groups.RemoveMember(f.as("alice"), f.gid, f.uid("ben")))
	f.must(f.svc.MemberLeft(context.Background(), f.gid, f.uid("ben")))
	gp, err := f.svc.GroupProxiesOf(f.as("ada"), f.gid)
	f.must(err)
	if gp.Given != nil {
		t.Fatalf("ada's proxy to a removed member is still there: %+v", gp.Given)
	}
	// Ada (grantor) gives it to Dan; then Ada is removed: Dan cannot vote for her.
	_, err = f.svc.GrantProxy(f.as("ada"), f.gid, "", f.uid("dan"))
	f.must(err)
	f.must(f.groups.RemoveMember(f.as("alice"), f.gid, f.uid("ada")))
	if _, err := f.svc.Vote(f.as("dan"), p.ID, decision.VoteInput{Ballot: agree(), For: f.uid("ada")}); !errors.Is(err, decision.ErrNoProxy) {
		t.Fatalf("vote for a removed member (hook not run yet): %v", err)
	}
	f.must(f.svc.MemberLeft(context.Background(), f.gid, f.uid("ada")))
	gp, err = f.svc.GroupProxiesOf(f.as("dan"), f.gid)
	f.must(err)
	if len(gp.Held) != 0 {
		t.Fatalf("dan still holds %+v", gp.Held)
	}
	if f.actions()[audit.ProxyEnded] < 3 {
		t.Fatalf("audit %+v", f.actions())
	}
}

func TestProxyVoteSpecifiedVoters(t *testing.T) {
	f := newProxyFixture(t)
	p := f.create(f.as("alice"), f.gid, f.definition(poll.TypeProposal, func(d *poll.Definition) { d.Settings.SpecifiedVotersOnly = true }), f.uid("ben"))
	_, err := f.svc.GrantProxy(f.as("ada"), "", p.ID, f.uid("ben"))
	f.must(err)
	if _, err := f.svc.Vote(f.as("ben"), p.ID, decision.VoteInput{Ballot: agree(), For: f.uid("ada")}); !errors.Is(err, decision.ErrGrantorNotEligible) {
		t.Fatalf("vote for someone who is not a voter: %v", err)
	}
	if rep := f.recountClean(p.ID); rep.Ballots != 0 {
		t.Fatalf("ballots %+v", rep)
	}
}

// TestVoteCostWithProxies: a vote with a proxy, a change of it, and the
// grantor's own vote that ends it each cost one transaction and two reads,
// as any vote (docs/data-model.md pattern 41c).
func TestVoteCostWithProxies(t *testing.T) {
	f := newProxyFixture(t)
	for _, standing := range []bool{false, true} {
		p := f.poll(nil)
		if standing {
			_, err := f.svc.GrantProxy(f.as("cat"), f.gid, "", f.uid("dan"))
			f.must(err)
		} else {
			_, err := f.svc.GrantProxy(f.as("cat"), "", p.ID, f.uid("dan"))
			f.must(err)
		}
		measure := func(what string, ctx context.Context, in decision.VoteInput) {
			t.Helper()
			ctx, m := metering.NewContext(ctx)
			_, err := f.svc.Vote(ctx, p.ID, in)
			f.must(err)
			s := m.Snapshot()
			tx := s.Operations["DynamoDB.TransactWriteItems"]
			reads := s.Operations["DynamoDB.BatchGetItem"] + s.Operations["DynamoDB.GetItem"] + s.Operations["DynamoDB.Query"]
			if tx != 1 || reads > 2 || s.DynamoDBCalls != tx+reads {
				t.Fatalf("standing=%v %s: %s", standing, what, s)
			}
			t.Logf("standing=%v %s: %s", standing, what, s)
		}
		measure("proxy vote", f.as("dan"), decision.VoteInput{Ballot: agree(), For: f.uid("cat")})
		measure("proxy change", f.as("dan"), decision.VoteInput{Ballot: poll.Ballot{Choices: []poll.Choice{{OptionID: "abstain", Score: 1}}}, For: f.uid("cat")})
		measure("override", f.as("cat"), decision.VoteInput{Ballot: agree()})
		measure("own vote without a proxy", f.as("ben"), decision.VoteInput{Ballot: agree()})
		if standing {
			f.must(f.svc.RevokeProxy(f.as("cat"), f.gid, ""))
		}
	}
}

// TestCardsOfferVoteFor: the thread's poll card lists whom the viewer may
// vote for, and nothing once they voted themselves.
func TestCardsOfferVoteFor(t *testing.T) {
	f := newProxyFixture(t)
	p := f.poll(nil)
	anon := f.poll(func(d *poll.Definition) { d.Settings.Anonymous = true })
	_, err := f.svc.GrantProxy(f.as("ada"), f.gid, "", f.uid("ben"))
	f.must(err)
	cards, err := f.svc.Cards(f.as("ben"), []string{p.ID, anon.ID}, 0)
	f.must(err)
	if len(cards) != 2 || len(cards[0].Proxies) != 1 || cards[0].Proxies[0].GrantorID != f.uid("ada") || len(cards[1].Proxies) != 0 {
		t.Fatalf("cards %+v", cards)
	}
	_, err = f.svc.Vote(f.as("ada"), p.ID, decision.VoteInput{Ballot: agree()})
	f.must(err)
	cards, err = f.svc.Cards(f.as("ben"), []string{p.ID}, 0)
	f.must(err)
	if len(cards[0].Proxies) != 0 {
		t.Fatalf("card still offers a vote for Ada: %+v", cards[0].Proxies)
	}
	cards, err = f.svc.Cards(f.as("cat"), []string{p.ID}, 0)
	f.must(err)
	if len(cards[0].Proxies) != 0 {
		t.Fatalf("cat holds nothing: %+v", cards[0].Proxies)
	}
}

// TestNoChainsThroughAnEndedProxy: who gave a proxy for every poll
// receives none, even in a poll where theirs ended because they voted.
func TestNoChainsThroughAnEndedProxy(t *testing.T) {
	f := newProxyFixture(t)
	p := f.poll(nil)
	_, err := f.svc.GrantProxy(f.as("ada"), f.gid, "", f.uid("ben"))
	f.must(err)
	_, err = f.svc.Vote(f.as("ada"), p.ID, decision.VoteInput{Ballot: agree()})
	f.must(err)
	if _, err := f.svc.GrantProxy(f.as("cat"), "", p.ID, f.uid("ada")); !errors.Is(err, decision.ErrProxyChain) {
		t.Fatalf("proxy to someone who gave theirs for every poll: %v", err)
	}
	pp, err := f.svc.PollProxiesOf(f.as("ada"), p.ID)
	f.must(err)
	if !pp.Ended || pp.Given != nil {
		t.Fatalf("ada's side: %+v", pp)
	}
}
