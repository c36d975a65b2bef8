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
