// Package calendar renders iCalendar (RFC 5545) documents: the one-event
// invitation for the time a meeting poll's outcome chose. The poll export
// (internal/server) and the outcome email (internal/notify) share it.
package calendar

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/poll"
)

// icsEscape escapes a TEXT value: backslash, semicolon, comma and newlines.
func icsEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case ';':
			b.WriteString(`\;`)
		case ',':
			b.WriteString(`\,`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				continue
			}
			b.WriteString(`\n`)
		default:
			if c < 0x20 && c != '\t' { // other control characters are not allowed
				continue
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

// icsLine folds a content line at 75 octets (never inside a UTF-8
// sequence) with CRLF followed by a space, and ends it with CRLF.
func icsLine(b *bytes.Buffer, line string) {
	n := 0
	for len(line) > 0 {
		limit := 75
		if n > 0 {
			limit = 74 // the leading space counts
			b.WriteString("\r\n ")
		}
		cut := min(limit, len(line))
		for cut < len(line) && cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		b.WriteString(line[:cut])
		line = line[cut:]
		n++
	}
	b.WriteString("\r\n")
}

const icsUTC = "20060102T150405Z"

// MeetingICS is a one-event calendar for the time a meeting poll's outcome
// chose: UTC times (all-day options as dates), the poll's duration, and
// description (the outcome's statement as plain text: decision's
// StatementText, so no Markdown markup reaches the calendar).
func MeetingICS(p decision.Poll, o decision.Outcome, opt poll.Option, link, description string) []byte {
	var b bytes.Buffer
	line := func(s string) { icsLine(&b, s) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Quorum//Polls//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("BEGIN:VEVENT")
	line("UID:poll-" + ids.Alnum(p.ID) + "@quorum")
	line("DTSTAMP:" + o.UpdatedAt.UTC().Format(icsUTC))
	line(fmt.Sprintf("SEQUENCE:%d", max(o.Version-1, 0)))
	if opt.AllDay {
		day := time.Date(opt.Start.Year(), opt.Start.Month(), opt.Start.Day(), 0, 0, 0, 0, time.UTC)
		line("DTSTART;VALUE=DATE:" + day.Format("20060102"))
		line("DTEND;VALUE=DATE:" + day.AddDate(0, 0, 1).Format("20060102"))
	} else {
		mins := p.Definition.Settings.MeetingDuration
		if mins <= 0 {
			mins = poll.DefaultMeetingMins
		}
		line("DTSTART:" + opt.Start.UTC().Format(icsUTC))
		line("DTEND:" + opt.Start.UTC().Add(time.Duration(mins)*time.Minute).Format(icsUTC))
	}
	line("SUMMARY:" + icsEscape(p.Definition.Title))
	line("DESCRIPTION:" + icsEscape(description))
	if link != "" {
		line("URL:" + icsEscape(link))
	}
	line("STATUS:CONFIRMED")
	line("TRANSP:OPAQUE")
	line("END:VEVENT")
	line("END:VCALENDAR")
	return b.Bytes()
}
