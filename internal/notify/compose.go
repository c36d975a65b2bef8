package notify

import (
	"context"
	"mime"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/links"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/replyaddr"
	"github.com/quorum-app/quorum/internal/text"
)

// Header names as mail.Build writes them (mail.SES looks up "Message-Id").
const (
	hMessageID   = "Message-Id"
	hInReplyTo   = "In-Reply-To"
	hReferences  = "References"
	hListUnsub   = "List-Unsubscribe"
	hListUnsubPO = "List-Unsubscribe-Post"
	hListID      = "List-Id"
	hAutoSub     = "Auto-Submitted"
	hAutoResp    = "X-Auto-Response-Suppress"
)

// link is one unsubscribe or settings link of the footer.
type link struct {
	Text string
	URL  string
}

// view is what the notification templates render. Every string is plain
// text (html/template escapes it in the HTML part).
type view struct {
	Lang       string // the html element's lang and dir
	Dir        string
	Subject    string
	Preheader  string // the hidden preview line (preheader): what was written, on one line
	Heading    string
	Excerpt    []string // lines of the notification's plain-text excerpt
	ActionText string
	ActionURL  string
	Why        string
	Links      []link
	ReplyHint  string
	// Details are a poll's details (plain text lines) and HowToVote how
	// to vote by replying, its options listed (poll emails, Polls).
	Details   []string
	HowToVote string
	// Content is what someone wrote, carried whole (a published outcome:
	// outcomemail.go); nil for the others.
	Content *contentBlock
}

// Links of the web app.
func (d *Dispatcher) threadURL(tid, cid string) string {
	if cid != "" {
		return d.c.BaseURL + links.Comment(tid, cid)
	}
	return d.c.BaseURL + links.Thread(tid)
}

func (d *Dispatcher) pollURL(pid string) string { return d.c.BaseURL + links.Poll(pid) }

func (d *Dispatcher) notificationsURL() string { return d.c.BaseURL + "/notifications" }

func (d *Dispatcher) settingsURL() string { return d.c.BaseURL + "/settings/email-preferences" }

// msgID is a deterministic Message-ID: <kind.id@mail domain>.
func (d *Dispatcher) msgID(kind, id string) string {
	return "<" + kind + "." + ids.Alnum(id) + "@" + d.c.MailDomain + ">"
}

// oneLine is s as one line of at most n characters (a header, a
// heading): text.Line's cleaning, then text.Clip.
func oneLine(s string, n int) string { return text.Clip(text.Line(s), n) }

// subject is stable per thread (and per poll), so clients group the
// messages: "[Group] Title".
func subject(p *i18n.Printer, group, title string) string {
	title = oneLine(title, 150)
	if title == "" {
		title = p.T("email.notification")
	}
	if g := oneLine(group, 60); g != "" {
		return "[" + g + "] " + title
	}
	return title
}

// listID is the List-Id of a group's mail: a description (encoded when not
// plain ASCII) and <handle-or-id.mail domain>.
func (d *Dispatcher) listID(g Group) string {
	id := g.Handle
	if id == "" || strings.Trim(id, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		id = strings.ToLower(ids.Alnum(g.ID))
	}
	if id == "" {
		id = "quorum"
	}
	v := "<" + id + "." + d.c.MailDomain + ">"
	if name := phrase(oneLine(g.Name, 60)); name != "" {
		v = name + " " + v
	}
	return v
}

// phrase renders display text for a header: a quoted string for plain
// ASCII, an RFC 2047 encoded word otherwise.
func phrase(s string) string {
	if s == "" {
		return ""
	}
	for _, r := range s {
		if r >= 0x80 || r == '"' || r == '\\' {
			return mime.QEncoding.Encode("utf-8", s)
		}
	}
	return `"` + s + `"`
}

// threadingHeaders: a new thread's email is the root (<thread.tid@domain>),
// a poll opening the root of the poll (<poll.pid@domain>); every other email
// answers the poll or the thread it is about.
func (d *Dispatcher) threadingHeaders(n Notification, h map[string]string) {
	var refs []string
	if n.ThreadID != "" {
		refs = append(refs, d.msgID("thread", n.ThreadID))
	}
	if n.PollID != "" {
		refs = append(refs, d.msgID("poll", n.PollID))
	}
	own := d.msgID("n", n.ID)
	switch {
	case n.Kind == NewThread && n.ThreadID != "":
		own, refs = d.msgID("thread", n.ThreadID), nil
	case n.Kind == PollOpened && n.PollID != "":
		own = d.msgID("poll", n.PollID)
		refs = refs[:len(refs)-1] // the thread, if any
	}
	h[hMessageID] = own
	if len(refs) > 0 {
		h[hInReplyTo] = refs[len(refs)-1]
		h[hReferences] = strings.Join(refs, " ")
	}
}

// commonHeaders are on every email: list and unsubscribe headers, and the
// marks that stop auto-replies and loops.
func (d *Dispatcher) commonHeaders(h map[string]string, unsubscribe, listID string) {
	if unsubscribe != "" {
		h[hListUnsub] = "<" + unsubscribe + ">"
		h[hListUnsubPO] = "List-Unsubscribe=One-Click"
	}
	h[hListID] = listID
	h[hAutoSub] = "auto-generated"
	h[hAutoResp] = "All"
	h[replyaddr.LoopHeader] = d.c.MailDomain
}

