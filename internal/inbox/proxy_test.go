package inbox_test

import (
	"regexp"
	"testing"

	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/inbox"
	"github.com/quorum-app/quorum/internal/replyaddr"
)

// TestProxyVoteByEmail: Alice holds Bob's proxy; her reply "For Bob:
// agree" votes for him (the confirmation says for whom), her plain reply
// is her own vote, and a name she holds no proxy of is refused.
func TestProxyVoteByEmail(t *testing.T) {
	s := newScene(t)
	f := s.f
	on := true
	g, err := f.a.Groups.Get(s.bob.ctx, s.gid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.Groups.Update(s.bob.ctx, s.gid, group.UpdateInput{Version: g.Version, Permissions: &group.FlagsPatch{ProxyVoting: &on}}); err != nil {
		t.Fatal(err)
	}
	pid := s.proposal("Plant tulips")
	if _, err := f.a.Decisions.GrantProxy(s.bob.ctx, "", pid, s.alice.id); err != nil {
		t.Fatal(err)
	}
	to := f.replyAddr(replyaddr.Token{UserID: s.alice.id, Kind: replyaddr.KindPoll, PollID: pid})
	out := f.deliver("", eml(s.alice.email, "x", "Re: Plant tulips", "For Bob: agree\nHe asked me to."), to, passing)
	if out.Result != inbox.Voted {
		t.Fatalf("vote for bob: %+v", out)
	}
	f.waitMail(s.alice.email, regexp.MustCompile(`You voted for .*Bob.* with their proxy`))
	bob, err := f.a.Decisions.Mine(s.bob.ctx, pid)
	if err != nil || !bob.Voted || bob.CastBy != s.alice.id || bob.Ballot.Reason != "He asked me to." {
		t.Fatalf("bob's ballot: %+v %v", bob, err)
	}
	alice, err := f.a.Decisions.Mine(s.alice.ctx, pid)
	if err != nil || alice.Voted {
		t.Fatalf("alice's own ballot after voting for bob: %+v %v", alice, err)
	}
	out = f.deliver("", eml(s.alice.email, "x", "Re: Plant tulips", "disagree"), to, passing)
	if out.Result != inbox.Voted {
		t.Fatalf("own vote: %+v", out)
	}
	if alice, _ = f.a.Decisions.Mine(s.alice.ctx, pid); !alice.Voted || alice.CastBy != "" {
		t.Fatalf("alice's own ballot: %+v", alice)
	}
	out = f.deliver("", eml(s.alice.email, "x", "Re: Plant tulips", "For Carl: agree"), to, passing)
	if out.Result != inbox.Rejected {
		t.Fatalf("vote for someone whose proxy she does not hold: %+v", out)
	}
	f.waitMail(s.alice.email, regexp.MustCompile(`do not hold the proxy of anyone named`))
}
