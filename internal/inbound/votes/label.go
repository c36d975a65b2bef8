package votes

import (
	"time"

	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/poll"
)

// ReaderLabel is how an option is named for a reader on pages and in
// emails: a preset option's label in the reader's language (OptionLabel),
// a meeting option's time in the reader's language and zone (MeetingText),
// with the label its author gave it in brackets. It lives here, beside
// OptionLabel, so that what names an option needs neither the HTTP layer
// nor the mail parser (the mailer links this package and not those).
func ReaderLabel(p *i18n.Printer, d poll.Definition, o poll.Option) string {
	if d.Type == poll.TypeMeeting {
		when := MeetingText(p, o)
		if o.Label != "" {
			return when + " (" + p.Isolate(o.Label) + ")"
		}
		return when
	}
	return OptionLabel(p, o)
}

// MeetingText is a meeting option's time for the reader: day of the week,
// date and time in their language and zone ("Mo., 4. Mai 2026, 17:00"); an
// all-day option by its calendar date, which is the same in every zone.
func MeetingText(p *i18n.Printer, o poll.Option) string {
	if o.AllDay {
		u := o.Start.UTC()
		return p.WeekdayDate(time.Date(u.Year(), u.Month(), u.Day(), 12, 0, 0, 0, p.Location()))
	}
	return p.WeekdayDateTime(o.Start)
}
