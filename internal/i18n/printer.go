package i18n

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/lang"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Missing marks a message no catalog has (not even English): pages and
// tests can find it. It never reaches a reader on a correct build.
const Missing = "⟦"

// Printer renders messages, dates, times and numbers for one reader: their
// language and time zone.
type Printer struct {
	lang lang.Lang
	loc  *time.Location
	msgs map[string]entry // the language's messages
	en   map[string]entry // English's, the fallback
	num  *message.Printer
}

// Printer returns the printer for language l (English if l is not
// supported) and time zone loc (UTC if nil).
func (c *Catalog) Printer(l lang.Lang, loc *time.Location) *Printer {
	if !l.Valid() {
		l = lang.English
	}
	if loc == nil {
		loc = time.UTC
	}
	return &Printer{lang: l, loc: loc, msgs: c.messages(l), en: c.messages(lang.English),
		num: message.NewPrinter(numbering(l))}
}

// Zone is the time zone named name (an IANA name such as "Europe/Berlin"),
// or UTC when the name is empty or unknown: the one rule for turning a
// person's stored zone setting into the zone their dates are shown in.
func Zone(name string) *time.Location {
	if name == "" || name == "UTC" {
		return time.UTC
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// PrinterIn is Printer for a person's stored settings: language l and the
// zone named zone (see Zone).
func (c *Catalog) PrinterIn(l lang.Lang, zone string) *Printer {
	return c.Printer(l, Zone(zone))
}

// numbering is the tag numbers are formatted with: the language's grouping,
// always with Western digits, as dates and times are (Arabic pages mix
// Arabic-Indic digits with dates otherwise; Latin digits are common across
// Arabic-language web products and what the date formats use).
func numbering(l lang.Lang) language.Tag {
	if l == lang.Arabic {
		return language.Make("ar-u-nu-latn")
	}
	return tag(l)
}

// Lang is the printer's language; Dir its text direction.
func (p *Printer) Lang() lang.Lang { return p.lang }

// Dir is "rtl" or "ltr" (the page's dir attribute).
func (p *Printer) Dir() string { return p.lang.Dir() }

// Isolate marks s, text someone typed (a name, a title), as a
// bidirectional isolate (U+2068 … U+2069) when it is inserted into a
// message that may run the other way: in a right-to-left message, or when
// s holds right-to-left letters. Without it "«Plant tomatoes?»" in an
// Arabic sentence shows its question mark on the wrong side, and an Arabic
// name in an English sentence can reorder the words around it. Plain
// left-to-right text in a left-to-right message is returned as it is.
func (p *Printer) Isolate(s string) string {
	if s == "" {
		return s
	}
	if p.Dir() == "rtl" || hasRTL(s) {
		return "\u2068" + s + "\u2069"
	}
	return s
}

// hasRTL reports whether s holds a right-to-left letter (Hebrew, Arabic,
// Syriac, Thaana, N'Ko and their presentation forms).
func hasRTL(s string) bool {
	for _, r := range s {
		if (r >= 0x0590 && r <= 0x08FF) || (r >= 0xFB1D && r <= 0xFDFF) || (r >= 0xFE70 && r <= 0xFEFF) ||
			(r >= 0x10800 && r <= 0x10FFF) || (r >= 0x1E800 && r <= 0x1EFFF) {
			return true
		}
	}
	return false
}

// Location is the reader's time zone.
func (p *Printer) Location() *time.Location { return p.loc }

// text is message id for count n (its "other" form when plural is false),
// in the printer's language, else in English; ok is false when neither
// catalog has it.
func (p *Printer) text(id string, plural bool, n int) (string, bool) {
	if m, ok := p.msgs[id]; ok {
		f := "other"
		if plural {
			f = pluralForm(p.lang, n)
		}
		if s, ok := m.form(f); ok && s != "" {
			return s, true
		}
	}
	if m, ok := p.en[id]; ok {
		f := "other"
		if plural {
			f = pluralForm(lang.English, n)
		}
		if s, ok := m.form(f); ok && s != "" {
			return s, true
		}
	}
	return "", false
}

// T is the message id in the printer's language, with values given as
// name/value pairs: p.T("thread.started_by", "Name", "Ada").
func (p *Printer) T(id string, kv ...any) string {
	s, ok := p.text(id, false, 0)
	if !ok {
		return Missing + id + "⟧"
	}
	return fill(s, kv)
}

// N is the plural message id for count n ({{.Count}} is n, formatted for
// the language), with more values as name/value pairs.
func (p *Printer) N(id string, n int, kv ...any) string {
	s, ok := p.text(id, true, n)
	if !ok {
		return Missing + id + "⟧"
	}
	return fill(s, append([]any{"Count", p.Number(n)}, kv...))
}

// Errorf words a domain error message in the printer's language: format is
// the English format string, which is the message's key in the errors
// catalog (locales/errors/<lang>.json, gettext style); the translation is
// a format of its own (explicit argument indexes, %[2]s, where the order
// changes), filled with args. A format no catalog has stays English.
// domain.Localize uses it for pages and the API's problem details.
func (p *Printer) Errorf(format string, args ...any) string {
	s := format
	if t, ok := p.text(format, false, 0); ok {
		s = t
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, p.terms(args)...)
}

// termer is a value filled into a message that has words of its own in the
// catalogs (domain.Term): a field, a kind of poll, a phrase.
type termer interface{ TermKey() string }

// Worded is a value that words itself for a reader when it is filled into
// a message (a meeting time in the reader's language and zone); its
// String (or other formatting) is what English-only callers see.
type Worded interface{ Words(p *Printer) string }

// terms words the args that are terms in the printer's language; other
// values (numbers, what people typed) stay as given.
func (p *Printer) terms(args []any) []any {
	out := args
	for i, a := range args {
		var w string
		switch t := a.(type) {
		case termer:
			w = p.Term(t.TermKey())
		case Worded:
			w = t.Words(p)
		}
		if w == "" {
			continue
		}
		if &out[0] == &args[0] {
			out = append([]any(nil), args...)
		}
		out[i] = w
	}
	return out
}

// Term is the reader's word for a term ("field.title", "poll_type.proposal",
// "phrase.after_votes"; catalog keys page.i18n.<kind>.<name>), or "" when
// no catalog has it. A field is looked up as named, then without its
// "settings." (or "poll."/"definition.") prefix and list index, so
// "settings.closing_at" and "options[3].label" find their labels.
func (p *Printer) Term(key string) string {
	kind, name, ok := strings.Cut(key, ".")
	if !ok {
		return ""
	}
	names := []string{name}
	if kind == "field" {
		names = append(names, fieldNames(name)...)
	}
	for _, n := range names {
		if s, ok := p.text("page.i18n."+kind+"."+n, false, 0); ok {
			return s
		}
	}
	return ""
}

// FieldLabel is a form field's label in the reader's language (see Term),
// or "" when the catalogs have none.
func (p *Printer) FieldLabel(field string) string { return p.Term("field." + field) }

// fieldNames are the shorter names a field's label may be found under.
func fieldNames(f string) []string {
	var out []string
	for _, pre := range []string{"poll.settings.", "poll.", "definition.", "settings."} {
		if strings.HasPrefix(f, pre) {
			f = strings.TrimPrefix(f, pre)
			out = append(out, f)
		}
	}
	if i := strings.IndexAny(f, "[."); i > 0 {
		out = append(out, f[:i])
	}
	return out
}

// Number formats n with the language's digit grouping (1,234 / 1.234).
func (p *Printer) Number(n int) string { return p.num.Sprint(number.Decimal(n)) }

// Date is t's calendar date in the reader's zone ("5 Dec 2026",
// "5. Dez. 2026").
func (p *Printer) Date(t time.Time) string {
	t = t.In(p.loc)
	return p.T("format.date", "Day", strconv.Itoa(t.Day()), "Month", p.T("month.short."+strconv.Itoa(int(t.Month()))),
		"Year", strconv.Itoa(t.Year()))
}

// WeekdayDate is t's date with its day of the week in the reader's zone
// ("Mon 4 May 2026", "Mo., 4. Mai 2026").
func (p *Printer) WeekdayDate(t time.Time) string {
	t = t.In(p.loc)
	return p.T("format.weekday_date", "Weekday", p.T("weekday.short."+strconv.Itoa(int(t.Weekday()))), "Date", p.Date(t))
}

// WeekdayDateTime is WeekdayDate with the time of day ("Mon 4 May 2026,
// 17:00").
func (p *Printer) WeekdayDateTime(t time.Time) string {
	return p.T("format.datetime", "Date", p.WeekdayDate(t), "Time", p.Time(t))
}

// Time is t's time of day in the reader's zone (24-hour "14:05").
func (p *Printer) Time(t time.Time) string {
	t = t.In(p.loc)
	return p.T("format.time", "Hour", fmt.Sprintf("%02d", t.Hour()), "Minute", fmt.Sprintf("%02d", t.Minute()))
}

// DateTime is Date and Time together ("5 Dec 2026, 14:05").
func (p *Printer) DateTime(t time.Time) string {
	return p.T("format.datetime", "Date", p.Date(t), "Time", p.Time(t))
}

// Relative says how long ago or how soon t is from now ("5 minutes ago",
// "in 3 days"); a week or more away it is the date.
func (p *Printer) Relative(t, now time.Time) string {
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	n, unit := 0, ""
	switch {
	case d < time.Minute:
		if future {
			return p.T("time.in_a_moment")
		}
		return p.T("time.just_now")
	case d < time.Hour:
		n, unit = int(d/time.Minute), "minutes"
	case d < 24*time.Hour:
		n, unit = int(d/time.Hour), "hours"
	case d < 7*24*time.Hour:
		n, unit = int(d/(24*time.Hour)), "days"
	default:
		return p.Date(t)
	}
	if future {
		return p.N("time.in_"+unit, n)
	}
	return p.N("time."+unit+"_ago", n)
}
