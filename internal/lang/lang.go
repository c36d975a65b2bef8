// Package lang names the interface languages Quorum supports and what each
// needs to be shown (its own name, its text direction). It is a leaf with no
// dependencies, so any core can validate a language setting without linking
// the catalogs and formatting of internal/i18n.
package lang

// Lang is a supported interface language (a BCP 47 base tag).
type Lang string

// The supported languages. English is the source of every catalog.
const (
	English    Lang = "en"
	German     Lang = "de"
	Spanish    Lang = "es"
	French     Lang = "fr"
	Italian    Lang = "it"
	Dutch      Lang = "nl"
	Portuguese Lang = "pt"
	Arabic     Lang = "ar"
)

// Supported lists every language in the order settings show them.
var Supported = []Lang{English, German, Spanish, French, Italian, Dutch, Portuguese, Arabic}

// Valid reports whether l is supported.
func (l Lang) Valid() bool {
	for _, s := range Supported {
		if s == l {
			return true
		}
	}
	return false
}

// NativeName is l's name in l itself, as a language menu shows it.
func (l Lang) NativeName() string {
	switch l {
	case English:
		return "English"
	case German:
		return "Deutsch"
	case Spanish:
		return "Español"
	case French:
		return "Français"
	case Italian:
		return "Italiano"
	case Dutch:
		return "Nederlands"
	case Portuguese:
		return "Português"
	case Arabic:
		return "العربية"
	}
	return string(l)
}

// Dir is the text direction of l: "rtl" for Arabic, "ltr" otherwise.
func (l Lang) Dir() string {
	if l == Arabic {
		return "rtl"
	}
	return "ltr"
}
