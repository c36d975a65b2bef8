package testkit

import (
	"encoding/json"
	"strings"
	"sync"
)

// RequestLog is a writer for the application's JSON logger that keeps the
// one "request" line the HTTP middleware (httpx.Observe) writes per
// request: its route, status, ddb_calls, rcu and the rest, for tests that
// check what a request cost. Other lines are dropped; it is safe for
// concurrent requests.
type RequestLog struct {
	mu    sync.Mutex
	lines []map[string]any
}

// Write keeps the "request" lines of p (one JSON object per line).
func (l *RequestLog) Write(p []byte) (int, error) {
	for _, s := range strings.Split(strings.TrimSpace(string(p)), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(s), &m) == nil && m["msg"] == "request" {
			l.mu.Lock()
			l.lines = append(l.lines, m)
			l.mu.Unlock()
		}
	}
	return len(p), nil
}

// Last is the latest request's line, nil before any request.
func (l *RequestLog) Last() map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.lines) == 0 {
		return nil
	}
	return l.lines[len(l.lines)-1]
}

// Len is the number of requests logged so far.
func (l *RequestLog) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.lines)
}
