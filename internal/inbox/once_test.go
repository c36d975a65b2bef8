package inbox_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/cores"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/inbound"
	"github.com/quorum-app/quorum/internal/inbox"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/replyaddr"
)

// sentMatching counts the mail the service sent to addr whose text matches re.
func (f *fx) sentMatching(addr string, re *regexp.Regexp) int {
	n := 0
	for _, m := range f.sent.To(addr) {
		if re.MatchString(m.Subject + "\n" + m.Text) {
			n++
		}
	}
	return n
}

// twice delivers raw under two SES message ids (one Message-ID header) and
// returns both outcomes.
func (f *fx) twice(raw []byte, to, to2 string, v inbound.Verdicts) (inbox.Outcome, inbox.Outcome) {
	f.t.Helper()
	return f.deliver("", raw, to, v), f.deliver("", raw, to2, v)
}

// One message arriving twice (a sender's retry, or one message to two
// Quorum addresses: two SES message ids, one Message-ID) acts once: one
// comment, one held item and notice, one vote confirmation, one thread.
func TestSameMessageTwiceActsOnce(t *testing.T) {
	s := newScene(t)
	f := s.f
	groupAddr := s.handle + "@" + f.a.Config.MailDomain

	t.Run("reply", func(t *testing.T) {
		raw := eml(s.alice.email, "x", "Re: Spring planting", "Tulips!")
		first, second := f.twice(raw, s.aliceReply(), s.aliceReply(), passing)
		if first.Result != inbox.Posted || second.Result != inbox.Duplicate || second.Previous != inbox.Posted ||
			second.CommentID != first.CommentID || second.MessageID == first.MessageID {
			t.Fatalf("first %+v\nsecond %+v", first, second)
		}
		if n := countBody(f.comments(s.bob, s.tid), "Tulips!"); n != 1 {
			t.Fatalf("%d comments", n)
		}
		// The same message to another of alice's addresses (another thread).
		other := f.thread(s.bob, s.gid)
		to := f.replyAddr(replyaddr.Token{UserID: s.alice.id, Kind: replyaddr.KindThread, ThreadID: other})
		if out := f.deliver("", raw, to, passing); out.Result != inbox.Duplicate {
			t.Fatalf("to a second address: %+v", out)
		}
		if n := len(f.comments(s.bob, other)); n != 0 {
			t.Fatalf("%d comments in the second thread", n)
		}
		// Another account's message with the same Message-ID is its own.
		if out := f.deliver("", []byte(strings.Replace(string(raw), s.alice.email, s.bob.email, 1)),
			f.replyAddr(replyaddr.Token{UserID: s.bob.id, Kind: replyaddr.KindThread, ThreadID: s.tid}), passing); out.Result != inbox.Posted {
			t.Fatalf("bob's message: %+v", out)
		}
	})

	t.Run("held", func(t *testing.T) {
		before := f.sentMatching(s.alice.email, heldLink)
		raw := eml("Alice <"+s.alice.email+">", "x", "Re: Spring planting", "From my phone")
		first, second := f.twice(raw, s.aliceReply(), s.aliceReply(), inbox.FailingVerdicts())
		if first.Result != inbox.HeldMail || second.Result != inbox.Duplicate || second.Previous != inbox.HeldMail || second.HeldID != first.HeldID {
			t.Fatalf("first %+v\nsecond %+v", first, second)
		}
		if n := f.sentMatching(s.alice.email, heldLink) - before; n != 1 {
			t.Fatalf("%d held notices", n)
		}
	})

	t.Run("vote", func(t *testing.T) {
		to := f.replyAddr(replyaddr.Token{UserID: s.alice.id, Kind: replyaddr.KindPoll, PollID: s.proposal("Plant tulips")})
		recorded := regexp.MustCompile(`was (recorded|changed)`)
		before := f.sentMatching(s.alice.email, recorded)
		first, second := f.twice(eml(s.alice.email, "x", "Re: Plant tulips", "agree"), to, to, passing)
		if first.Result != inbox.Voted || second.Result != inbox.Duplicate || second.Previous != inbox.Voted {
			t.Fatalf("first %+v\nsecond %+v", first, second)
		}
		if n := f.sentMatching(s.alice.email, recorded) - before; n != 1 {
			t.Fatalf("%d vote confirmations", n)
		}
	})

	t.Run("group", func(t *testing.T) {
		raw := eml(s.alice.email, groupAddr, "Seed order", "Here is the list.")
		first, second := f.twice(raw, groupAddr, groupAddr, passing)
		if first.Result != inbox.Started || second.Result != inbox.Duplicate || second.ThreadID != first.ThreadID {
			t.Fatalf("first %+v\nsecond %+v", first, second)
		}
		// Mail from a stranger, held for the admins: once, one notice.
		adminNotice := regexp.MustCompile(`/held-mail`)
		before := f.sentMatching(s.bob.email, adminNotice)
		raw = eml(f.addr("stranger@example.net"), groupAddr, "Hello", "Hi all")
		first, second = f.twice(raw, groupAddr, groupAddr, passing)
		if first.Result != inbox.HeldMail || second.Result != inbox.Duplicate || second.HeldID != first.HeldID {
			t.Fatalf("first %+v\nsecond %+v", first, second)
		}
		if list, err := f.inbox.GroupHeld(s.bob.ctx, s.gid); err != nil || len(list) != 1 {
			t.Fatalf("held list: %+v %v", list, err)
		}
		if n := f.sentMatching(s.bob.email, adminNotice) - before; n != 1 {
			t.Fatalf("%d admin notices", n)
		}
		// The same message to another group is that group's.
		other := "other-" + f.tag
		f.group(s.bob, other, s.alice)
		otherAddr := other + "@" + f.a.Config.MailDomain
		if out := f.deliver("", eml(s.alice.email, otherAddr, "Seed order", "Here is the list."), otherAddr, passing); out.Result != inbox.Started {
			t.Fatalf("other group: %+v", out)
		}
	})
}

