package i18n

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/lang"
)

// catalog reads one language's locale files as written (a message is a
// string or an object of plural forms), merged; a key in two files fails.
func catalog(t *testing.T, l lang.Lang) map[string]any {
	t.Helper()
	all := map[string]any{}
	where := map[string]string{}
	for _, name := range catalogFiles(l) {
		buf, err := files.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(buf, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for k, v := range m {
			if w, dup := where[k]; dup {
				t.Errorf("key %q is in both %s and %s: a key lives in one file", k, w, name)
			}
			where[k], all[k] = name, v
		}
	}
	return all
}

// TestEveryAreaHasEveryLanguage fails when an area's catalog file is
// missing for a language (its keys would all fall back to English).
func TestEveryAreaHasEveryLanguage(t *testing.T) {
	areas, err := fs.Glob(files, "locales/*/en.json")
	if err != nil || len(areas) == 0 {
		t.Fatalf("no area catalogs: %v", err)
	}
	for _, a := range areas {
		dir := strings.TrimSuffix(a, "en.json")
		for _, l := range lang.Supported {
			if _, err := files.ReadFile(dir + string(l) + ".json"); err != nil {
				t.Errorf("%s lacks %s.json", dir, l)
			}
		}
	}
}

var placeholder = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

func placeholders(v any) map[string]bool {
	out := map[string]bool{}
	add := func(s string) {
		for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
			out[m[1]] = true
		}
	}
	switch x := v.(type) {
	case string:
		add(x)
	case map[string]any:
		for _, f := range x {
			if s, ok := f.(string); ok {
				add(s)
			}
		}
	}
	return out
}

// TestCatalogsAreComplete fails when a catalog lacks a key English has,
// has a key English lacks, uses a value English does not provide, or lacks
// a plural form its language needs for some count (the message would fall
// back to English for that count).
func TestCatalogsAreComplete(t *testing.T) {
	en := catalog(t, lang.English)
	c := New()
	counts := []int{0, 1, 2, 3, 4, 5, 6, 10, 11, 12, 19, 20, 21, 22, 100, 101, 102, 103, 111, 1000, 1000000}
	for _, l := range lang.Supported {
		t.Run(string(l), func(t *testing.T) {
			m := catalog(t, l)
			var missing, extra []string
			for k := range en {
				if _, ok := m[k]; !ok {
					missing = append(missing, k)
				}
			}
			for k := range m {
				if _, ok := en[k]; !ok {
					extra = append(extra, k)
				}
			}
			sort.Strings(missing)
			sort.Strings(extra)
			if len(missing) > 0 {
				t.Errorf("%s lacks %d lang.English keys: %v", l, len(missing), missing)
			}
			if len(extra) > 0 {
				t.Errorf("%s has keys lang.English does not: %v", l, extra)
			}
			p := c.Printer(l, nil)
			for k, v := range m {
				want := placeholders(en[k])
				for p := range placeholders(v) {
					if !want[p] && p != "Count" {
						t.Errorf("%s %s uses {{.%s}}, which lang.English does not provide", l, k, p)
					}
				}
				forms, plural := v.(map[string]any)
				if !plural {
					continue
				}
				if _, ok := forms["other"]; !ok {
					t.Errorf("%s %s has no \"other\" form", l, k)
				}
				for _, n := range counts {
					f := pluralForm(l, n)
					if _, ok := p.msgs[k].form(f); !ok {
						t.Errorf("%s %s for %d: no %q form (it would fall back to English)", l, k, n, f)
					}
				}
			}
		})
	}
}

func TestNegotiate(t *testing.T) {
	for _, c := range []struct {
		setting, accept string
		want            lang.Lang
	}{
		{"de", "fr-FR,fr;q=0.9", lang.German},          // the person's setting wins
		{"", "fr-CH, fr;q=0.9, en;q=0.8", lang.French}, // regional variants match their language
		{"", "pt-BR", lang.Portuguese},
		{"", "ar-EG,ar;q=0.9", lang.Arabic},
		{"", "ja,en-GB;q=0.5", lang.English},
		{"", "ja", lang.English}, // nothing supported
		{"", "", lang.English},
		{"", "not a header;;;q=x", lang.English},
		{"xx", "nl", lang.Dutch}, // an unsupported setting is ignored
		{" ES ", "", lang.Spanish},
	} {
		if got := Negotiate(c.setting, c.accept); got != c.want {
			t.Errorf("Negotiate(%q, %q) = %s, want %s", c.setting, c.accept, got, c.want)
		}
	}
	if got := Negotiate("", strings.Repeat("de,", 10000)); got != lang.German {
		t.Errorf("a long header: %s", got)
	}
}

