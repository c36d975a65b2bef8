package notify

import (
	"context"
	"html/template"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/mail"
)

// The email telling that a poll's outcome was published carries the
// outcome itself, as its recipient may read it when the email is written:
// the statement (rendered and as clean text), the chosen meeting time and
// the review date when set. Never a result figure: whether results show
// depends on each poll's rules, the statement is what its author wrote.

// OutcomeMail is a published outcome as its email shows it.
type OutcomeMail struct {
	// Text is the statement as clean text (render.Text: no Markdown
	// markup, one block a line); HTML is it rendered and sanitised
	// (render.Markdown, as on the poll page).
	Text string
	HTML template.HTML
	// Meeting is the chosen time of a meeting poll, worded for the
	// reader ("" when none was chosen).
	Meeting string
	// ReviewOn is the review date, if any.
	ReviewOn *time.Time
}

// Outcomes returns the published outcome of poll pid as uid may see it,
// worded for pr; ok is false when there is none or uid may not see it.
type Outcomes interface {
	OutcomeMail(ctx context.Context, pr *i18n.Printer, uid, pid string) (o OutcomeMail, ok bool, err error)
}

// contentBlock is what someone wrote, carried whole by an email: its text
// part's lines and its HTML part, sanitised HTML (the layout writes it as
// it is).
type contentBlock struct {
	Text []string
	HTML string
}

// outcomeBlock is the content block of an outcome email for pr: the
// statement, then the meeting time and the review date.
func outcomeBlock(pr *i18n.Printer, o OutcomeMail) *contentBlock {
	b := &contentBlock{Text: excerptLines(o.Text)}
	var h strings.Builder
	h.WriteString(`<section aria-label="` + esc(pr.T("email.outcome.label")) + `">` + "\n")
	h.WriteString(`<div dir="auto">` + strings.TrimSpace(string(o.HTML)) + "</div>\n")
	var facts []string
	if o.Meeting != "" {
		facts = append(facts, pr.T("email.outcome.meeting", "When", o.Meeting))
	}
	if o.ReviewOn != nil {
		r := o.ReviewOn.UTC()
		// A date, the same in every zone: noon of that day in the reader's.
		facts = append(facts, pr.T("email.outcome.review", "When", pr.Date(time.Date(r.Year(), r.Month(), r.Day(), 12, 0, 0, 0, pr.Location()))))
	}
	if len(facts) > 0 {
		b.Text = append(b.Text, "")
	}
	for _, f := range facts {
		b.Text = append(b.Text, f)
		h.WriteString(`<p dir="auto">` + esc(f) + "</p>\n")
	}
	h.WriteString("</section>")
	b.HTML = h.String()
	return b
}

// withOutcome adds to v, the email of notification n to uid, the outcome
// it tells of (in place of the excerpt, which is its opening); nothing
// when the outcome cannot be read as uid.
func (d *Dispatcher) withOutcome(ctx context.Context, pr *i18n.Printer, v *view, n Notification, uid string) error {
	if n.Kind != OutcomePublished || n.PollID == "" || d.c.Outcomes == nil {
		return nil
	}
	o, ok, err := d.c.Outcomes.OutcomeMail(ctx, pr, uid, n.PollID)
	if err != nil || !ok {
		return err
	}
	o.HTML = template.HTML(absoluteMentions(string(o.HTML), d.c.BaseURL)) // #nosec G203 -- sanitised HTML, a path made a URL
	v.Content, v.Excerpt = outcomeBlock(pr, o), nil
	return nil
}

// mentionHref is how the renderer's sanitised output starts a mention's
// link: its href a path on the site (links.Member).
const mentionHref = `<a class="mention" href="/`

// absoluteMentions makes the links of the mentions in h, rendered and
// sanitised HTML, absolute on base: an email has no site to be relative
// to.
func absoluteMentions(h, base string) string {
	if !strings.Contains(h, mentionHref) {
		return h
	}
	return strings.ReplaceAll(h, mentionHref, `<a class="mention" href="`+mail.EscapeURL(base)+"/")
}
