package corebase

import (
	"context"
	"log/slog"
	"time"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/calendar"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/inbound/votes"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/mailpref"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/render"
	"github.com/quorum-app/quorum/internal/replyaddr"
)

// newOutbox wires the notification email dispatcher (internal/notify):
// accounts for addresses, groups and polls as the recipient sees them,
// email preferences from internal/mailpref, reply addresses from
// internal/inbound.
func newOutbox(cfg config.Config, notes *notify.Service, sender mail.Sender, accounts *account.Service,
	groups *group.Service, decisions *decision.Service, prefs *mailpref.Service, cat *i18n.Catalog, log *slog.Logger) (*notify.Dispatcher, error) {
	base := cfg.BaseURL.String()
	return notify.NewDispatcher(notify.Config{
		Notifications: notes, Sender: sender,
		People: MailPeople{accounts}, Groups: MailGroups{groups}, Prefs: MailPreferences{prefs},
		Meetings: MailMeetings{Decisions: decisions, BaseURL: base},
		Polls:    MailPolls{Decisions: decisions, Renderer: render.New()},
		Outcomes: MailOutcomes{Decisions: decisions},
		Tokens:   replyaddr.NewTokens(cfg.SigningKey, cfg.MailDomain),
		Catalog:  cat, BaseURL: base, MailDomain: cfg.MailDomain, From: cfg.MailFrom, Log: log,
	})
}

// recipient is ctx acting as uid, so what an email shows passes the same
// policy as the web page would for that person.
func recipient(ctx context.Context, uid string) context.Context {
	return authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: uid})
}

// hidden reports errors that mean "uid may not see it" (or it is gone).
func hidden(err error) bool {
	switch domain.ErrorCode(err) {
	case domain.NotFound, domain.Forbidden, domain.Unauthorized:
		return true
	}
	return false
}

// MailPeople adapts the account service to notify.People.
type MailPeople struct{ Accounts *account.Service }

// Person implements notify.People: the same one read of the account gives
// the address, the time zone and the language the email is written in.
func (p MailPeople) Person(ctx context.Context, uid string) (notify.Person, error) {
	u, err := p.Accounts.User(ctx, uid)
	if err != nil {
		return notify.Person{}, err
	}
	return notify.Person{ID: u.ID, Name: u.Name, Email: u.Email, TimeZone: u.TimeZone, Lang: u.Lang()}, nil
}

// MailGroups adapts the group service to notify.Groups.
type MailGroups struct{ Groups *group.Service }

// Group implements notify.Groups: the group as uid sees it; only its id
// when uid may not see it (the email then names no group).
func (g MailGroups) Group(ctx context.Context, uid, gid string) (notify.Group, error) {
	if gid == "" {
		return notify.Group{}, nil
	}
	grp, err := g.Groups.Get(recipient(ctx, uid), gid)
	if hidden(err) {
		return notify.Group{ID: gid}, nil
	}
	if err != nil {
		return notify.Group{}, err
	}
	return notify.Group{ID: grp.ID, Name: grp.Name, Handle: grp.Handle}, nil
}

// MailPolls adapts the decision core to notify.Polls.
type MailPolls struct {
	Decisions *decision.Service
	Renderer  *render.Renderer
}

// PollMail implements notify.Polls: poll pid read as uid, its details as
// the page shows them in plain text, and how to vote by replying with its
// options (votes.VoteHelp: the words a reply is read with); no help for
// an anonymous poll, whose votes are cast on the web only.
func (m MailPolls) PollMail(ctx context.Context, pr *i18n.Printer, uid, pid string) (string, string, bool, error) {
	p, err := m.Decisions.Get(recipient(ctx, uid), pid)
	if hidden(err) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, err
	}
	help := ""
	if !p.Definition.Settings.Anonymous {
		help = votes.VoteHelp(pr, p.Definition)
	}
	return m.Renderer.Text(p.Definition.Details), help, true, nil
}

// MailMeetings adapts the decision core to notify.Meetings.
type MailMeetings struct {
	Decisions *decision.Service
	BaseURL   string
}

