package server

import (
	"net/http"
	"path"
	"strings"
	"sync"
)

// routeShards is the route table's ServeMux, built a part at a time: one
// http.ServeMux per first path segment ("api", "groups", "healthz", ...),
// each registered on the first request that reaches it. Registering the
// whole table (about 300 patterns, each parsed, checked against the others
// for conflicts and given its caller's file and line) was 14 % of the api
// function's cold start, paid before its first response whatever that
// response was (docs/architecture.md, "Thirteenth pass").
//
// Each part answers as the whole table would: the patterns that can match a
// path whose first segment is X are those whose first segment is the
// literal X and those whose first segment is a wildcard (or that match every
// path, like "/"), and a part holds exactly these. The part is chosen by the
// first segment of the cleaned path, as ServeMux itself matches (and
// redirects) on the cleaned path; TestRouteShardsAnswerAsOneMux holds it to
// one mux of the same table, and TestRouteTableRegisters registers every
// part, so a conflicting pattern still fails a test rather than a request.
type routeShards struct {
	parts map[string]*routePart
	// other serves paths whose first segment no literal pattern has.
	other *routePart
}

type routeEntry struct {
	pattern string
	handler http.Handler
}

type routePart struct {
	entries []routeEntry
	once    sync.Once
	mux     *http.ServeMux
}

func (p *routePart) handler() *http.ServeMux {
	p.once.Do(func() {
		mux := http.NewServeMux()
		for _, e := range p.entries {
			mux.Handle(e.pattern, e.handler)
		}
		p.mux = mux
	})
	return p.mux
}

// newRouteShards sorts entries into parts; nothing is registered yet.
func newRouteShards(entries []routeEntry) *routeShards {
	rs := &routeShards{parts: map[string]*routePart{}, other: &routePart{}}
	var wild []routeEntry
	for _, e := range entries {
		seg, literal := patternFirstSegment(e.pattern)
		if !literal {
			wild = append(wild, e)
			continue
		}
		p := rs.parts[seg]
		if p == nil {
			p = &routePart{}
			rs.parts[seg] = p
		}
		p.entries = append(p.entries, e)
	}
	for _, p := range rs.parts {
		p.entries = append(p.entries, wild...)
	}
	rs.other.entries = wild
	return rs
}

func (rs *routeShards) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rs.part(r.URL.Path).handler().ServeHTTP(w, r)
}

// part is the part that serves a request for urlPath.
func (rs *routeShards) part(urlPath string) *routePart {
	if p := rs.parts[pathFirstSegment(urlPath)]; p != nil {
		return p
	}
	return rs.other
}

// each builds every part (for the tests: a conflict panics here).
func (rs *routeShards) each(f func(seg string, mux *http.ServeMux)) {
	for seg, p := range rs.parts {
		f(seg, p.handler())
	}
	f("", rs.other.handler())
}

// patternFirstSegment is the first path segment of a ServeMux pattern
// ("[METHOD ][HOST]/PATH"), and whether it is a literal: a wildcard
// segment, a pattern with a host and "/" itself (which matches every path)
// are not. "/{$}" is the literal empty segment of the path "/".
func patternFirstSegment(pattern string) (string, bool) {
	if i := strings.IndexAny(pattern, " \t"); i >= 0 {
		pattern = strings.TrimLeft(pattern[i:], " \t")
	}
	if !strings.HasPrefix(pattern, "/") {
		return "", false // a host pattern
	}
	rest := pattern[1:]
	if rest == "" {
		return "", false // "/" matches every path
	}
	seg, _, _ := strings.Cut(rest, "/")
	switch {
	case seg == "{$}":
		return "", true
	case strings.HasPrefix(seg, "{"):
		return "", false
	}
	return seg, true
}

// pathFirstSegment is the first segment of urlPath once cleaned as
// ServeMux cleans it.
func pathFirstSegment(urlPath string) string {
	if urlPath == "" || urlPath[0] != '/' {
		urlPath = "/" + urlPath
	}
	seg, _, _ := strings.Cut(path.Clean(urlPath)[1:], "/")
	return seg
}
