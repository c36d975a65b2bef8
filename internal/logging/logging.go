// Package logging builds the one logger every Quorum function uses (log/slog,
// JSON lines) and carries the id of the request being served in a context,
// so that every line written about a request can name it.
//
// The rule for what goes into a line is the same everywhere: no personal
// data. No email addresses, names, message or comment bodies, query
// strings or tokens; ids, routes, statuses, counts and error codes only.
// Tests of each adapter assert it on the lines they produce.
package logging

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
)

// New returns the JSON logger writing to w at level ("debug", "info",
// "warn", "error"; anything else is "info").
func New(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

type requestIDKey struct{}

// WithRequestID returns ctx carrying the id of the request being served.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the id of the request being served ("" outside one).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// validRequestID reports whether id is 8 to 128 characters of
// [A-Za-z0-9._:=-]. Written out rather than a regular expression: every
// function links this package, and the expression's counted repetition
// compiled at each cold start.
func validRequestID(id string) bool {
	if len(id) < 8 || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.', c == '_', c == ':', c == '=', c == '-':
		default:
			return false
		}
	}
	return true
}

// RequestIDOr returns id when it is acceptable as a request id (8 to 128
// characters of [A-Za-z0-9._:=-], such as API Gateway's), and a new random
// one otherwise, so nothing a client sends can forge log structure.
func RequestIDOr(id string) string {
	if validRequestID(id) {
		return id
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
