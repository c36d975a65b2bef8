package inbox

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/inbound"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/replyaddr"
)

// Mail this service sends. Every message goes to a verified account
// address (never to the From of an inbound message), carries the loop
// header and Auto-Submitted: auto-replied (so other robots do not answer
// it and our own inbound path drops it if it comes back), and holds no
// text written by the inbound message's sender except the claimed address
// and subject: a forged message cannot use Quorum to mail its content.

// notice is one email to one person.
type notice struct {
	to      group.Person
	subject string
	text    string
	// inReplyTo threads the notice under the message it answers.
	inReplyTo string
}

var msgIDRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\x21-\x3b\x3d\x3f-\x7e]{1,250}$`) }) // compiled on first use, not at every cold start // printable, no < or >

func (s *Service) headers(n notice) map[string]string {
	h := map[string]string{inbound.LoopHeader: s.Domain(), "Auto-Submitted": "auto-replied"}
	if n.inReplyTo != "" && msgIDRE().MatchString(n.inReplyTo) {
		h["In-Reply-To"] = "<" + n.inReplyTo + ">"
		h["References"] = "<" + n.inReplyTo + ">"
	}
	return h
}

// send delivers a notice; errors are returned (the caller retries).
func (s *Service) send(ctx context.Context, n notice) error {
	if n.to.Email == "" {
		return domain.Errorf(domain.Internal, "no address to write to")
	}
	text := n.text + "\n\n-- \nQuorum · " + s.base + "\nThis is an automatic message; replies to it are not read.\n"
	_, err := s.sender.Send(ctx, mailMessage(s.from, n.to.Email, n.subject, text, s.headers(n)))
	return err
}

// tell sends a notice whose failure must not undo the work it reports
// (logged, reported as not replied).
func (s *Service) tell(ctx context.Context, n notice) bool {
	if n.to.Email == "" {
		return false
	}
	if err := s.send(ctx, n); err != nil {
		s.log.WarnContext(ctx, "inbound notice not sent", "err", err)
		return false
	}
	return true
}

func msgID(m *inbound.Message) string {
	if m == nil {
		return ""
	}
	return m.MessageID
}

func subjectLine(prefix, title string) string {
	title = strings.Join(strings.Fields(title), " ")
	if title == "" {
		return prefix
	}
	return truncateRunes(prefix+": “"+title+"”", 200)
}

func greeting(p group.Person) string {
	if p.Name != "" {
		return "Hello " + p.Name + ","
	}
	return "Hello,"
}

func (s *Service) heldReplyMail(user group.Person, m *inbound.Message, h *heldItem) notice {
	what := "a reply"
	if h.TokenKind == replyaddr.KindPoll.String() {
		what = "a vote"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\nQuorum received %s by email in your name", greeting(user), what)
	if h.Target != "" {
		fmt.Fprintf(&b, " for “%s”", h.Target)
	}
	fmt.Fprintf(&b, ", sent from %s, but could not confirm that it came from you", h.FromAddress)
	b.WriteString(", so it was not posted.\n\n")
	fmt.Fprintf(&b, "If you sent it, sign in and confirm it here:\n%s\n\n", s.link("/mail/held/"+pathID(h.ID)))
	fmt.Fprintf(&b, "The link works until %s (UTC). If you did not send it, ignore this email: nothing will be posted.",
		h.Expires.UTC().Format("2 January 2006 15:04"))
	if len(h.Files) > 0 {
		fmt.Fprintf(&b, "\n\nThe message has %d attachment(s); they are checked when you confirm.", len(h.Files))
	}
	return notice{to: user, subject: subjectLine("Confirm your emailed "+strings.TrimPrefix(what, "a "), h.Target), text: b.String(), inReplyTo: msgID(m)}
}

func (s *Service) heldGroupMail(admin group.Person, h *heldItem) notice {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\nA message sent to your group's address from %s is waiting for an admin", greeting(admin), h.FromAddress)
	b.WriteString(" because Quorum could not match it to a member of the group")
	if h.SenderUserID != "" {
		b.WriteString(" with a verified sender")
	}
	fmt.Fprintf(&b, ".\n\nReview it (allow it as a new thread, or block the sender):\n%s\n\n", s.link("/groups/"+pathID(h.GroupID)+"/held-mail"))
	fmt.Fprintf(&b, "Held messages expire on %s (UTC).", h.Expires.UTC().Format("2 January 2006"))
	return notice{to: admin, subject: "A message to your group is waiting for review", text: b.String()}
}

func (s *Service) rejectedMail(user group.Person, m *inbound.Message, title string, reason error) notice {
	why := "it could not be posted"
	if reason != nil {
		why = domain.ErrorMessage(reason)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\nYour email", greeting(user))
	if title != "" {
		fmt.Fprintf(&b, " about “%s”", title)
	}
	fmt.Fprintf(&b, " was not posted: %s.\n\nNothing was posted. You can still take part on the web: %s", strings.TrimSuffix(why, "."), s.link("/dashboard"))
	return notice{to: user, subject: subjectLine("Your email was not posted", title), text: b.String(), inReplyTo: msgID(m)}
}

func (s *Service) skippedMail(user group.Person, m *inbound.Message, link string, skipped []discussion.SkippedFile) notice {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\nYour email was posted, but these attachments were not kept:\n", greeting(user))
	for _, f := range skipped {
		fmt.Fprintf(&b, "  - %s: %s\n", f.Name, strings.TrimSuffix(f.Reason, "."))
	}
	fmt.Fprintf(&b, "\nYou can attach files on the web: %s", link)
	return notice{to: user, subject: "Some attachments were not kept", text: b.String(), inReplyTo: msgID(m)}
}

func (s *Service) helpMail(user group.Person, m *inbound.Message, p decision.Poll, help string) notice {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n%s\n\nYou can also vote on the web: %s", greeting(user), help, s.link("/polls/"+pathID(p.ID)))
	return notice{to: user, subject: subjectLine("How to vote by email", p.Definition.Title), text: b.String(), inReplyTo: msgID(m)}
}

// ballotSummary says a ballot in words, e.g. "Agree" or "Alpha 4, Beta 2".
func ballotSummary(d poll.Definition, b poll.Ballot) string {
	if b.NoneOfTheAbove {
		return "none of the above"
	}
	labels := map[string]string{}
	for _, o := range d.Options {
		labels[o.ID] = o.Label
		if d.Type == poll.TypeMeeting && !o.Start.IsZero() {
			labels[o.ID] = o.Start.UTC().Format("Mon 2 Jan 2006 15:04 MST")
		}
	}
	var parts []string
	for i, c := range b.Choices {
		l := labels[c.OptionID]
		switch d.Type {
		case poll.TypeScore, poll.TypeDotVote:
			l = fmt.Sprintf("%s %d", l, c.Score)
		case poll.TypeMeeting:
			l = fmt.Sprintf("%s: %s", l, map[int]string{0: "no", 1: "maybe", 2: "yes"}[c.Score])
		case poll.TypeRankedChoice:
			l = fmt.Sprintf("%d. %s", i+1, l)
		}
		parts = append(parts, l)
	}
	if len(parts) == 0 {
		return "your answer"
	}
	return strings.Join(parts, ", ")
}

func (s *Service) votedMail(user group.Person, m *inbound.Message, p decision.Poll, res decision.VoteResult) notice {
	verb := "recorded"
	if res.Changed {
		verb = "changed"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\nYour vote in “%s” was %s: %s.", greeting(user), p.Definition.Title, verb, ballotSummary(p.Definition, res.Ballot))
	if res.Ballot.Reason != "" {
		fmt.Fprintf(&b, "\n\nYour reason:\n%s", quote(truncateRunes(res.Ballot.Reason, 2000)))
	}
	fmt.Fprintf(&b, "\n\nTo change or undo it, reply again with another vote, or go to the poll:\n%s", s.link("/polls/"+pathID(p.ID)))
	return notice{to: user, subject: subjectLine("Your vote was "+verb, p.Definition.Title), text: b.String(), inReplyTo: msgID(m)}
}

func quote(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = "> " + l
	}
	return strings.Join(lines, "\n")
}

func mailMessage(from, to, subject, text string, headers map[string]string) mail.Message {
	return mail.Message{From: from, To: []string{to}, Subject: subject, Text: text, Headers: headers}
}
