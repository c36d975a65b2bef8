package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/server"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/web"
)

type pinger struct{ err error }

func (p pinger) Ping(context.Context) error { return p.err }

func newServer(t *testing.T, health map[string]server.Pinger) *server.Server {
	t.Helper()
	r, err := web.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(server.Deps{Health: health, Web: r})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func do(h http.Handler, method, path string, hdr map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader("{}"))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// testUploadOrigin stands for the uploads bucket's origin in the cloud.
const testUploadOrigin = "https://quorum-uploads-123456789012-eu-west-1.s3.eu-west-1.amazonaws.com"

// Every response, whatever its status or kind, carries the security headers,
// and the CSP names exactly one origin besides 'self': the uploads bucket's,
// in connect-src only.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	r, err := web.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(server.Deps{Health: map[string]server.Pinger{"dynamodb": pinger{}, "s3": pinger{}}, Web: r, UploadOrigin: testUploadOrigin})
	if err != nil {
		t.Fatal(err)
	}
	requests := []struct{ method, path string }{
		{"GET", "/"}, {"GET", "/healthz"}, {"GET", "/static/app.css"}, {"GET", "/static/"},
		{"GET", "/nowhere"}, {"GET", "/api/v1/nowhere"}, {"POST", "/healthz"}, {"DELETE", "/"},
	}
	for _, rt := range s.Routes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		path = strings.ReplaceAll(strings.ReplaceAll(path, "{$}", ""), "{", "x")
		requests = append(requests, struct{ method, path string }{method, path})
	}
	for _, rq := range requests {
		rec := do(s, rq.method, rq.path, nil)
		for k, v := range httpx.SecurityHeaders(testUploadOrigin) {
			if got := rec.Header().Get(k); got != v {
				t.Errorf("%s %s (%d): header %s = %q, want %q", rq.method, rq.path, rec.Code, k, got, v)
			}
		}
		if rec.Header().Get("X-Request-Id") == "" {
			t.Errorf("%s %s: no request id", rq.method, rq.path)
		}
	}
	csp := httpx.SecurityHeaders(testUploadOrigin)["Content-Security-Policy"]
	for _, must := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "connect-src 'self' " + testUploadOrigin + ";"} {
		if !strings.Contains(csp, must) {
			t.Errorf("CSP lacks %q: %s", must, csp)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Count(csp, "http") != 1 || strings.Count(csp, testUploadOrigin) != 1 {
		t.Errorf("CSP allows inline code or an origin other than the uploads bucket's, or that one outside connect-src: %s", csp)
	}
	// Without an uploads origin, no other origin at all.
	csp = httpx.SecurityHeaders("")["Content-Security-Policy"]
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "http") || !strings.Contains(csp, "connect-src 'self';") {
		t.Errorf("CSP without an upload origin allows inline code or another origin: %s", csp)
	}
	if got := do(newServer(t, nil), "GET", "/", nil).Header().Get("Content-Security-Policy"); got != csp {
		t.Errorf("server without an upload origin sends CSP %q, want %q", got, csp)
	}
}

