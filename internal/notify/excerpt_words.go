package notify

// A poll notice's excerpt (its closing time, review date, or what to do)
// is stored with the notification as English, the words the poll core's
// notifier (internal/cores) writes with PollExcerpt. ExcerptText words it
// for the reader: the sentence from the catalogs (page.i18n.excerpt.*),
// the time in their language and zone. Any other excerpt (what someone
// wrote) is never translated and is returned as it is.

import (
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/i18n"
)

// PollExcerpt names the English excerpts of poll notices, which
// ExcerptText recognises; At formats their time.
type PollExcerpt string

// Poll excerpts. Each is a prefix and, for a timed one, a time with the
// layout At writes (in UTC).
const (
	ExcerptReview    PollExcerpt = "Review date: "
	ExcerptCloses    PollExcerpt = "Closes "
	ExcerptOpenUntil PollExcerpt = "Open for votes until "
	ExcerptClosed    PollExcerpt = "The poll has closed: write its outcome."
	ExcerptProxy     PollExcerpt = "They voted for you with your proxy. Vote yourself to change it."
	ExcerptOutcome   PollExcerpt = "The outcome of this poll has been published."
)

const (
	excerptDay  = "2 Jan 2006"
	excerptTime = "2 Jan 2006 15:04 UTC"
)

// At is the excerpt with its time: the date for a review, the date and
// time (UTC) for the others.
func (e PollExcerpt) At(t time.Time) string {
	if e == ExcerptReview {
		return string(e) + t.UTC().Format(excerptDay)
	}
	return string(e) + t.UTC().Format(excerptTime)
}

// excerptKeys are the catalog keys of the poll excerpts.
var excerptKeys = map[PollExcerpt]string{
	ExcerptReview: "page.i18n.excerpt.review", ExcerptCloses: "page.i18n.excerpt.closes",
	ExcerptOpenUntil: "page.i18n.excerpt.open_until", ExcerptClosed: "page.i18n.excerpt.closed",
	ExcerptProxy: "page.i18n.excerpt.proxy", ExcerptOutcome: "page.i18n.excerpt.outcome",
}

// ExcerptText is n's excerpt for the reader pr. A published outcome's
// excerpt is its statement (what someone wrote), returned as it is; only
// the sentence older outcome notifications carry is worded for pr.
func ExcerptText(pr *i18n.Printer, n Notification) string {
	if !n.Kind.Poll() && n.Kind != Announcement {
		return n.Excerpt
	}
	if n.Kind == OutcomePublished && n.Excerpt != string(ExcerptOutcome) {
		return n.Excerpt
	}
	if k, ok := excerptKeys[PollExcerpt(n.Excerpt)]; ok {
		return pr.T(k)
	}
	for _, e := range []PollExcerpt{ExcerptReview, ExcerptCloses, ExcerptOpenUntil} {
		rest, ok := strings.CutPrefix(n.Excerpt, string(e))
		if !ok {
			continue
		}
		if e == ExcerptReview {
			if t, err := time.Parse(excerptDay, rest); err == nil {
				return pr.T(excerptKeys[e], "When", pr.Date(time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, pr.Location())))
			}
			continue
		}
		if t, err := time.Parse(excerptTime, rest); err == nil {
			return pr.T(excerptKeys[e], "When", pr.DateTime(t)+" "+t.In(pr.Location()).Format("MST"))
		}
	}
	return n.Excerpt
}
