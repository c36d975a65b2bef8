package pages

// The poll pages' words in the reader's language (catalog area "poll",
// locales/poll/<lang>.json): type and status names, notices, closing
// times, ballots written out. Text people typed (titles, option labels,
// reasons) is never translated; a preset option still under its preset
// label is (inbound.OptionLabel).

import (
	"time"

	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/poll"
)

// pollTypeText is a poll type's name for the reader ("Proposal",
// "Vorschlag").
func pollTypeText(p *i18n.Printer, t poll.Type) string {
	if !pollTypes[t] {
		return string(t)
	}
	return p.T("page.poll.type." + string(t))
}

// pollTypeAbout is a poll type's one-line description for the reader.
func pollTypeAbout(p *i18n.Printer, t poll.Type) string {
	if !pollTypes[t] {
		return ""
	}
	return p.T("page.poll.type_about." + string(t))
}

// pollStatusText is a poll's status for the reader ("open", "offen").
func pollStatusText(p *i18n.Printer, st poll.Status) string {
	switch st {
	case poll.StatusOpen, poll.StatusClosed, poll.StatusDraft:
		return p.T("page.poll.status." + string(st))
	}
	return string(st)
}

// pollNotice is the notice for ?done=name ("" for a name that has none).
func pollNotice(p *i18n.Printer, name string) string {
	if !pollNotices[name] {
		return ""
	}
	if key, ok := pollNoticeKeys[name]; ok {
		return p.T(key)
	}
	return p.T("page.poll.notice." + name)
}

// pollNoticeKeys are the notices whose text is not page.poll.notice.<name>:
// a manual reminder is sent off the request path, so the page says it is
// on its way (issue 14).
var pollNoticeKeys = map[string]string{"reminded": "page.fan.notice.reminding"}

// whenText is a date and time in the reader's language and zone, with the
// zone's name (as the templates' date function writes it).
func whenText(p *i18n.Printer, t time.Time) string {
	return p.DateTime(t) + " " + t.In(p.Location()).Format("MST")
}

// timeLeftText is how long a poll stays open, for the reader ("closes in 3
// days"); the rounding is timeLeft's.
func timeLeftText(p *i18n.Printer, at, now time.Time) string {
	d := at.Sub(now)
	switch {
	case d < time.Minute:
		return p.T("page.poll.closing_now")
	case d < time.Hour:
		return p.T("page.poll.closes_in", "In", p.N("time.in_minutes", int(d/time.Minute)))
	case d < 47*time.Hour+30*time.Minute:
		return p.T("page.poll.closes_in", "In", p.N("time.in_hours", int(d.Round(time.Hour)/time.Hour)))
	}
	return p.T("page.poll.closes_in", "In", p.N("time.in_days", int(d.Round(24*time.Hour)/(24*time.Hour))))
}

// meetingArg is a meeting option filled into an error message: worded for
// the reader by Printer.Errorf (i18n.Worded), in UTC English otherwise.
type meetingArg poll.Option

func (m meetingArg) Words(p *i18n.Printer) string { return handlerkit.MeetingText(p, poll.Option(m)) }

func (m meetingArg) String() string {
	if m.AllDay {
		return m.Start.UTC().Format("Mon 2 Jan 2006")
	}
	return m.Start.UTC().Format("Mon 2 Jan 2006 15:04 MST")
}

// readerZone names the zone a reader's times are shown in ("Europe/Berlin").
func readerZone(p *i18n.Printer) string { return p.Location().String() }

// requirementRule words a vote-share requirement's test for the reader
// ("share of voters at least 50.0%"); page.i18n.rule.<measure>.<op>.
func requirementRule(p *i18n.Printer, r poll.Requirement) string {
	op := map[poll.Comparison]string{poll.AtLeast: "at_least", poll.AtMost: "at_most"}[r.Op]
	switch {
	case op == "", r.Measure != poll.MeasureScorePercent && r.Measure != poll.MeasureVoterPercent:
		return string(r.Measure) + " " + string(r.Op) + " " + p.Percent(r.Threshold)
	}
	return p.T("page.i18n.rule."+string(r.Measure)+"."+op, "Percent", p.Percent(r.Threshold))
}

// fieldLabel is a form field's label for the reader (i18n field terms,
// page.i18n.field.*), or the field's name when it has none.
func fieldLabel(p *i18n.Printer, field string) string {
	if l := p.FieldLabel(field); l != "" {
		return l
	}
	return field
}
