package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

func TestNewWritesJSONAtTheLevel(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, "warn")
	log.Info("dropped")
	log.Warn("kept", "request_id", "abc12345")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("want one line at warn, got %q", buf.String())
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &m); err != nil {
		t.Fatalf("not JSON: %v: %s", err, lines[0])
	}
	if m["msg"] != "kept" || m["level"] != "WARN" || m["request_id"] != "abc12345" {
		t.Errorf("line = %v", m)
	}
	buf.Reset()
	New(&buf, "nonsense").Debug("dropped")
	New(&buf, "nonsense").Info("kept")
	if n := strings.Count(buf.String(), "\n"); n != 1 {
		t.Errorf("an unknown level should mean info: %q", buf.String())
	}
}

func TestRequestIDs(t *testing.T) {
	ctx := context.Background()
	if RequestID(ctx) != "" {
		t.Error("a context outside a request has no id")
	}
	if got := RequestID(WithRequestID(ctx, "req-123456")); got != "req-123456" {
		t.Errorf("RequestID = %q", got)
	}
	if got := RequestIDOr("Abc-1234_5.6:7="); got != "Abc-1234_5.6:7=" {
		t.Errorf("a valid id is kept: got %q", got)
	}
	fresh := regexp.MustCompile(`^[0-9a-f]{24}$`)
	for _, bad := range []string{"", "short", "has space in it", "new\nline-injected", "quote\"d-12345", strings.Repeat("a", 129)} {
		got := RequestIDOr(bad)
		if !fresh.MatchString(got) {
			t.Errorf("RequestIDOr(%q) = %q, want a fresh 24-hex id", bad, got)
		}
	}
	if first, second := RequestIDOr(""), RequestIDOr(""); first == second {
		t.Error("fresh ids repeat")
	}
}

// The request-id rule is written out; it must accept exactly what the
// expression it replaced accepted.
func TestValidRequestIDAgreesWithTheExpression(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9._:=-]{8,128}$`)
	cases := []string{"", "abc", "abcdefg", "abcdefgh", "8476a536-e9f4-11e8-9739-2dfe598c3fcd", "a.b_c:d=e-f",
		"abcdefg\n", "abcdefgh\n", "abc defgh", "abcdefgé", "ab/cdefgh", "ab+cdefgh", "ABCDEFGH", "01234567",
		strings.Repeat("a", 128), strings.Repeat("a", 129), strings.Repeat("Z9", 64), "abcdefgh\x00", "{abcdefgh}"}
	for c := 0; c < 256; c++ {
		cases = append(cases, "abcdefg"+string(rune(c)), "abcdefg"+string([]byte{byte(c)}))
	}
	for _, id := range cases {
		if got, want := validRequestID(id), re.MatchString(id); got != want {
			t.Errorf("validRequestID(%q) = %v, the expression says %v", id, got, want)
		}
	}
}
