package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/store"
)

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail,omitempty"`
	Instance  string              `json:"instance,omitempty"`
	Errors    []domain.FieldError `json:"errors,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
}

// Status maps a domain error code to its HTTP status. It is the only place
// that does.
func Status(code domain.Code) int {
	switch code {
	case domain.Invalid:
		return http.StatusBadRequest
	case domain.Unauthorized:
		return http.StatusUnauthorized
	case domain.Forbidden:
		return http.StatusForbidden
	case domain.NotFound:
		return http.StatusNotFound
	case domain.Conflict:
		return http.StatusConflict
	case domain.Gone:
		return http.StatusGone
	case domain.Precondition:
		return http.StatusPreconditionFailed
	case domain.TooLarge:
		return http.StatusRequestEntityTooLarge
	case domain.Unsupported:
		return http.StatusUnsupportedMediaType
	case domain.RateLimited:
		return http.StatusTooManyRequests
	case domain.Unavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// ProblemFor builds the problem body for err and the Retry-After to send
// with it (0: none named; Observe gives every 503 one). Errors that are not domain errors go through
// the one classification of storage failures first, so a throttled or
// unreachable table is a 503 wherever it surfaces. Internal errors get a
// generic detail; their cause is logged by WriteError, never sent.
func ProblemFor(r *http.Request, err error) (Problem, time.Duration) {
	err = store.Classify(err)
	code := domain.ErrorCode(err)
	status := Status(code)
	p := Problem{
		Type:      "https://quorum.invalid/problems/" + string(code),
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    domain.ErrorMessage(err),
		Instance:  r.URL.Path,
		RequestID: logging.RequestID(r.Context()),
	}
	var de *domain.Error
	var retry time.Duration
	if errors.As(err, &de) {
		p.Errors = de.Fields
		retry = de.RetryAfter
	}
	if words, ok := r.Context().Value(errorWordsKey{}).(func() ErrorWords); ok {
		if tr := words(); tr != nil {
			detail, fields := domain.Localize(err, tr)
			p.Detail = detail
			if len(fields) > 0 {
				p.Errors = fields
			}
		}
	}
	return p, retry
}

// ErrorWords words a domain error's English format and values in one
// reader's language (i18n.Printer.Errorf); nil keeps English.
type ErrorWords = func(format string, args ...any) string

type errorWordsKey struct{}

// WithErrorWords returns ctx telling ProblemFor how to word error details
// for this request's reader. words is called only when an error is
// answered (so an API request reads its user's language setting only
// then); without it, or when it returns nil, details stay English.
func WithErrorWords(ctx context.Context, words func() ErrorWords) context.Context {
	return context.WithValue(ctx, errorWordsKey{}, words)
}

// WriteError answers with application/problem+json for err and logs
// server-side failures with their cause.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p, retry := ProblemFor(r, err)
	if p.Status >= 500 && log != nil {
		log.ErrorContext(r.Context(), "request failed", "request_id", p.RequestID, "status", p.Status, "error", err.Error())
	}
	if retry > 0 {
		w.Header().Set("Retry-After", RetryAfter(retry))
	}
	WriteProblem(w, p)
}

// WriteProblem writes p as application/problem+json.
func WriteProblem(w http.ResponseWriter, p Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// WriteJSON writes v as JSON with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// RetryAfter is d as a Retry-After value: whole seconds, rounded up.
func RetryAfter(d time.Duration) string {
	return strconv.Itoa(int((d + time.Second - 1) / time.Second))
}

// The WWW-Authenticate rule, in one place: a 401 names how to authenticate.
// The JSON API takes a personal API token; the sign-in form a password.
const (
	BearerChallenge = `Bearer realm="quorum"` // #nosec G101 -- a header value naming the scheme, not a credential
	FormChallenge   = `Form realm="quorum"`
)

// Challenge sets WWW-Authenticate to challenge when err is Unauthorized.
func Challenge(w http.ResponseWriter, err error, challenge string) {
	if domain.ErrorCode(err) == domain.Unauthorized {
		w.Header().Set("WWW-Authenticate", challenge)
	}
}
