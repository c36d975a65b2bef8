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
// The files are in go-i18n's format (github.com/nicksnyder/go-i18n/v2), but
// this package reads them itself, with CLDR's plural rules for the
// supported languages (entry.go; the tests compare them with go-i18n's)
// and a plain substitution of {{.Name}} placeholders: go-i18n executes
// text/template for every message, and a program that executes a template
// keeps every exported method of every type it links (the mailer was 34 MB
// instead of 19). Catalogs stay plain files that translators edit and tests
// read, with no code generation step (gotext) in the build, and a message
// falls back to English on its own. golang.org/x/text does language
// matching (Accept-Language) and number formatting.
//
// Catalogs are parsed lazily, once per language, on first use: a cold start
// that serves one language parses one file.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/text/language"

	"github.com/quorum-app/quorum/internal/lang"
)

// Catalogs: locales/<lang>.json (emails, shared formats) and one file per
// area, locales/<area>/<lang>.json (pages: each part of the product keeps
// its keys in its own file, so parallel changes do not collide). A key
// lives in exactly one file (TestCatalogsAreComplete).
//
// coreFiles are the catalogs of what every function words (emails, error
// messages, the words filled into them): the root files and the areas in
// coreAreas. pageFiles are all of them, the page areas (about 1.1 MB) with
// them; only IncludePages reaches pageFiles, so the functions without
// pages (mailer, inbound, scheduler) do not carry them.
// TestFunctionsWithoutPagesUseOnlyCoreKeys checks that no package those
// functions link names a key of a page area: a key used there belongs in a
// core area (add its directory to coreAreas and to coreFiles' patterns).
//
//go:embed locales/*.json locales/errors/*.json locales/i18n/*.json locales/outcome/*.json locales/d16/*.json locales/ux1/*.json
var coreFiles embed.FS

//go:embed locales/*.json locales/*/*.json
var pageFiles embed.FS

// coreAreas are the areas in coreFiles.
var coreAreas = []string{"errors", "i18n", "outcome", "d16", "ux1"}

// pages is pageFiles once IncludePages was called.
var pages atomic.Pointer[embed.FS]

// IncludePages makes every catalog of the process read the page areas too
// (catalogs already parsed are parsed again on their next use). The HTTP
// layer (internal/web, internal/api, internal/server: the api function)
// calls it when it is built.
func IncludePages() { pages.Store(&pageFiles) }

// catalogFS is where catalogs are read from now, and whether it holds the
// page areas.
func catalogFS() (embed.FS, bool) {
	if p := pages.Load(); p != nil {
		return *p, true
	}
	return coreFiles, false
}

// catalogFiles are the files holding language l's messages.
func catalogFiles(l lang.Lang) []string {
	fsys, _ := catalogFS()
	return catalogFilesIn(fsys, l)
}

// catalogFilesIn are the files of fsys holding language l's messages.
func catalogFilesIn(fsys fs.FS, l lang.Lang) []string {
	out := []string{"locales/" + string(l) + ".json"}
	areas, _ := fs.Glob(fsys, "locales/*/"+string(l)+".json")
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
// use, and never changed once built, so printers of any language may run
// concurrently while another language loads.
type Catalog struct {
	mu    sync.Mutex
	langs map[lang.Lang]map[string]entry
	paged map[lang.Lang]bool // whether langs[l] has the page areas
}

// New returns the catalog of every supported language (nothing parsed yet).
func New() *Catalog {
	return &Catalog{langs: map[lang.Lang]map[string]entry{}, paged: map[lang.Lang]bool{}}
}

// messages are l's messages, parsed once.
func (c *Catalog) messages(l lang.Lang) map[string]entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	fsys, paged := catalogFS()
	if m := c.langs[l]; m != nil && c.paged[l] == paged {
		return m
	}
	m := map[string]entry{}
	for _, name := range catalogFilesIn(fsys, l) {
		buf, err := fsys.ReadFile(name)
		if err == nil {
			err = parseCatalog(buf, m)
		}
		if err != nil {
			// The catalogs are embedded and checked by tests: a broken
			// one is a build defect, not a condition to serve around.
			panic(fmt.Sprintf("i18n: catalog %s: %v", name, err))
		}
	}
	c.langs[l], c.paged[l] = m, paged
	return m
}
