package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/quorum-app/quorum/internal/web"
)

// tableServer is the whole route table (every core nil: the routes exist
// and answer 503).
func tableServer(t *testing.T) *Server {
	t.Helper()
	r, err := web.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Deps{Web: r})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Every pattern registers, in one mux as before and in every part of the
// route table's mux: a conflict (a panic of ServeMux) fails here, not on a
// request in production.
func TestRouteTableRegisters(t *testing.T) {
	s := tableServer(t)
	one := http.NewServeMux()
	for _, rt := range s.Routes() {
		one.Handle(rt.Pattern, http.NotFoundHandler())
	}
	one.Handle("/", http.NotFoundHandler())
	parts := 0
	s.mux.each(func(string, *http.ServeMux) { parts++ })
	if parts < 10 {
		t.Fatalf("%d parts of %d routes: the table is not split by first segment", parts, len(s.Routes()))
	}
}

// The parts answer every request exactly as one mux of the same table
// does: the same pattern, or the same redirect, 404 or 405 (with the same
// Allow header), for every route's path under every method and for paths
// that are unclean, escaped, trailing-slashed or unknown.
func TestRouteShardsAnswerAsOneMux(t *testing.T) {
	s := tableServer(t)
	patterns := []string{"/"}
	for _, rt := range s.Routes() {
		patterns = append(patterns, rt.Pattern)
	}
	named := func(p string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "%s|%s|%s", p, r.Pattern, r.PathValue("id"))
		})
	}
	one := http.NewServeMux()
	var entries []routeEntry
	for _, p := range patterns {
		one.Handle(p, named(p))
		entries = append(entries, routeEntry{p, named(p)})
	}
	shards := newRouteShards(entries)

	paths := []string{"/", "/api", "/api/", "/groups", "/groups/", "/a/../api/v1/me", "//healthz", "/healthz/",
		"/healthz", "/%61pi/v1/me", "/healthz%2Fx", "/./groups", "/nowhere", "/nowhere/deeper", "/api/../../x",
		"/static", "/static/", "/static/app.css", "/groups/../settings", "/settings/..", "/..", "/%2e%2e/api",
		"/api/v1/../../groups/g1", "/GROUPS", "/groups//g1", "/x/../"}
	for _, p := range patterns {
		_, path, found := strings.Cut(p, " ")
		if !found {
			path = p
		}
		path = strings.ReplaceAll(path, "{$}", "")
		for strings.Contains(path, "{") {
			i := strings.Index(path, "{")
			j := strings.Index(path[i:], "}")
			seg := "v1"
			if strings.HasSuffix(path[i:i+j], "...") {
				seg = "v1/v2"
			}
			path = path[:i] + seg + path[i+j+1:]
		}
		paths = append(paths, path, path+"/", strings.TrimSuffix(path, "/"), path+"/extra")
	}
	methods := []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
	checked := 0
	for _, path := range paths {
		if path == "" {
			continue
		}
		for _, m := range methods {
			want, got := httptest.NewRecorder(), httptest.NewRecorder()
			one.ServeHTTP(want, httptest.NewRequest(m, path, nil))
			shards.ServeHTTP(got, httptest.NewRequest(m, path, nil))
			checked++
			if got.Code != want.Code || got.Body.String() != want.Body.String() ||
				got.Header().Get("Location") != want.Header().Get("Location") ||
				got.Header().Get("Allow") != want.Header().Get("Allow") {
				t.Errorf("%s %s: parts answer %d %q (Location %q, Allow %q), one mux %d %q (Location %q, Allow %q)",
					m, path, got.Code, got.Body.String(), got.Header().Get("Location"), got.Header().Get("Allow"),
					want.Code, want.Body.String(), want.Header().Get("Location"), want.Header().Get("Allow"))
			}
		}
	}
	t.Logf("%d requests compared over %d patterns", checked, len(patterns))
}

func TestPatternFirstSegment(t *testing.T) {
	for _, c := range []struct {
		pattern, seg string
		literal      bool
	}{
		{"GET /healthz", "healthz", true}, {"POST /api/v1/groups/{id}", "api", true}, {"GET /{$}", "", true},
		{"/", "", false}, {"GET /", "", false}, {"GET /{handle}/x", "", false}, {"example.org/x", "", false},
		{"GET example.org/x", "", false}, {"/static/", "static", true},
	} {
		seg, literal := patternFirstSegment(c.pattern)
		if seg != c.seg || literal != c.literal {
			t.Errorf("patternFirstSegment(%q) = %q, %v; want %q, %v", c.pattern, seg, literal, c.seg, c.literal)
		}
	}
}

// The first requests to a part may arrive at once (make dev serves many):
// the part is registered once and each of them is answered by it.
func TestRouteShardsFirstRequestsAtOnce(t *testing.T) {
	var entries []routeEntry
	for _, p := range []string{"GET /a/{id}", "GET /b/x", "/"} {
		entries = append(entries, routeEntry{p, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, r.Pattern)
		})})
	}
	shards := newRouteShards(entries)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			rec := httptest.NewRecorder()
			shards.ServeHTTP(rec, httptest.NewRequest("GET", "/a/1", nil))
			if rec.Body.String() != "GET /a/{id}" {
				t.Errorf("GET /a/1 answered %d %q", rec.Code, rec.Body.String())
			}
		})
	}
	wg.Wait()
}
