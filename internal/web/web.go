// Package web renders Quorum's server-side HTML: an embedded layout, one
// template per page and the static assets (CSS, a small script for
// progressive enhancement). Templates use html/template, so every value is
// escaped on render; pages work without JavaScript.
package web

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Renderer renders pages. Build it once at start-up with New.
type Renderer struct {
	// pages render dates in UTC; masters, never executed, are cloned for a
	// viewer with a time zone of their own (a template cannot be cloned
	// once executed).
	pages   map[string]*template.Template
	masters map[string]*template.Template
	// zones caches the clones per time zone name (at most maxZones zones).
	mu     sync.Mutex
	zones  map[string]map[string]*template.Template
	static http.Handler
	log    *slog.Logger
}

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

// New parses every page template together with the layout.
func New(log *slog.Logger) (*Renderer, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Renderer{pages: map[string]*template.Template{}, masters: map[string]*template.Template{}, log: log}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{"date": dateIn(time.UTC), "count": count}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		utc, err := t.Clone()
		if err != nil {
			return nil, fmt.Errorf("clone %s: %w", n, err)
		}
		r.pages[base], r.masters[base] = utc, t
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

// Static serves the embedded assets under /static/.
func (r *Renderer) Static() http.Handler { return r.static }

// Has reports whether a page template exists.
func (r *Renderer) Has(name string) bool { _, ok := r.pages[name]; return ok }

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

// maxZones bounds the time zones whose page clones are kept; past it the
// cache starts afresh (IANA has about 400 names; a deployment sees a few).
const maxZones = 64

// pageIn returns page name with dates in loc: a clone of its never-executed
// master, made once per zone and page, then reused (html/template executes
// one template from many goroutines safely). A fresh clone costs ~0.8 ms
// (escaping the layout and the page again); a cached one nothing more than
// the UTC page.
func (r *Renderer) pageIn(name string, loc *time.Location) (*template.Template, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.zones == nil || len(r.zones) >= maxZones {
		r.zones = map[string]map[string]*template.Template{}
	}
	byPage := r.zones[loc.String()]
	if byPage == nil {
		byPage = map[string]*template.Template{}
		r.zones[loc.String()] = byPage
	}
	if t := byPage[name]; t != nil {
		return t, nil
	}
	c, err := r.masters[name].Clone()
	if err != nil {
		return nil, err
	}
	c = c.Funcs(template.FuncMap{"date": dateIn(loc)})
	byPage[name] = c
	return c, nil
}

// dateIn formats a date and time for a page, in loc, with the zone's name.
func dateIn(loc *time.Location) func(time.Time) string {
	return func(t time.Time) string { return t.In(loc).Format("2 Jan 2006 15:04 MST") }
}

func (r *Renderer) render(w http.ResponseWriter, req *http.Request, status int, name string, pd PageData) {
	t, ok := r.pages[name]
	if !ok {
		r.log.ErrorContext(req.Context(), "unknown page template", "template", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if v, ok := pd.Viewer.(Located); ok {
		if loc := v.Location(); loc != nil && loc != time.UTC {
			c, err := r.pageIn(name, loc)
			if err != nil {
				r.log.ErrorContext(req.Context(), "template clone failed", "template", name, "error", err.Error())
				http.Error(w, "internal error", http.StatusInternalServerError)
				return
			}
			t = c
		}
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
