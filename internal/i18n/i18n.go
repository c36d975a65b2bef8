// Package i18n gives every page, email and API message its reader's
// language: the supported languages, choosing one from a person's setting or
// the browser's Accept-Language, message catalogs with plural forms, and
// dates, times and numbers in the language's formats and the reader's time
// zone.
//
// Catalogs are the JSON files in locales/ (go-i18n's format: a message is a
// string, or an object of CLDR plural forms "zero", "one", "two", "few",
// "many", "other"; {{.Name}} inserts a value, {{.Count}} the plural count).
// English is the source: every other catalog must have every English key
// with every plural form its language uses (TestCatalogsAreComplete). A
// message missing at run time falls back to English, never to its id.
//
// Why go-i18n (github.com/nicksnyder/go-i18n/v2) rather than
// golang.org/x/text/message: catalogs stay plain files that translators edit
// and tests read, with no code generation step (gotext) in the build; it
// implements CLDR plural rules for every language including Arabic's six
// forms; and it falls back per message. golang.org/x/text still does
// language matching (Accept-Language) and number formatting.
//
// Catalogs are parsed lazily, once per language, on first use: a cold start
// that serves one language parses one file.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/quorum-app/quorum/internal/lang"
)

// Catalogs: locales/<lang>.json (emails, shared formats) and one file per
// area, locales/<area>/<lang>.json (pages: each part of the product keeps
// its keys in its own file, so parallel changes do not collide). A key
// lives in exactly one file (TestCatalogsAreComplete).
//
//go:embed locales/*.json locales/*/*.json
var files embed.FS

// catalogFiles are the files holding language l's messages.
func catalogFiles(l lang.Lang) []string {
	out := []string{"locales/" + string(l) + ".json"}
	areas, _ := fs.Glob(files, "locales/*/"+string(l)+".json")
	return append(out, areas...)
}

// tag is l as a language tag.
func tag(l lang.Lang) language.Tag { return language.Make(string(l)) }

var matcher = sync.OnceValue(func() language.Matcher {
	tags := make([]language.Tag, len(lang.Supported))
	for i, l := range lang.Supported {
		tags[i] = tag(l)
	}
	return language.NewMatcher(tags)
})

// Negotiate picks the language for a reader: their own setting when it is
// supported, else the best match of the browser's Accept-Language header,
// else English. A malformed header counts as absent.
func Negotiate(setting, acceptLanguage string) lang.Lang {
	if l := lang.Lang(strings.ToLower(strings.TrimSpace(setting))); l.Valid() {
		return l
	}
	if len(acceptLanguage) > 512 {
		acceptLanguage = acceptLanguage[:512] // a bounded parse of a header anyone can send
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return lang.English
	}
	_, i, conf := matcher().Match(tags...)
	if conf == language.No {
		return lang.English
	}
	return lang.Supported[i]
}

// Catalog holds the message catalogs; each language's is parsed on first
// use into a bundle of its own (with English, the fallback), which is never
// changed once built, so printers of any language may run concurrently
// while another language loads.
type Catalog struct {
	mu      sync.Mutex
	bundles map[lang.Lang]*goi18n.Bundle
}

// New returns the catalog of every supported language (nothing parsed yet).
func New() *Catalog {
	return &Catalog{bundles: map[lang.Lang]*goi18n.Bundle{}}
}

// bundle is l's bundle (English and l), parsed once.
func (c *Catalog) bundle(l lang.Lang) *goi18n.Bundle {
	c.mu.Lock()
	defer c.mu.Unlock()
	if b := c.bundles[l]; b != nil {
		return b
	}
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	langs := []lang.Lang{lang.English}
	if l != lang.English {
		langs = append(langs, l)
	}
	for _, x := range langs {
		for _, name := range catalogFiles(x) {
			buf, err := files.ReadFile(name)
			if err == nil {
				_, err = b.ParseMessageFileBytes(buf, string(x)+".json")
			}
			if err != nil {
				// The catalogs are embedded and checked by tests: a broken
				// one is a build defect, not a condition to serve around.
				panic(fmt.Sprintf("i18n: catalog %s: %v", name, err))
			}
		}
	}
	c.bundles[l] = b
	return b
}
