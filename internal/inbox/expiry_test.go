package inbox_test

import (
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/cores"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/inbox"
	"github.com/quorum-app/quorum/internal/replyaddr"
)

// An expired held message answers like a missing one, even before the
// table's TTL removes it: it can no longer be seen, confirmed or decided.
func TestExpiredHeldIsGone(t *testing.T) {
	s := newScene(t)
	f := s.f
	out := f.deliver("", eml("Alice <"+s.alice.email+">", "x", "Re: Spring planting", "Late"), s.aliceReply(), inbox.FailingVerdicts())
	if out.Result != inbox.HeldMail {
		t.Fatalf("not held: %+v", out)
	}
	if _, err := f.inbox.HeldMessage(s.alice.ctx, out.HeldID); err != nil {
		t.Fatalf("fresh held message: %v", err)
	}
	cfg := f.a.Config
	later := inbox.New(inbox.Config{Store: f.a.Store, Raw: inbox.S3Raw{Client: f.a.Clients.S3}, InboundBucket: cfg.InboundBucket,
		InboundPrefix: "raw/", Tokens: replyaddr.NewTokens(cfg.SigningKey, cfg.MailDomain), People: cores.People{Accounts: f.a.Accounts},
		Discussions: f.a.Discussions, Decisions: f.a.Decisions, Groups: f.a.Groups, Mail: f.sent, MailFrom: cfg.MailFrom,
		BaseURL: cfg.BaseURL.String(), SigningKey: cfg.SigningKey, Now: func() time.Time { return time.Now().Add(15 * 24 * time.Hour) }})
	if _, err := later.HeldMessage(s.alice.ctx, out.HeldID); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("expired held message: %v", err)
	}
	if _, err := later.ConfirmHeld(s.alice.ctx, out.HeldID); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("confirm an expired held message: %v", err)
	}
	if n := len(f.comments(s.bob, s.tid)); n != 0 {
		t.Fatalf("%d comments", n)
	}
}

// Group admins discard held mail without blocking, and manage sender rules.
func TestDiscardGroupHeldAndSenders(t *testing.T) {
	s := newScene(t)
	f := s.f
	to := s.handle + "@" + f.inbox.Domain()
	stranger := f.addr("stranger@elsewhere.example")
	out := f.deliver("", eml(stranger, to, "Hello", "Hi"), to, passing)
	if out.Result != inbox.HeldMail {
		t.Fatalf("not held: %+v", out)
	}
	if err := f.inbox.DiscardGroupHeld(s.alice.ctx, s.gid, out.HeldID); domain.ErrorCode(err) != domain.Forbidden {
		t.Fatalf("a member discards: %v", err)
	}
	if err := f.inbox.DiscardGroupHeld(s.bob.ctx, s.gid, out.HeldID); err != nil {
		t.Fatalf("admin discards: %v", err)
	}
	if err := f.inbox.DiscardGroupHeld(s.bob.ctx, s.gid, out.HeldID); err != inbox.ErrHeldDecided {
		t.Fatalf("discard twice: %v", err)
	}
	again := f.deliver("", eml(stranger, to, "Hello again", "Hi"), to, passing)
	if again.Result != inbox.HeldMail {
		t.Fatalf("a discard blocked the sender: %+v", again)
	}
	if err := f.inbox.BlockSender(s.bob.ctx, s.gid, again.HeldID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.inbox.GroupSenders(s.alice.ctx, s.gid); domain.ErrorCode(err) != domain.Forbidden {
		t.Fatalf("a member lists senders: %v", err)
	}
	rules, err := f.inbox.GroupSenders(s.bob.ctx, s.gid)
	if err != nil || len(rules) != 1 || rules[0].Kind != inbox.RuleBlock || rules[0].Address != stranger {
		t.Fatalf("rules: %+v %v", rules, err)
	}
	if err := f.inbox.RemoveSender(s.bob.ctx, s.gid, "block-nothex"); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("remove a malformed rule: %v", err)
	}
	if err := f.inbox.RemoveSender(s.bob.ctx, s.gid, rules[0].ID); err != nil {
		t.Fatal(err)
	}
	if out := f.deliver("", eml(stranger, to, "Back", "Hi"), to, passing); out.Result != inbox.HeldMail {
		t.Fatalf("after unblocking: %+v", out)
	}
}
