package inbox_test

import (
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/inbox"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/replyaddr"
)

// localPart fails the test unless addr's local part fits RFC 5321's 64 octets.
func localPart(t *testing.T, addr string) string {
	t.Helper()
	local, _, _ := strings.Cut(addr, "@")
	if len(local) > 64 {
		t.Fatalf("%s: the local part has %d octets, more than RFC 5321's 64", addr, len(local))
	}
	return local
}

// A reply to a comment email answers that comment: the address (63 octets)
// names the notification the email was sent for, which names the thread
// and the comment. Nobody else's notification can be named.
func TestReplyToACommentEmail(t *testing.T) {
	s := newScene(t)
	f := s.f
	mine, err := f.a.Discussions.Comment(s.alice.ctx, s.tid, discussion.CommentInput{Body: "Tulips or roses?"})
	if err != nil {
		t.Fatal(err)
	}
	answer, err := f.a.Discussions.Comment(s.bob.ctx, s.tid, discussion.CommentInput{ParentID: mine.ID, Body: "Roses."})
	if err != nil {
		t.Fatal(err)
	}
	list, err := f.a.Notifications.List(s.alice.ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	var n notify.Notification
	for _, it := range list.Items {
		if it.Kind == notify.Reply && it.CommentID == answer.ID {
			n = it
		}
	}
	if n.ID == "" {
		t.Fatalf("no reply notification for alice: %+v", list.Items)
	}
	to := f.replyAddr(replyaddr.Token{UserID: s.alice.id, Kind: replyaddr.KindComment, NotificationID: n.ID})
	localPart(t, to)
	out := f.deliver("", eml(s.alice.email, "x", "Re: Spring planting", "Roses it is."), to, passing)
	if out.Result != inbox.Posted || out.ThreadID != s.tid {
		t.Fatalf("reply: %+v", out)
	}
	var posted discussion.Item
	for _, it := range f.comments(s.bob, s.tid) {
		if it.ID == out.CommentID {
			posted = it
		}
	}
	if posted.Body != "Roses it is." || posted.ActorID != s.alice.id || (posted.ParentID != answer.ID && posted.ParentID != mine.ID) {
		t.Fatalf("posted %+v, want a reply under %s", posted, answer.ID)
	}

	// Bob's address naming alice's notification: not his, rejected.
	forged := f.replyAddr(replyaddr.Token{UserID: s.bob.id, Kind: replyaddr.KindComment, NotificationID: n.ID})
	if out := f.deliver("", eml(s.bob.email, "x", "Re", "Mine now"), forged, passing); out.Result != inbox.Rejected {
		t.Fatalf("someone else's notification: %+v", out)
	}
}

// Every address Quorum hands out fits in 64 octets: reply addresses of
// every kind (their ids have fixed lengths; the largest key generation
// changes nothing) and group addresses with the longest handle a group
// may have. Both are accepted when mail arrives.
func TestAddressesFitRFC5321(t *testing.T) {
	s := newScene(t)
	f := s.f
	for _, gen := range []int{0, 1 << 31} {
		for _, tok := range []replyaddr.Token{
			{UserID: s.alice.id, Kind: replyaddr.KindThread, ThreadID: s.tid, KeyGeneration: gen},
			{UserID: s.alice.id, Kind: replyaddr.KindPoll, PollID: s.tid, KeyGeneration: gen},
			{UserID: s.alice.id, Kind: replyaddr.KindComment, NotificationID: "ffffffffffffffffffffffff", KeyGeneration: gen},
		} {
			if l := localPart(t, f.replyAddr(tok)); len(l) != 63 {
				t.Errorf("%s: %d octets", tok.Kind, len(l))
			}
		}
	}
	long := strings.Repeat("g", 40-len(f.tag)-1) + "-" + f.tag
	if _, err := f.a.Groups.Create(s.bob.ctx, group.CreateInput{Name: "Long", Handle: long + "x", Privacy: "open"}); err == nil {
		t.Fatal("a 41-character handle was accepted")
	}
	f.group(s.bob, long, s.alice)
	addr := long + "@" + f.a.Config.MailDomain
	localPart(t, addr)
	if out := f.deliver("", eml(s.alice.email, addr, "Hello", "Long handles work."), addr, passing); out.Result != inbox.Started {
		t.Fatalf("mail to %s: %+v", addr, out)
	}
	// A reply address works end to end.
	if out := f.deliver("", eml(s.alice.email, "x", "Re", "Short enough."), s.aliceReply(), passing); out.Result != inbox.Posted {
		t.Fatalf("reply: %+v", out)
	}
}