func TestDatesTimesAndNumbersFollowTheLanguage(t *testing.T) {
	c := New()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 5, 13, 5, 0, 0, time.UTC) // 14:05 in Berlin
	for _, x := range []struct {
		lang           lang.Lang
		date, datetime string
		number         string
	}{
		{lang.English, "5 Dec 2026", "5 Dec 2026, 14:05", "1,234,567"},
		{lang.German, "5. Dez. 2026", "5. Dez. 2026, 14:05", "1.234.567"},
		{lang.French, "5 déc. 2026", "5 déc. 2026 à 14:05", "1\u00a0234\u00a0567"},
		{lang.Portuguese, "5 de dez. de 2026", "5 de dez. de 2026, 14:05", "1.234.567"},
		{lang.Arabic, "5 ديسمبر 2026", "5 ديسمبر 2026، 14:05", "1,234,567"},
	} {
		p := c.Printer(x.lang, berlin)
		if got := p.Date(at); got != x.date {
			t.Errorf("%s date: %q, want %q", x.lang, got, x.date)
		}
		if got := p.DateTime(at); got != x.datetime {
			t.Errorf("%s datetime: %q, want %q", x.lang, got, x.datetime)
		}
		if got := p.Number(1234567); x.number != "" && got != x.number {
			t.Errorf("%s number: %q, want %q", x.lang, got, x.number)
		}
	}
	if got := c.Printer(lang.English, nil).Time(at); got != "13:05" {
		t.Errorf("no zone means UTC: %q", got)
	}
}

func TestRelativeTimes(t *testing.T) {
	c := New()
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	en, de, ar := c.Printer(lang.English, nil), c.Printer(lang.German, nil), c.Printer(lang.Arabic, nil)
	for _, x := range []struct {
		p    *Printer
		at   time.Time
		want string
	}{
		{en, now.Add(-20 * time.Second), "just now"},
		{en, now.Add(-1 * time.Minute), "1 minute ago"},
		{en, now.Add(-5 * time.Minute), "5 minutes ago"},
		{en, now.Add(-3 * time.Hour), "3 hours ago"},
		{en, now.Add(-30 * time.Hour), "yesterday"},
		{en, now.Add(-3 * 24 * time.Hour), "3 days ago"},
		{en, now.Add(-10 * 24 * time.Hour), "25 Nov 2026"},
		{en, now.Add(2 * time.Hour), "in 2 hours"},
		{en, now.Add(26 * time.Hour), "tomorrow"},
		{de, now.Add(-5 * time.Minute), "vor 5 Minuten"},
		{de, now.Add(3 * 24 * time.Hour), "in 3 Tagen"},
		{ar, now.Add(-2 * time.Hour), "منذ ساعتين"},
		{ar, now.Add(-5 * time.Hour), "منذ 5 ساعات"},
	} {
		if got := x.p.Relative(x.at, now); got != x.want {
			t.Errorf("%s %v before: %q, want %q", x.p.Lang(), now.Sub(x.at), got, x.want)
		}
	}
}

func TestPluralsAndFallbacks(t *testing.T) {
	c := New()
	en := c.Printer(lang.English, nil)
	if got := en.N("count.comments", 1); got != "1 comment" {
		t.Errorf("one: %q", got)
	}
	if got := en.N("count.comments", 1200); got != "1,200 comments" {
		t.Errorf("other: %q", got)
	}
	if got := c.Printer(lang.Arabic, nil).N("count.comments", 2); got != "تعليقان" {
		t.Errorf("Arabic dual: %q", got)
	}
	if got := en.T("no.such.key"); !strings.HasPrefix(got, Missing) {
		t.Errorf("a missing key reads %q, not a marker", got)
	}
	if p := c.Printer("xx", nil); p.Lang() != lang.English || p.Dir() != "ltr" {
		t.Errorf("an unsupported language: %s %s", p.Lang(), p.Dir())
	}
	if c.Printer(lang.Arabic, nil).Dir() != "rtl" {
		t.Error("Arabic is not right to left")
	}
}

// Typed text in a message that may run the other way is isolated; plain
// left-to-right text in a left-to-right message is left alone.
func TestIsolate(t *testing.T) {
	c := New()
	en, ar := c.Printer(lang.English, nil), c.Printer(lang.Arabic, nil)
	cases := []struct {
		p    *Printer
		in   string
		want string
	}{
		{en, "Plant tomatoes?", "Plant tomatoes?"},
		{en, "", ""},
		{en, "ليلى", "\u2068ليلى\u2069"},
		{en, "שלום", "\u2068שלום\u2069"},
		{ar, "Plant tomatoes?", "\u2068Plant tomatoes?\u2069"},
		{ar, "", ""},
	}
	for _, c := range cases {
		if got := c.p.Isolate(c.in); got != c.want {
			t.Errorf("%s Isolate(%q) = %q, want %q", c.p.Lang(), c.in, got, c.want)
		}
	}
}

func TestZone(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"", "UTC"},
		{"UTC", "UTC"},
		{"Europe/Berlin", "Europe/Berlin"},
		{"Mars/Olympus", "UTC"},
		{"../etc/passwd", "UTC"},
	} {
		if got := Zone(tc.name).String(); got != tc.want {
			t.Errorf("Zone(%q) = %s, want %s", tc.name, got, tc.want)
		}
	}
	p := New().PrinterIn("de", "America/New_York")
	if p.Location().String() != "America/New_York" || p.Lang() != "de" {
		t.Errorf("PrinterIn gave %s %s", p.Lang(), p.Location())
	}
}
