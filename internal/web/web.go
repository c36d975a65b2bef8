// Package web renders Quorum's server-side HTML: an embedded layout, one
// template per page and the static assets (CSS, a small script for
// progressive enhancement). Templates use html/template, so every value is
// escaped on render; pages work without JavaScript.
package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/lang"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Renderer renders pages. Build it once at start-up with New; it is safe
// for concurrent use.
type Renderer struct {
	// pages are the page templates by name, each parsed on its first use
	// (page.parsed): a cold start of the api function parses none, and a
	// request parses only the page it renders.
	pages map[string]*page
	// variants caches the clones per language and time zone (at most
	// maxVariants).
	mu       sync.Mutex
	variants map[string]map[string]*template.Template
	cat      *i18n.Catalog
	// english is the printer of English dates in UTC, the pages' own;
	// its catalog is read on first use.
	english func() *i18n.Printer
	static  http.Handler
	log     *slog.Logger
}

// page is one page template, parsed with the layout and the partials on
// first use, once: utc renders in English with dates in UTC; master, never
// executed, is cloned for a reader with another language or time zone (a
// template cannot be cloned once executed).
type page struct {
	parsed func() (parsedPage, error)
}

type parsedPage struct{ utc, master *template.Template }

// PageData is what every page template receives.
type PageData struct {
	Title string
	// Viewer is the signed-in person (nil when anonymous); set by later layers.
	Viewer any
	// Data is the page's own data.
	Data any
	// RequestID is shown on error pages so support can find the log line.
	RequestID string
	Year      int
	// Unread is the signed-in person's unread notification count (the nav shows it).
	Unread int64
	// Lang and Dir are the page's language and direction (<html lang dir>),
	// set by the renderer from the reader.
	Lang, Dir string
}

type viewerKey struct{}

// WithViewer returns ctx carrying the signed-in person, so every page
// rendered for this request shows them in the layout (set by the server's
// authentication middleware).
func WithViewer(ctx context.Context, v any) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerFrom returns the viewer stored by WithViewer, or nil.
func ViewerFrom(ctx context.Context) any { return ctx.Value(viewerKey{}) }

type unreadKey struct{}

// WithUnread returns ctx carrying the viewer's unread notification count.
func WithUnread(ctx context.Context, n int64) context.Context {
	return context.WithValue(ctx, unreadKey{}, n)
}

// UnreadFrom returns the count stored by WithUnread, or 0.
func UnreadFrom(ctx context.Context) int64 { n, _ := ctx.Value(unreadKey{}).(int64); return n }

// UnreadKnown returns the count stored by WithUnread and whether there is
// one: a page that says the count again uses the header's, so that the two
// never differ while notifications arrive.
func UnreadKnown(ctx context.Context) (int64, bool) {
	n, ok := ctx.Value(unreadKey{}).(int64)
	return n, ok
}

// New finds the page templates (parsed on first use, each once: the api
// function pays at its cold start for none of them) and the static assets.
// ParseAll parses every page now, for tests and tools.
func New(log *slog.Logger) (*Renderer, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cat := i18n.New()
	r := &Renderer{pages: map[string]*page{}, log: log, cat: cat,
		english: sync.OnceValue(func() *i18n.Printer { return cat.Printer(lang.English, time.UTC) })}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	// Files named _*.html hold partials shared by pages, parsed with every
	// page: the design system's components (_components.html, docs/design.md)
	// and the vote forms of the poll page and the thread's poll cards.
	parts, err := fs.Glob(templateFS, "templates/_*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || strings.HasPrefix(base, "_") {
			continue
		}
		files := append([]string{"templates/layout.html", n}, parts...)
		r.pages[base] = &page{parsed: sync.OnceValues(func() (parsedPage, error) { return r.parse(n, files) })}
	}
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	r.static = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if strings.HasSuffix(req.URL.Path, "/") { // no directory listings
			http.NotFound(w, req)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, req)
	})
	return r, nil
}

// parse parses page file n with the layout and the partials.
func (r *Renderer) parse(n string, files []string) (parsedPage, error) {
	t, err := template.New("layout.html").Funcs(funcsFor(r.english())).ParseFS(templateFS, files...)
	if err != nil {
		return parsedPage{}, fmt.Errorf("parse %s: %w", n, err)
	}
	utc, err := t.Clone()
	if err != nil {
		return parsedPage{}, fmt.Errorf("clone %s: %w", n, err)
	}
	return parsedPage{utc: utc, master: t}, nil
}

