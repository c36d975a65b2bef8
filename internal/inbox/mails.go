package inbox

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/i18n"
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

// printer words a notice for p: their language setting, dates in their
// zone (the account read that gave their address gave both).
func (s *Service) printer(p group.Person) *i18n.Printer {
	return s.cat.PrinterIn(p.Lang, p.TimeZone)
}

// send delivers a notice; errors are returned (the caller retries).
func (s *Service) send(ctx context.Context, n notice) error {
	if n.to.Email == "" {
		return domain.Errorf(domain.Internal, "no address to write to")
	}
	text := n.text + "\n\n-- \nQuorum · " + s.base + "\n" + s.printer(n.to).T("email.inbox.footer") + "\n"
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

func subjectLine(p *i18n.Printer, prefix, title string) string {
	title = strings.Join(strings.Fields(title), " ")
	if title == "" {
		return prefix
	}
	return truncateRunes(p.T("email.inbox.subject_about", "Prefix", prefix, "Title", title), 200)
}

func greeting(pr *i18n.Printer, p group.Person) string {
	if p.Name != "" {
		return pr.T("email.inbox.hello_name", "Name", pr.Isolate(p.Name))
	}
	return pr.T("email.inbox.hello")
}

// zoned is a date and time in the reader's language and zone, naming the zone.
func zoned(p *i18n.Printer, t time.Time) string {
	return p.DateTime(t) + " (" + p.Isolate(p.Location().String()) + ")"
}

func (s *Service) heldReplyMail(user group.Person, m *inbound.Message, h *heldItem) notice {
	p := s.printer(user)
	what := "reply"
	if h.TokenKind == replyaddr.KindPoll.String() {
		what = "vote"
	}
	var b strings.Builder
	b.WriteString(greeting(p, user) + "\n\n")
	if h.Target != "" {
		b.WriteString(p.T("email.inbox.held_reply."+what+"_target", "Target", p.Isolate(h.Target), "From", p.Isolate(h.FromAddress)))
	} else {
		b.WriteString(p.T("email.inbox.held_reply."+what, "From", p.Isolate(h.FromAddress)))
	}
	b.WriteString("\n\n" + p.T("email.inbox.held_reply.confirm") + "\n" + s.link("/mail/held/"+pathID(h.ID)) + "\n\n")
	b.WriteString(p.T("email.inbox.held_reply.until", "Date", zoned(p, h.Expires)))
	if len(h.Files) > 0 {
		b.WriteString("\n\n" + p.N("email.inbox.held_reply.files", len(h.Files)))
	}
	return notice{to: user, subject: subjectLine(p, p.T("email.inbox.held_reply.subject_"+what), h.Target), text: b.String(), inReplyTo: msgID(m)}
}

func (s *Service) heldGroupMail(admin group.Person, h *heldItem) notice {
	p := s.printer(admin)
	body := "email.inbox.held_group.body"
	if h.SenderUserID != "" {
		body = "email.inbox.held_group.body_verified"
	}
	text := greeting(p, admin) + "\n\n" + p.T(body, "From", p.Isolate(h.FromAddress)) + "\n\n" + p.T("email.inbox.held_group.review") + "\n" +
		s.link("/groups/"+pathID(h.GroupID)+"/held-mail") + "\n\n" + p.T("email.inbox.held_group.expires", "Date", zoned(p, h.Expires))
	return notice{to: admin, subject: p.T("email.inbox.held_group.subject"), text: text}
}

// rejectedMail says an email was not posted and why, in the user's
// language (refusal; the error's own English text stays in the logs).
func (s *Service) rejectedMail(user group.Person, m *inbound.Message, title string, reason error) notice {
	p := s.printer(user)
	why := refusal(p, reason)
	body := p.T("email.inbox.rejected.body", "Reason", why)
	if title != "" {
		body = p.T("email.inbox.rejected.body_title", "Title", p.Isolate(title), "Reason", why)
	}
	text := greeting(p, user) + "\n\n" + body + "\n\n" + p.T("email.inbox.rejected.web", "Link", s.link("/dashboard"))
	return notice{to: user, subject: subjectLine(p, p.T("email.inbox.rejected.subject"), title), text: text, inReplyTo: msgID(m)}
}

func (s *Service) skippedMail(user group.Person, m *inbound.Message, link string, skipped []discussion.SkippedFile) notice {
	p := s.printer(user)
	var b strings.Builder
	b.WriteString(greeting(p, user) + "\n\n" + p.T("email.inbox.skipped.body") + "\n")
	for _, f := range skipped {
		fmt.Fprintf(&b, "  - %s: %s\n", p.Isolate(f.Name), skipReason(p, f))
	}
	b.WriteString("\n" + p.T("email.inbox.skipped.web", "Link", link))
	return notice{to: user, subject: p.T("email.inbox.skipped.subject"), text: b.String(), inReplyTo: msgID(m)}
}

// helpMail says why a vote could not be read and how to vote by email,
// in the voter's language.
func (s *Service) helpMail(user group.Person, m *inbound.Message, pl decision.Poll, problem *inbound.VoteProblem) notice {
	p := s.printer(user)
	text := greeting(p, user) + "\n\n" + problem.Message(p) + "\n\n" + inbound.VoteHelp(p, pl.Definition) + "\n\n" +
		p.T("email.inbox.help.web", "Link", s.link("/polls/"+pathID(pl.ID)))
	return notice{to: user, subject: subjectLine(p, p.T("email.inbox.help.subject"), pl.Definition.Title), text: text, inReplyTo: msgID(m)}
}

// ballotSummary says a ballot in words in the reader's language, e.g.
// "Agree" or "Alpha 4, Beta 2"; meeting times in the reader's zone.
func ballotSummary(p *i18n.Printer, d poll.Definition, b poll.Ballot) string {
	if b.NoneOfTheAbove {
		return p.T("poll.none_of_the_above")
	}
	labels := map[string]string{}
	for _, o := range d.Options {
		labels[o.ID] = inbound.OptionLabel(p, o)
		if d.Type == poll.TypeMeeting && !o.Start.IsZero() {
			labels[o.ID] = zoned(p, o.Start)
		}
	}
	answers := map[int]string{0: p.T("poll.meeting.no"), 1: p.T("poll.meeting.maybe"), 2: p.T("poll.meeting.yes")}
	var parts []string
	for i, c := range b.Choices {
		l := labels[c.OptionID]
		switch d.Type {
		case poll.TypeScore, poll.TypeDotVote:
			l = l + " " + p.Number(c.Score)
		case poll.TypeMeeting:
			l = l + ": " + answers[c.Score]
		case poll.TypeRankedChoice:
			l = p.Number(i+1) + ". " + l
		}
		parts = append(parts, l)
	}
	if len(parts) == 0 {
		return p.T("poll.your_answer")
	}
	return strings.Join(parts, ", ")
}

func (s *Service) votedMail(user group.Person, m *inbound.Message, pl decision.Poll, res decision.VoteResult, forName string) notice {
	p := s.printer(user)
	verb := "recorded"
	if res.Changed {
		verb = "changed"
	}
	var b strings.Builder
	b.WriteString(greeting(p, user) + "\n\n" + p.T("email.inbox.voted."+verb, "Title", p.Isolate(pl.Definition.Title), "Ballot", p.Isolate(ballotSummary(p, pl.Definition, res.Ballot))))
	if forName != "" {
		b.WriteString("\n\n" + p.T("email.inbox.voted.for", "Name", p.Isolate(forName)))
	}
	if res.Ballot.Reason != "" {
		b.WriteString("\n\n" + p.T("email.inbox.voted.reason") + "\n" + quote(truncateRunes(res.Ballot.Reason, 2000)))
	}
	b.WriteString("\n\n" + p.T("email.inbox.voted.change") + "\n" + s.link("/polls/"+pathID(pl.ID)))
	return notice{to: user, subject: subjectLine(p, p.T("email.inbox.voted.subject_"+verb), pl.Definition.Title), text: b.String(), inReplyTo: msgID(m)}
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
