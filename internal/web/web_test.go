package web_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/web"
)

// viewer is a signed-in person with a time zone.
type viewer struct {
	Name string
	loc  *time.Location
}

func (v viewer) Location() *time.Location { return v.loc }

// Pages show dates in the viewer's time zone, named; without one, in UTC.
// Rendering for one zone leaves the next page's dates alone.
func TestDatesAreInTheViewersTimeZone(t *testing.T) {
	r, err := web.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	expires := time.Date(2026, 7, 1, 22, 30, 0, 0, time.UTC)
	data := map[string]any{"Kind": "invitation", "Preview": map[string]any{
		"Group": map[string]any{"Name": "Garden", "Privacy": "open"}, "Email": "ada@example.org", "ExpiresAt": expires}}
	page := func(v any) string {
		t.Helper()
		w := httptest.NewRecorder()
		r.Render(w, httptest.NewRequest("GET", "/invitations/x", nil), 200, "group_accept", web.PageData{Title: "Join", Data: data, Viewer: v})
		if w.Code != 200 {
			t.Fatalf("render: %d %s", w.Code, w.Body)
		}
		return w.Body.String()
	}
	for _, c := range []struct {
		name string
		v    any
		want string
	}{
		{"Berlin", viewer{Name: "Ada", loc: berlin}, "2 Jul 2026, 00:30 CEST"},
		{"no zone", viewer{Name: "Ada", loc: time.UTC}, "1 Jul 2026, 22:30 UTC"},
		{"signed out", nil, "1 Jul 2026, 22:30 UTC"},
		{"Berlin again", viewer{Name: "Ada", loc: berlin}, "2 Jul 2026, 00:30 CEST"},
	} {
		if got := page(c.v); !strings.Contains(got, "expires on "+c.want) {
			i := strings.Index(got, "expires on")
			t.Errorf("%s: want %q, page says %q", c.name, c.want, got[i:min(len(got), i+40)])
		}
	}
}

// speaker is a signed-in person with a language setting.
type speaker struct {
	Name string
	l    lang.Lang
}

func (s speaker) Lang() lang.Lang { return s.l }

// Pages are written in the reader's language: their setting when signed in,
// the browser's Accept-Language when signed out; Arabic pages run right to
// left. Dates follow the language too.
func TestPagesSpeakTheReadersLanguage(t *testing.T) {
	r, err := web.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	expires := time.Date(2026, 12, 1, 22, 30, 0, 0, time.UTC)
	data := map[string]any{"Kind": "invitation", "Preview": map[string]any{
		"Group": map[string]any{"Name": "Garden", "Privacy": "open"}, "Email": "ada@example.org", "ExpiresAt": expires}}
	for _, c := range []struct {
		name   string
		v      any
		accept string
		want   []string
	}{
		{"German setting", speaker{Name: "Ada", l: lang.German}, "fr", []string{`<html lang="de" dir="ltr">`, "Abmelden", "1. Dez. 2026, 22:30 UTC"}},
		{"Arabic setting", speaker{Name: "Ada", l: lang.Arabic}, "", []string{`<html lang="ar" dir="rtl">`, "تسجيل الخروج"}},
		{"signed out, French browser", nil, "fr-CH, en;q=0.5", []string{`<html lang="fr" dir="ltr">`, "Se connecter", "Conditions d’utilisation"}},
		{"signed out, no preference", nil, "", []string{`<html lang="en" dir="ltr">`, "Sign in", "Terms of service"}},
		{"English setting beats the browser", speaker{Name: "Ada", l: lang.English}, "de", []string{`<html lang="en" dir="ltr">`, "Sign out"}},
	} {
		w := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/invitations/x", nil)
		if c.accept != "" {
			req.Header.Set("Accept-Language", c.accept)
		}
		r.Render(w, req, 200, "group_accept", web.PageData{Title: "Join", Data: data, Viewer: c.v})
		body := w.Body.String()
		for _, want := range c.want {
			if !strings.Contains(body, want) {
				t.Errorf("%s: page lacks %q", c.name, want)
			}
		}
		if strings.Contains(body, "⟦") {
			t.Errorf("%s: page has a missing-key marker", c.name)
		}
	}
}

// Counts read as English does: "1 comment", "2 comments"; a thread with
// none says so once, in its empty state, not also as "(0 comments)".
func TestCountsUseTheSingularForOne(t *testing.T) {
	r, err := web.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for n, want := range map[int]string{0: "No comments yet.", 1: "1 comment)", 2: "2 comments"} {
		w := httptest.NewRecorder()
		data := map[string]any{"Thread": map[string]any{"ID": "t1", "Title": "Bins", "Comments": n, "CreatedAt": time.Now()}}
		r.Render(w, httptest.NewRequest("GET", "/threads/t1", nil), 200, "thread", web.PageData{Title: "Bins", Data: data})
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("%d comments: page lacks %q (%d)", n, want, w.Code)
		}
		if n == 0 && strings.Contains(w.Body.String(), "0 comments") {
			t.Errorf("no comments: the page also says \"0 comments\"")
		}
	}
}

// BenchmarkRenderInZone is the cost of a page for a viewer with a time zone
// (the page's templates are cloned and escaped for each such render) next
// to a viewer in UTC.
func BenchmarkRenderInZone(b *testing.B) {
	r, err := web.New(nil)
	if err != nil {
		b.Fatal(err)
	}
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	data := map[string]any{"Thread": map[string]any{"ID": "t1", "Title": "Bins", "Comments": 3, "CreatedAt": time.Now()}}
	for _, c := range []struct {
		name string
		loc  *time.Location
	}{{"UTC", time.UTC}, {"Tokyo", tokyo}} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				w := httptest.NewRecorder()
				r.Render(w, httptest.NewRequest("GET", "/threads/t1", nil), 200, "thread",
					web.PageData{Title: "Bins", Data: data, Viewer: viewer{Name: "Ada", loc: c.loc}})
			}
		})
	}
}