// ParseAll parses every page template that is not parsed yet and reports
// the first failure (the template lints and tests; a page that fails to
// parse is otherwise found by its first request, which answers 500).
func (r *Renderer) ParseAll() error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(r.pages)) {
		if _, err := r.pages[name].parsed(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Static serves the embedded assets under /static/.
func (r *Renderer) Static() http.Handler { return r.static }

// Has reports whether a page template exists.
func (r *Renderer) Has(name string) bool { _, ok := r.pages[name]; return ok }

// Pages are the names of the page templates, sorted.
func (r *Renderer) Pages() []string { return slices.Sorted(maps.Keys(r.pages)) }

// Page renders the named page inside the layout. Rendering happens into a
// buffer first, so a template error never produces half a page.
func (r *Renderer) Page(w http.ResponseWriter, req *http.Request, status int, name, title string, data any) {
	r.render(w, req, status, name, PageData{Title: title, Data: data, Year: time.Now().Year(), RequestID: w.Header().Get("X-Request-Id"),
		Viewer: ViewerFrom(req.Context()), Unread: UnreadFrom(req.Context())})
}

// Render renders with full control over PageData.
func (r *Renderer) Render(w http.ResponseWriter, req *http.Request, status int, name string, pd PageData) {
	if pd.Year == 0 {
		pd.Year = time.Now().Year()
	}
	if pd.RequestID == "" {
		pd.RequestID = w.Header().Get("X-Request-Id")
	}
	if pd.Viewer == nil {
		pd.Viewer = ViewerFrom(req.Context())
	}
	if pd.Unread == 0 {
		pd.Unread = UnreadFrom(req.Context())
	}
	r.render(w, req, status, name, pd)
}

// Error renders the error page.
func (r *Renderer) Error(w http.ResponseWriter, req *http.Request, status int, title, message string) {
	r.Page(w, req, status, "error", title, map[string]any{"Status": status, "Message": message})
}

// Located is a viewer with a time zone of their own (the account's
// setting); pages show them dates and times in it.
type Located interface {
	Location() *time.Location
}

// Speaker is a viewer with a language of their own (the account's
// setting); pages are written in it. Signed out, the browser's
// Accept-Language decides (i18n.Negotiate).
type Speaker interface {
	Lang() lang.Lang
}

// Lang is a printer for language l (UTC): for wording what is not a page,
// such as the API's error details in the requester's language.
func (r *Renderer) Lang(l lang.Lang) *i18n.Printer {
	if l == lang.English {
		return r.english()
	}
	return r.cat.Printer(l, time.UTC)
}

// Printer is the reader's printer for req: their language and time zone.
// Handlers word titles, form errors and messages with it, as templates do
// with t and tn.
func (r *Renderer) Printer(req *http.Request) *i18n.Printer {
	return r.printerFor(req, ViewerFrom(req.Context()))
}

func (r *Renderer) printerFor(req *http.Request, viewer any) *i18n.Printer {
	setting := ""
	if s, ok := viewer.(Speaker); ok {
		setting = string(s.Lang())
	}
	l := i18n.Negotiate(setting, req.Header.Get("Accept-Language"))
	loc := time.UTC
	if v, ok := viewer.(Located); ok {
		if x := v.Location(); x != nil {
			loc = x
		}
	}
	if l == lang.English && loc == time.UTC {
		return r.english()
	}
	return r.cat.Printer(l, loc)
}

// funcsFor are the template functions for one reader:
//
//	{{t "page.key" "Name" .Name}}   a message (values as name/value pairs)
//	{{tn "page.key" .Count}}        a message with plural forms
//	{{th "page.key" "URL" "/terms"}} a message holding markup of our own
//	                                (its values are escaped; only for
//	                                catalog text with links or emphasis)
//	{{date .At}}                    date and time in the reader's zone
//	{{day .At}}                     the date alone
//	{{ago .At}}                     "5 minutes ago" (a week or more: the date)
//	{{when .At}}                    ago as a <time> element whose title is
//	                                the full date and time in the reader's zone
//	{{num .N}}                      a number with the language's grouping
func funcsFor(p *i18n.Printer) template.FuncMap {
	return template.FuncMap{
		"t": p.T,
		"tn": func(id string, n any, kv ...any) string {
			return p.N(id, toInt(n), kv...)
		},
		"th": func(id string, kv ...any) template.HTML {
			esc := make([]any, len(kv))
			for i, v := range kv {
				if i%2 == 1 {
					v = template.HTMLEscapeString(fmt.Sprint(v))
				}
				esc[i] = v
			}
			return template.HTML(p.T(id, esc...)) // #nosec G203 -- catalog text (ours), values escaped above
		},
		"date": func(t time.Time) string {
			return p.DateTime(t) + " " + t.In(p.Location()).Format("MST")
		},
		"day":   p.Date,
		"ago":   func(t time.Time) string { return p.Relative(t, time.Now()) },
		"when":  func(t time.Time) template.HTML { return when(p, t, time.Now()) },
		"num":   func(n any) string { return p.Number(toInt(n)) },
		"count": count,
	}
}

// when is t as the timeline shows it: how long ago ("5 minutes ago", a
// week or more the date) in a <time> element that carries the instant and,
// as its title, the date and time in the reader's zone with the zone's name.
func when(p *i18n.Printer, t, now time.Time) template.HTML {
	full := p.DateTime(t) + " " + t.In(p.Location()).Format("MST")
	return template.HTML(`<time datetime="` + t.UTC().Format(time.RFC3339) + `" title="` + template.HTMLEscapeString(full) + `">` + // #nosec G203 -- our own markup, the texts escaped
		template.HTMLEscapeString(p.Relative(t, now)) + `</time>`)
}

// toInt is a template's number (int, int64, …) as an int.
func toInt(n any) int {
	switch x := n.(type) {
	case int:
		return x
	case int64:
		return int(x)
	case int32:
		return int(x)
	case uint:
		return int(x) // #nosec G115 -- counts shown on pages are small
	case uint64:
		return int(x) // #nosec G115 -- counts shown on pages are small
	case float64:
		return int(x)
	}
	return 0
}

// count writes n with the noun's singular or plural form: "1 comment",
// "5 comments" (English; the language issue moves it to the catalogs).
// Count is n with the singular or plural noun: "1 comment", "2 comments"
// (the pages' "count"; English only, as the pages are).
func Count(n any, one, many string) string { return count(n, one, many) }

func count(n any, one, many string) string {
	v := fmt.Sprint(n)
	if v == "1" {
		return v + " " + one
	}
	return v + " " + many
}

// maxVariants bounds the language and time-zone variants whose page clones
// are kept; past it the cache starts afresh (8 languages × the few zones a
// deployment sees).
const maxVariants = 128

// pageFor returns page name for printer p: a clone of its never-executed
// master with p's functions, made once per language, zone and page, then
// reused (html/template executes one template from many goroutines
// safely). A fresh clone costs ~0.8 ms (escaping the layout and the page
// again); a cached one nothing more than the English UTC page.
func (r *Renderer) pageFor(name string, master *template.Template, p *i18n.Printer) (*template.Template, error) {
	key := string(p.Lang()) + "|" + p.Location().String()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.variants == nil || len(r.variants) >= maxVariants {
		r.variants = map[string]map[string]*template.Template{}
	}
	byPage := r.variants[key]
	if byPage == nil {
		byPage = map[string]*template.Template{}
		r.variants[key] = byPage
	}
	if t := byPage[name]; t != nil {
		return t, nil
	}
	c, err := master.Clone()
	if err != nil {
		return nil, err
	}
	c = c.Funcs(funcsFor(p))
	byPage[name] = c
	return c, nil
}

func (r *Renderer) render(w http.ResponseWriter, req *http.Request, status int, name string, pd PageData) {
	pg, ok := r.pages[name]
	if !ok {
		r.log.ErrorContext(req.Context(), "unknown page template", "template", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	parsed, err := pg.parsed()
	if err != nil {
		r.log.ErrorContext(req.Context(), "template parse failed", "template", name, "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	t := parsed.utc
	p := r.printerFor(req, pd.Viewer)
	pd.Lang, pd.Dir = string(p.Lang()), p.Dir()
	if p != r.english() {
		c, err := r.pageFor(name, parsed.master, p)
		if err != nil {
			r.log.ErrorContext(req.Context(), "template clone failed", "template", name, "error", err.Error())
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		t = c
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", pd); err != nil {
		r.log.ErrorContext(req.Context(), "render failed", "template", name, "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
