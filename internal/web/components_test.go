package web_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/web"
)

// The design system's partials (templates/_components.html) reach every
// page: a notice after a redirect is a toast (role=status) and nothing
// without one; an empty list is an empty state.
func TestComponentPartials(t *testing.T) {
	r, err := web.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Has("_components") {
		t.Error("_components.html is a set of partials, not a page")
	}
	page := func(data map[string]any) string {
		t.Helper()
		w := httptest.NewRecorder()
		r.Render(w, httptest.NewRequest("GET", "/notifications", nil), 200, "notifications", web.PageData{Title: "N", Data: data})
		if w.Code != 200 {
			t.Fatalf("render: %d %s", w.Code, w.Body)
		}
		return w.Body.String()
	}
	with := page(map[string]any{"Notice": "All read <now>."})
	if !strings.Contains(with, `<p class="flash ok toast" role="status">All read &lt;now&gt;.</p>`) {
		t.Errorf("no toast (escaped) for a notice:\n%s", with)
	}
	without := page(map[string]any{})
	if strings.Contains(without, "toast") {
		t.Errorf("a toast without a notice:\n%s", without)
	}
	if !strings.Contains(without, `<p class="empty">`) {
		t.Errorf("no empty state for no notifications:\n%s", without)
	}
}
