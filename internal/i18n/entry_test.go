package i18n

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/quorum-app/quorum/internal/lang"
)

// The plural rules of entry.go are CLDR's as go-i18n implements them (the
// library the catalogs were written for, used here in tests only): for
// every supported language and a range of counts, the same form. A language
// added to lang.Supported fails here until its rule is written.
func TestPluralRulesMatchGoI18n(t *testing.T) {
	forms := &goi18n.Message{ID: "m", Zero: "zero", One: "one", Two: "two", Few: "few", Many: "many", Other: "other"}
	counts := []int{}
	for n := 0; n <= 2500; n++ {
		counts = append(counts, n)
	}
	counts = append(counts, 100000, 999999, 1000000, 1000001, 2000000, 10000000, 1000000000, -1, -2, -3)
	for _, l := range lang.Supported {
		b := goi18n.NewBundle(language.English)
		b.MustAddMessages(language.Make(string(l)), forms)
		lz := goi18n.NewLocalizer(b, string(l))
		for _, n := range counts {
			want, err := lz.Localize(&goi18n.LocalizeConfig{MessageID: "m", PluralCount: n})
			if err != nil {
				t.Fatalf("%s %d: %v", l, n, err)
			}
			if got := pluralForm(l, n); got != want {
				t.Errorf("%s: %d is %q, go-i18n says %q", l, n, got, want)
			}
		}
	}
}

var onlyPlaceholders = regexp.MustCompile(`\{\{\.[A-Za-z][A-Za-z0-9_]*\}\}`)

// fill substitutes {{.Name}} and nothing else: a catalog that uses any
// other template syntax ({{ .Name }}, {{if}}, pipes) fails here rather than
// showing its braces to a reader.
func TestCatalogsUseOnlyPlaceholders(t *testing.T) {
	names, err := fs.Glob(files, "locales/*.json")
	more, err2 := fs.Glob(files, "locales/*/*.json")
	if err != nil || err2 != nil || len(names)+len(more) < 16 {
		t.Fatalf("catalogs: %v %v", err, err2)
	}
	for _, name := range append(names, more...) {
		buf, err := files.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]entry{}
		if err := parseCatalog(buf, m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for k, e := range m {
			texts := []string{e.text}
			for _, s := range e.forms {
				texts = append(texts, s)
			}
			for _, s := range texts {
				if rest := onlyPlaceholders.ReplaceAllString(s, ""); strings.Contains(rest, "{{") || strings.Contains(rest, "}}") {
					t.Errorf("%s %s: only {{.Name}} placeholders are filled in: %q", name, k, s)
				}
			}
		}
	}
}

func TestFill(t *testing.T) {
	for _, c := range []struct {
		s    string
		kv   []any
		want string
	}{
		{"plain", nil, "plain"},
		{"{{.Name}} started {{.Title}}", []any{"Name", "Ada", "Title", "Plant"}, "Ada started Plant"},
		{"{{.Count}} votes", []any{"Count", 3}, "3 votes"},
		{"a {{.Name}}{{.Name}} b", []any{"Name", "x"}, "a xx b"},
		{"{{.Missing}}!", []any{"Name", "x"}, "!"},
		{"{{.Name}}", []any{"Name", nil}, ""},
		{"odd {{ .Name }} and {{.Name", []any{"Name", "x"}, "odd {{ .Name }} and {{.Name"},
		{"{{.Name}} is {{.Name}", []any{"Name", "{{.Name}}"}, "{{.Name}} is {{.Name}"}, // values are not expanded again
	} {
		if got := fill(c.s, c.kv); got != c.want {
			t.Errorf("fill(%q, %v) = %q, want %q", c.s, c.kv, got, c.want)
		}
	}
}

// A catalog file is a map of strings and plural forms: anything else is a
// build defect the catalog reports.
func TestParseCatalogRejectsOtherShapes(t *testing.T) {
	for _, bad := range []string{`[]`, `{"a": 1}`, `{"a": {"one": "x", "description": "y"}}`, `{"a": {"b": {"c": "d"}}}`} {
		if err := parseCatalog([]byte(bad), map[string]entry{}); err == nil {
			t.Errorf("%s parsed", bad)
		}
	}
	m := map[string]entry{}
	if err := parseCatalog([]byte(`{"a": "x", "b": {"one": "1", "other": "n"}}`), m); err != nil || m["a"].text != "x" ||
		m["b"].forms["other"] != "n" {
		t.Errorf("%v %v", m, err)
	}
}
