package i18n

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/quorum-app/quorum/internal/lang"
)

// entry is one catalog message: a text, or a text per CLDR plural form
// ("zero", "one", "two", "few", "many", "other").
type entry struct {
	text  string
	forms map[string]string
}

// pluralForms are the names a plural message's keys may have.
var pluralForms = map[string]bool{"zero": true, "one": true, "two": true, "few": true, "many": true, "other": true}

// parseCatalog reads one catalog file (go-i18n's JSON format, as the files
// are written: a key's value is a string or an object of plural forms) into
// into.
func parseCatalog(buf []byte, into map[string]entry) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(buf, &raw); err != nil {
		return err
	}
	for k, v := range raw {
		var s string
		if json.Unmarshal(v, &s) == nil {
			into[k] = entry{text: s}
			continue
		}
		var forms map[string]string
		if err := json.Unmarshal(v, &forms); err != nil {
			return fmt.Errorf("%s: neither a string nor plural forms: %w", k, err)
		}
		for f := range forms {
			if !pluralForms[f] {
				return fmt.Errorf("%s: %q is not a plural form", k, f)
			}
		}
		into[k] = entry{forms: forms}
	}
	return nil
}

// form is the message's text for plural form f ("other" when the message
// has no plural forms); ok is false when it has no such form.
func (m entry) form(f string) (string, bool) {
	if m.forms == nil {
		return m.text, true
	}
	s, ok := m.forms[f]
	return s, ok
}

// pluralForm is the CLDR cardinal plural form of the whole number n in
// language l (integers only: counts have no visible fraction digits, so the
// operands are i = |n|, v = w = f = t = 0 and e = 0). The rules are CLDR's
// (the same go-i18n implements; TestPluralRulesMatchGoI18n compares them
// for every supported language). A language without rules here panics: a
// new language needs its rule added, which that test points at.
func pluralForm(l lang.Lang, n int) string {
	if n < 0 {
		n = -n
	}
	// "many" in the Romance languages: a non-zero multiple of a million
	// ("1 million de votes", "1 millón de votos").
	million := n != 0 && n%1000000 == 0
	switch l {
	case lang.English, lang.German, lang.Dutch:
		if n == 1 {
			return "one"
		}
	case lang.Italian, lang.Spanish:
		if n == 1 {
			return "one"
		}
		if million {
			return "many"
		}
	case lang.French, lang.Portuguese:
		if n == 0 || n == 1 {
			return "one"
		}
		if million {
			return "many"
		}
	case lang.Arabic:
		switch m := n % 100; {
		case n == 0:
			return "zero"
		case n == 1:
			return "one"
		case n == 2:
			return "two"
		case m >= 3 && m <= 10:
			return "few"
		case m >= 11 && m <= 99:
			return "many"
		}
	default:
		panic("i18n: no plural rule for " + string(l))
	}
	return "other"
}

// fill replaces every {{.Name}} in s with the value named Name in kv
// (name/value pairs; a value is written as fmt.Sprint writes it, a name
// not given as ""). The catalogs use no other template syntax
// (TestCatalogsUseOnlyPlaceholders): this is not a template engine, and
// executing text/template here would make the linker keep every exported
// method of every type in every function (docs/architecture.md, "Cold
// starts and binary size").
func fill(s string, kv []any) string {
	i := strings.Index(s, "{{")
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i >= 0 {
		b.WriteString(s[:i])
		s = s[i:]
		end := strings.Index(s, "}}")
		if end < 0 || !strings.HasPrefix(s, "{{.") {
			break
		}
		b.WriteString(value(s[3:end], kv))
		s = s[end+2:]
		i = strings.Index(s, "{{")
	}
	b.WriteString(s)
	return b.String()
}

// value is the value named name in the name/value pairs kv, as text.
func value(name string, kv []any) string {
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok && k == name {
			if kv[i+1] == nil {
				return ""
			}
			return fmt.Sprint(kv[i+1])
		}
	}
	return ""
}