func countBody(items []discussion.Item, body string) int {
	n := 0
	for _, it := range items {
		if it.Body == body {
			n++
		}
	}
	return n
}

// failing is a mail sender that is down.
type failing struct{}

func (failing) Send(context.Context, mail.Message) (string, error) {
	return "", errors.New("SES is unavailable")
}

// A first delivery that failed half way (held, but its notice could not be
// sent) and was not retried: the second delivery of the message carries on
// in its name, finds its held item and sends the one notice. While the
// first delivery is still being processed, the second one waits.
func TestSecondDeliveryFinishesAFailedFirst(t *testing.T) {
	s := newScene(t)
	f := s.f
	cfg := f.a.Config
	down := inbox.New(inbox.Config{Store: f.a.Store, Raw: inbox.S3Raw{Client: f.a.Clients.S3}, InboundBucket: cfg.InboundBucket,
		InboundPrefix: "raw/", Tokens: replyaddr.NewTokens(cfg.SigningKey, cfg.MailDomain), People: cores.People{Accounts: f.a.Accounts},
		Discussions: f.a.Discussions, Decisions: f.a.Decisions, Groups: f.a.Groups, Mail: failing{}, MailFrom: cfg.MailFrom,
		BaseURL: cfg.BaseURL.String(), SigningKey: cfg.SigningKey})
	raw := eml("Alice <"+s.alice.email+">", "x", "Re: Spring planting", "Held once")
	firstID := inbox.NewMessageID()
	key := "raw/" + firstID
	if err := (inbox.S3Raw{Client: f.a.Clients.S3}).Put(context.Background(), cfg.InboundBucket, key, raw); err != nil {
		t.Fatal(err)
	}
	_, err := down.Process(context.Background(), inbox.Delivery{MessageID: firstID, Bucket: cfg.InboundBucket, Key: key,
		Recipients: []string{s.aliceReply()}, Verdicts: inbox.FailingVerdicts()})
	if err == nil {
		t.Fatal("the first delivery succeeded without mail")
	}
	// Pretend the first delivery is being retried right now.
	err = f.a.Store.Update("INBOUND#"+firstID, "INBOUND").Set("LeaseUntil", time.Now().Add(time.Minute).UnixMilli()).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	secondID := inbox.NewMessageID()
	if _, err := f.process(secondID, raw, s.aliceReply(), inbox.FailingVerdicts()); err != inbox.ErrBusy {
		t.Fatalf("while the first is processed: %v", err)
	}
	// It was not retried after all (its lease lapsed).
	if err := f.a.Store.Update("INBOUND#"+firstID, "INBOUND").Set("LeaseUntil", 0).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := f.deliver(secondID, raw, s.aliceReply(), inbox.FailingVerdicts())
	if out.Result != inbox.HeldMail || !out.Repeat || !out.Replied || out.MessageID != secondID {
		t.Fatalf("second delivery: %+v", out)
	}
	if n := f.sentMatching(s.alice.email, heldLink); n != 1 {
		t.Fatalf("%d held notices", n)
	}
	h, err := f.inbox.HeldMessage(s.alice.ctx, out.HeldID)
	if err != nil || h.Text != "Held once" {
		t.Fatalf("held: %+v %v", h, err)
	}
	// The first delivery's own retry meets the same held item.
	if again := f.deliver(firstID, raw, s.aliceReply(), inbox.FailingVerdicts()); again.Result != inbox.HeldMail || !again.Repeat || again.HeldID != out.HeldID {
		t.Fatalf("first delivery's retry: %+v", again)
	}
	if n := f.sentMatching(s.alice.email, heldLink); n != 1 {
		t.Fatalf("%d held notices after the retry", n)
	}
}

// make mail-in MESSAGE_ID=... (InjectAs): the same SES message id again is
// SES's redelivery, a new id with the same file another copy of the same
// message; both are duplicates.
func TestInjectAsShowsRedelivery(t *testing.T) {
	s := newScene(t)
	f := s.f
	raw := eml(s.alice.email, s.aliceReply(), "Re: Spring planting", "Once, please.")
	ctx := context.Background()
	first, err := f.inbox.InjectAs(ctx, "local-1", raw, nil, passing)
	if err != nil || first.Result != inbox.Posted || first.MessageID != "local-1" {
		t.Fatalf("first: %+v %v", first, err)
	}
	again, err := f.inbox.InjectAs(ctx, "local-1", raw, nil, passing)
	if err != nil || again.Result != inbox.Duplicate || again.Previous != inbox.Posted {
		t.Fatalf("same SES id: %+v %v", again, err)
	}
	other, err := f.inbox.Inject(ctx, raw, nil, passing)
	if err != nil || other.Result != inbox.Duplicate || other.MessageID == "local-1" || other.CommentID != first.CommentID {
		t.Fatalf("same Message-ID: %+v %v", other, err)
	}
	if _, err := f.inbox.InjectAs(ctx, "../raw/x", raw, nil, passing); err == nil {
		t.Fatal("a malformed SES message id was accepted")
	}
	if n := countBody(f.comments(s.bob, s.tid), "Once, please."); n != 1 {
		t.Fatalf("%d comments", n)
	}
}