// footerLinks: unsubscribe from the thread (when there is one), the group,
// all email; the settings and the notification list.
func (d *Dispatcher) footerLinks(p *i18n.Printer, uid, gid, tid, group string) []link {
	var out []link
	if tid != "" {
		out = append(out, link{p.T("email.footer.unsubscribe_thread"), d.c.Prefs.UnsubscribeURL(uid, Scope{ScopeThread, tid})})
	}
	if gid != "" {
		out = append(out, link{p.T("email.footer.unsubscribe_group", "Group", p.Isolate(groupOr(p, group))),
			d.c.Prefs.UnsubscribeURL(uid, Scope{ScopeGroup, gid})})
	}
	out = append(out,
		link{p.T("email.footer.unsubscribe_all"), d.c.Prefs.UnsubscribeURL(uid, Scope{Kind: ScopeAll})},
		link{p.T("email.footer.settings"), d.settingsURL()},
		link{p.T("email.footer.notifications"), d.notificationsURL()})
	kept := out[:0]
	for _, l := range out {
		if l.URL != "" { // the preferences had no link for an id they reject
			kept = append(kept, l)
		}
	}
	return kept
}

// preheader is the preview line inboxes show after the subject: the first
// of lines (the excerpt, else the content carried whole, else the poll's
// details) that has any, on one line.
func preheader(lines ...[]string) string {
	for _, l := range lines {
		if s := oneLine(strings.Join(l, " "), 140); s != "" {
			return s
		}
	}
	return ""
}

func excerptLines(s string) []string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// printer words an email for p: their language and time zone (what the
// People lookup that gives their address already read).
func (d *Dispatcher) printer(p Person) *i18n.Printer {
	return d.c.Catalog.PrinterIn(p.Lang, p.TimeZone)
}

// composeJob builds the email of one notification for p, in p's language.
func (d *Dispatcher) composeJob(ctx context.Context, j Job, p Person, g Group, r Route, now time.Time) (mail.Message, error) {
	n := j.Notification
	pr := d.printer(p)
	c := kindCopy(pr, n, g.Name)
	v := view{Lang: string(pr.Lang()), Dir: pr.Dir(), Subject: subject(pr, g.Name, n.Title), Heading: c.heading,
		Excerpt: excerptLines(ExcerptText(pr, n)), ActionText: c.action, Why: c.why,
		Links: d.footerLinks(pr, p.ID, n.GroupID, n.ThreadID, g.Name)}
	switch {
	case (n.Kind.Poll() || n.Kind == Announcement || n.Kind == Mention) && n.PollID != "":
		v.ActionURL = d.pollURL(n.PollID)
	case n.ThreadID != "" && n.Kind != NewThread:
		v.ActionURL = d.threadURL(n.ThreadID, n.CommentID)
	case n.ThreadID != "":
		v.ActionURL = d.threadURL(n.ThreadID, "")
	default:
		v.ActionURL = d.notificationsURL()
	}
	h := map[string]string{}
	d.threadingHeaders(n, h)
	unsub := Scope{ScopeGroup, n.GroupID}
	if n.ThreadID != "" {
		unsub = Scope{ScopeThread, n.ThreadID}
	}
	d.commonHeaders(h, d.c.Prefs.UnsubscribeURL(p.ID, unsub), d.listID(g))
	m := mail.Message{From: d.c.From, To: []string{p.Email}, Subject: v.Subject, Headers: h, Date: now}
	if tok, ok := replyKind(n); ok && d.c.Tokens != nil {
		tok.UserID, tok.Expires, tok.KeyGeneration = p.ID, now.Add(d.c.ReplyTTL), r.KeyGeneration
		if tok.Kind == replyaddr.KindComment {
			tok.NotificationID = n.ID // names the thread and the comment answered
		}
		addr, err := d.c.Tokens.Mint(tok)
		if err != nil {
			d.log.WarnContext(ctx, "outbox: no reply address", "notification", n.ID, "error", err.Error())
		} else {
			m.ReplyTo = []string{addr}
			switch tok.Kind {
			case replyaddr.KindPoll:
				v.ReplyHint = pr.T("email.reply_hint.vote")
				if d.c.Polls != nil {
					details, help, ok, err := d.c.Polls.PollMail(ctx, pr, p.ID, n.PollID)
					if err != nil {
						return mail.Message{}, err
					}
					if ok {
						v.Details = excerptLines(details)
						if help != "" {
							v.HowToVote, v.ReplyHint = help, ""
						} else {
							v.ReplyHint = pr.T("email.reply_hint.anonymous")
						}
					}
				}
			default:
				v.ReplyHint = pr.T("email.reply_hint.comment")
			}
		}
	}
	if err := d.withOutcome(ctx, pr, &v, n, p.ID); err != nil {
		return mail.Message{}, err
	}
	if n.Kind == OutcomePublished && n.PollID != "" && d.c.Meetings != nil {
		ics, ok, err := d.c.Meetings.MeetingInvite(ctx, p.ID, n.PollID)
		if err != nil {
			return mail.Message{}, err
		}
		if ok {
			m.Attachments = append(m.Attachments, mail.Attachment{Filename: "meeting-" + ids.Alnum(n.PollID) + ".ics",
				ContentType: "text/calendar; charset=utf-8; method=PUBLISH", Data: ics})
		}
	}
	var content []string
	if v.Content != nil {
		content = v.Content.Text
	}
	v.Preheader = preheader(v.Excerpt, content, v.Details)
	m.Text, m.HTML = layoutNotification(v)
	return m, nil
}