// The upload origin is a bare origin or the server refuses to start: it
// cannot smuggle a wildcard, a path or another directive into the CSP.
func TestUploadOriginIsABareOrigin(t *testing.T) {
	for _, ok := range []string{"", testUploadOrigin, "http://127.0.0.1:9000", "https://uploads.example.org"} {
		if err := httpx.CheckUploadOrigin(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"*", "https://*.amazonaws.com", "https://a.example.org/", "https://a.example.org/path",
		"https://a.example.org; script-src *", "https://a.example.org https://b.example.org", "ftp://a.example.org",
		"a.example.org", "https://user@a.example.org", "https://a.example.org?x", "'unsafe-inline'", "https://"} {
		if _, err := server.New(server.Deps{UploadOrigin: bad}); err == nil {
			t.Errorf("server.New accepted upload origin %q", bad)
		}
	}
}

func TestHealthz(t *testing.T) {
	cases := []struct {
		name   string
		health map[string]server.Pinger
		code   int
		checks map[string]string
	}{
		{"all ok", map[string]server.Pinger{"dynamodb": pinger{}, "s3": pinger{}}, 200, map[string]string{"dynamodb": "ok", "s3": "ok"}},
		{"s3 down", map[string]server.Pinger{"dynamodb": pinger{}, "s3": pinger{errors.New("connection refused to 10.0.0.1")}}, 503, map[string]string{"dynamodb": "ok", "s3": "unavailable"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := do(newServer(t, c.health), "GET", "/healthz", nil)
			if rec.Code != c.code || rec.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("status %d type %q", rec.Code, rec.Header().Get("Content-Type"))
			}
			var body struct {
				Status string
				Checks map[string]string
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			for k, v := range c.checks {
				if body.Checks[k] != v {
					t.Fatalf("check %s = %q, want %q (%s)", k, body.Checks[k], v, rec.Body)
				}
			}
			if strings.Contains(rec.Body.String(), "10.0.0.1") {
				t.Fatal("failure cause leaked")
			}
		})
	}
}

// A cross-origin, state-changing browser request is rejected with a problem.
func TestCrossOriginPostRejected(t *testing.T) {
	s := newServer(t, nil)
	rec := do(s, "POST", "/healthz", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
	if rec.Code != http.StatusForbidden || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("cross-site POST: %d %s", rec.Code, rec.Body)
	}
	rec = do(s, "POST", "/healthz", map[string]string{"Origin": "https://evil.example", "Host": "example.com"})
	if rec.Code != http.StatusForbidden {
		t.Fatalf("cross-origin POST without Sec-Fetch-Site: %d", rec.Code)
	}
	// Same-origin requests pass the CSRF check (and here meet a 404, since
	// /healthz has no POST).
	rec = do(s, "POST", "/healthz", map[string]string{"Sec-Fetch-Site": "same-origin"})
	if rec.Code == http.StatusForbidden || strings.Contains(rec.Body.String(), "cross-origin") {
		t.Fatalf("same-origin POST: %d", rec.Code)
	}
}

func TestNotFoundIsProblemForAPIAndPageForBrowsers(t *testing.T) {
	s := newServer(t, nil)
	rec := do(s, "GET", "/api/v1/nothing", map[string]string{"Accept": "application/json"})
	if rec.Code != 404 || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("api 404: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	var p httpx.Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != 404 || p.RequestID == "" {
		t.Fatalf("problem %+v %v", p, err)
	}
	rec = do(s, "GET", "/no-such-page", map[string]string{"Accept": "text/html"})
	if rec.Code != 404 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") || !strings.Contains(rec.Body.String(), "Page not found") {
		t.Fatalf("page 404: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
}

func TestHomePageShell(t *testing.T) {
	rec := do(newServer(t, nil), "GET", "/", nil)
	body := rec.Body.String()
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	for _, want := range []string{`<html lang="en" dir="ltr">`, `href="/static/app.css"`, `<main id="main"`, "Skip to content"} {
		if !strings.Contains(body, want) {
			t.Errorf("home page lacks %q", want)
		}
	}
	// No inline script and no third-party origin anywhere in the shell.
	if strings.Contains(body, "<script>") || strings.Contains(body, "https://") || strings.Contains(body, "http://") {
		t.Error("home page has inline script or an external URL")
	}
	css := do(newServer(t, nil), "GET", "/static/app.css", nil)
	if css.Code != 200 || !strings.HasPrefix(css.Header().Get("Content-Type"), "text/css") {
		t.Fatalf("css %d %q", css.Code, css.Header().Get("Content-Type"))
	}
}

func TestStatusMapping(t *testing.T) {
	cases := map[domain.Code]int{
		domain.Invalid: 400, domain.Unauthorized: 401, domain.Forbidden: 403, domain.NotFound: 404,
		domain.Conflict: 409, domain.Gone: 410, domain.Precondition: 412, domain.TooLarge: 413,
		domain.Unsupported: 415, domain.RateLimited: 429, domain.Internal: 500, domain.Unavailable: 503,
	}
	for code, want := range cases {
		if got := httpx.Status(code); got != want {
			t.Errorf("Status(%s) = %d, want %d", code, got, want)
		}
	}
}

func TestWriteErrorRetryAfterAndFields(t *testing.T) {
	req := httptest.NewRequest("POST", "/api/v1/login", nil)
	rec := httptest.NewRecorder()
	err := &domain.Error{Code: domain.RateLimited, Message: "too many attempts", RetryAfter: 1500 * 1e6}
	httpx.WriteError(rec, req, nil, err)
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "2" {
		t.Fatalf("%d retry-after %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	rec = httptest.NewRecorder()
	httpx.WriteError(rec, req, nil, domain.Validation(domain.FieldError{Field: "email", Message: "is not an email address"}))
	var p httpx.Problem
	_ = json.Unmarshal(rec.Body.Bytes(), &p)
	if p.Status != 400 || len(p.Errors) != 1 || p.Errors[0].Field != "email" {
		t.Fatalf("problem %+v", p)
	}
	rec = httptest.NewRecorder()
	httpx.WriteError(rec, req, nil, errors.New("dynamodb table quorum-main arn:aws:..."))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "arn:aws") {
		t.Fatalf("internal error leaked: %s", rec.Body)
	}
}

// Issue 12 item 3: every 503 says when to try again. A storage failure
// names its own Retry-After; any other 503 (a dependency down at /healthz,
// a part of the app not wired, the security facts not published) gets one
// second; an error that reaches the adapter unmapped goes through the one
// classification of storage failures (a deadline is 503, not 500).
func TestEvery503HasRetryAfter(t *testing.T) {
	s := newServer(t, map[string]server.Pinger{"dynamodb": pinger{errors.New("connection refused")}})
	for _, c := range []struct {
		name, path, want string
	}{
		{"health check failing", "/healthz", "1"},
		{"polls not wired", "/api/v1/polls/abc", "1"},
		{"security facts not published", "/api/v1/security", "1"},
	} {
		rec := do(s, "GET", c.path, nil)
		if rec.Code != 503 || rec.Header().Get("Retry-After") != c.want {
			t.Errorf("%s: %d with Retry-After %q", c.name, rec.Code, rec.Header().Get("Retry-After"))
		}
	}
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"storage is busy", store.Classify(&types.ProvisionedThroughputExceededException{}), "1"},
		{"storage did not answer", store.Classify(context.DeadlineExceeded), "2"},
		{"raw deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), "2"},
	} {
		rec := httptest.NewRecorder()
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { httpx.WriteError(w, r, nil, c.err) })
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/x", nil))
		if rec.Code != 503 || rec.Header().Get("Retry-After") != c.want {
			t.Errorf("%s: %d with Retry-After %q, want 503 with %q", c.name, rec.Code, rec.Header().Get("Retry-After"), c.want)
		}
	}
}