// MeetingInvite implements notify.Meetings: the .ics of a meeting poll's
// outcome, read as uid.
func (m MailMeetings) MeetingInvite(ctx context.Context, uid, pid string) ([]byte, bool, error) {
	ctx = recipient(ctx, uid)
	p, err := m.Decisions.Get(ctx, pid)
	if hidden(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if p.Definition.Type != poll.TypeMeeting {
		return nil, false, nil
	}
	o, err := m.Decisions.GetOutcome(ctx, pid)
	if hidden(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	opt, ok := p.Definition.Option(o.MeetingOptionID)
	if o.MeetingOptionID == "" || !ok {
		return nil, false, nil
	}
	return calendar.MeetingICS(p, o, opt, m.BaseURL+"/polls/"+ids.Alnum(pid), m.Decisions.StatementText(o)), true, nil
}

// MailOutcomes adapts the decision core to notify.Outcomes.
type MailOutcomes struct {
	Decisions *decision.Service
}

// OutcomeMail implements notify.Outcomes: the outcome of poll pid read as
// uid (as the poll page shows it: GetOutcome's rendered statement), its
// statement as clean text and the chosen meeting time worded for pr. Two
// reads of the poll (Get, GetOutcome), as MeetingInvite.
func (m MailOutcomes) OutcomeMail(ctx context.Context, pr *i18n.Printer, uid, pid string) (notify.OutcomeMail, bool, error) {
	ctx = recipient(ctx, uid)
	p, err := m.Decisions.Get(ctx, pid)
	if hidden(err) {
		return notify.OutcomeMail{}, false, nil
	}
	if err != nil {
		return notify.OutcomeMail{}, false, err
	}
	o, err := m.Decisions.GetOutcome(ctx, pid)
	if hidden(err) {
		return notify.OutcomeMail{}, false, nil
	}
	if err != nil {
		return notify.OutcomeMail{}, false, err
	}
	out := notify.OutcomeMail{Text: m.Decisions.StatementText(o), HTML: o.StatementHTML, ReviewOn: o.ReviewOn}
	if opt, ok := p.Definition.Option(o.MeetingOptionID); ok && o.MeetingOptionID != "" && p.Definition.Type == poll.TypeMeeting {
		out.Meeting = votes.ReaderLabel(pr, p.Definition, opt) + " (" + pr.Location().String() + ")"
	}
	return out, true, nil
}

// MailPreferences adapts internal/mailpref to notify.Preferences.
type MailPreferences struct{ Prefs *mailpref.Service }

// Route implements notify.Preferences.
func (m MailPreferences) Route(ctx context.Context, uid, email, gid, tid string) (notify.Route, error) {
	r, err := m.Prefs.Route(ctx, uid, email, gid, tid)
	if err != nil {
		return notify.Route{}, err
	}
	out := notify.Route{Reason: r.Reason, KeyGeneration: r.KeyGeneration}
	switch r.Action {
	case mailpref.Send:
		out.Action = notify.RouteSend
	case mailpref.Digest:
		out.Action = notify.RouteDigest
	default:
		out.Action = notify.RouteSkip
	}
	return out, nil
}

// UnsubscribeURL implements notify.Preferences.
func (m MailPreferences) UnsubscribeURL(uid string, sc notify.Scope) string {
	return m.Prefs.UnsubscribeURL(uid, mailpref.Scope{Kind: sc.Kind, ID: sc.ID})
}

// DueDigests implements notify.Preferences.
func (m MailPreferences) DueDigests(ctx context.Context, now time.Time) ([]notify.DigestDue, error) {
	due, err := m.Prefs.DueDigests(ctx, now)
	if err != nil {
		return nil, err
	}
	out := make([]notify.DigestDue, 0, len(due))
	for _, d := range due {
		out = append(out, notify.DigestDue{UserID: d.UserID, Period: string(d.Period), After: d.After, Since: d.Since, Due: d.Due})
	}
	return out, nil
}

// DigestSent implements notify.Preferences.
func (m MailPreferences) DigestSent(ctx context.Context, d notify.DigestDue, through string, now time.Time) error {
	return m.Prefs.DigestSent(ctx, mailpref.DigestDue{UserID: d.UserID, Period: mailpref.Mode(d.Period), After: d.After,
		Since: d.Since, Due: d.Due}, through, now)
}

// SendEverything is the preferences of an installation without
// internal/mailpref: every email is sent at once, no digests. Tests use it.
type SendEverything struct{ BaseURL string }

// Route implements notify.Preferences.
func (SendEverything) Route(context.Context, string, string, string, string) (notify.Route, error) {
	return notify.Route{Action: notify.RouteSend}, nil
}

// UnsubscribeURL implements notify.Preferences: the settings page.
func (s SendEverything) UnsubscribeURL(string, notify.Scope) string {
	return s.BaseURL + "/settings/email-preferences"
}

// DueDigests implements notify.Preferences: none.
func (SendEverything) DueDigests(context.Context, time.Time) ([]notify.DigestDue, error) {
	return nil, nil
}

// DigestSent implements notify.Preferences.
func (SendEverything) DigestSent(context.Context, notify.DigestDue, string, time.Time) error {
	return nil
}
