package web_test

import (
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/web"
)

// Pages are parsed on first use (a cold start of the api function parses
// none), so this is where a template that does not parse is caught: every
// page, with the layout and the partials.
func TestEveryPageTemplateParses(t *testing.T) {
	r, err := web.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	pages := r.Pages()
	if len(pages) < 40 {
		t.Fatalf("only %d page templates found: %v", len(pages), pages)
	}
	for _, want := range []string{"error", "thread", "group_accept"} {
		if !r.Has(want) {
			t.Errorf("no page %q among %v", want, pages)
		}
	}
	if r.Has("layout") || r.Has("_components") {
		t.Error("the layout and the partials are not pages")
	}
	if err := r.ParseAll(); err != nil {
		t.Fatal(err)
	}
}

// The first renders of a page may come from many requests at once: the
// page is parsed once, and every one of them gets it whole (go test -race
// checks the sharing).
func TestFirstRendersOfAPageAtOnce(t *testing.T) {
	r, err := web.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	bodies := make([]string, 16)
	codes := make([]int, 16)
	for i := range bodies {
		wg.Go(func() {
			w := httptest.NewRecorder()
			var v any
			if i%2 == 1 {
				v = viewer{Name: "Ada", loc: tokyo}
			}
			r.Render(w, httptest.NewRequest("GET", "/x", nil), 404, "error",
				web.PageData{Title: "Gone", Data: map[string]any{"Status": 404, "Message": "gone"}, Viewer: v})
			bodies[i], codes[i] = w.Body.String(), w.Code
		})
	}
	wg.Wait()
	for i := range bodies {
		if codes[i] != 404 || len(bodies[i]) < 200 {
			t.Fatalf("render %d: %d %q", i, codes[i], bodies[i])
		}
		if i >= 2 && bodies[i] != bodies[i%2] {
			t.Errorf("render %d differs from render %d", i, i%2)
		}
	}
}

// BenchmarkNew is what the api function's start pays for its pages: the
// templates are found, not parsed. BenchmarkFirstRender is a page's first
// request (its parse, once) and BenchmarkParseAll all of them.
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := web.New(nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFirstRender(b *testing.B) {
	for b.Loop() {
		r, err := web.New(nil)
		if err != nil {
			b.Fatal(err)
		}
		w := httptest.NewRecorder()
		r.Render(w, httptest.NewRequest("GET", "/x", nil), 404, "error",
			web.PageData{Title: "Gone", Data: map[string]any{"Status": 404, "Message": "gone"}})
		if w.Code != 404 {
			b.Fatal(w.Code)
		}
	}
}

func BenchmarkParseAll(b *testing.B) {
	for b.Loop() {
		r, err := web.New(nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := r.ParseAll(); err != nil {
			b.Fatal(err)
		}
	}
}
