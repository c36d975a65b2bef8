package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/logging"
)

// A panicking handler yields a 500 problem with the security headers, and
// the log line has the request id but neither the query nor the body.
func TestPanicRecoveredAndLogged(t *testing.T) {
	var logs bytes.Buffer
	s, err := New(Deps{Log: logging.New(&logs, "info")})
	if err != nil {
		t.Fatal(err)
	}
	s.handler = httpx.Observe(s.log, s.timeout, s.uploadOrigin, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	req := httptest.NewRequest("GET", "/x?email=alice@example.org", nil)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != 500 || rec.Header().Get("Content-Type") != "application/problem+json" || rec.Header().Get("Content-Security-Policy") == "" {
		t.Fatalf("panic response %d %v", rec.Code, rec.Header())
	}
	if strings.Contains(logs.String(), "alice@example.org") {
		t.Fatal("personal data in logs")
	}
	var line map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if err := json.Unmarshal([]byte(l), &line); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		if line["request_id"] == "" || line["request_id"] == nil {
			t.Fatalf("log line without request id: %q", l)
		}
	}
	if line["msg"] != "request" || line["status"] != float64(500) {
		t.Fatalf("last log line %v", line)
	}
}
