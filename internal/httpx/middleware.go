package httpx

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/metering"
	"github.com/quorum-app/quorum/internal/store"
)

// ClientIP is the address of the client: API Gateway's source IP inside
// Lambda, the TCP peer locally. Forwarding headers are not trusted.
func ClientIP(r *http.Request) string {
	if gw, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok && gw.HTTP.SourceIP != "" {
		return gw.HTTP.SourceIP
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// SecurityHeaders are set on every response. uploadOrigin is the origin of
// the uploads bucket's presigned URLs (awsclient.Clients.UploadOrigin): the one
// origin besides 'self' the page may connect to, so the browser can PUT an
// attachment straight to storage. "" allows only 'self'. The caller passes a
// value checked by CheckUploadOrigin.
func SecurityHeaders(uploadOrigin string) map[string]string {
	connect := "'self'"
	if uploadOrigin != "" {
		connect += " " + uploadOrigin
	}
	return map[string]string{
		"Strict-Transport-Security": "max-age=63072000; includeSubDomains",
		"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
			"font-src 'self'; connect-src " + connect + "; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; manifest-src 'self'",
		"X-Content-Type-Options":       "nosniff",
		"Referrer-Policy":              "no-referrer",
		"X-Frame-Options":              "DENY",
		"Permissions-Policy":           "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
		"Cross-Origin-Opener-Policy":   "same-origin",
		"Cross-Origin-Resource-Policy": "same-origin",
	}
}

// CheckUploadOrigin accepts "" or a bare origin (http or https, a host, an
// optional port; no path, query, user info or wildcard), so that the value
// cannot widen the CSP beyond that one origin.
func CheckUploadOrigin(origin string) error {
	if origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Hostname() == "" ||
		u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" ||
		strings.ContainsAny(origin, "*;, '\"\t\r\n") || u.Scheme+"://"+u.Host != origin {
		return fmt.Errorf("upload origin %q: want scheme://host[:port] and nothing else", origin)
	}
	return nil
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

// DefaultRetryAfter is the Retry-After of a 503 that named no time itself:
// every 503 tells the client when to send the same request again.
const DefaultRetryAfter = "1"

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
		if code == http.StatusServiceUnavailable && s.Header().Get("Retry-After") == "" {
			s.Header().Set("Retry-After", DefaultRetryAfter)
		}
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Observe assigns the request id, sets the security headers (with
// uploadOrigin in connect-src), bounds the request by timeout (0: none),
// meters AWS calls, recovers panics into a 500 problem, and logs one JSON
// line per request without personal data (no query strings, bodies or
// addresses).
func Observe(log *slog.Logger, timeout time.Duration, uploadOrigin string, next http.Handler) http.Handler {
	headers := SecurityHeaders(uploadOrigin)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if gw, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok && gw.RequestID != "" {
			id = gw.RequestID
		}
		id = logging.RequestIDOr(id)
		ctx := logging.WithRequestID(r.Context(), id)
		ctx, meter := metering.NewContext(ctx)
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			// A read-only request reads each item once (store.WithReadCache).
			ctx = store.WithReadCache(ctx)
		}
		if timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		r = r.WithContext(ctx)
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		w.Header().Set("X-Request-Id", id)
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.ErrorContext(ctx, "panic", "request_id", id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if rec.status == 0 {
					WriteError(rec, r, nil, domain.Errorf(domain.Internal, "internal error"))
				}
			}
			snap := meter.Snapshot()
			pattern := r.Pattern
			if pattern == "" {
				pattern = "unmatched"
			}
			log.InfoContext(ctx, "request",
				"request_id", id, "method", r.Method, "route", pattern, "status", rec.status,
				"bytes", rec.bytes, "duration_ms", float64(time.Since(start).Microseconds())/1000,
				"ddb_calls", snap.DynamoDBCalls, "ddb_rcu", snap.ReadUnits, "ddb_wcu", snap.WriteUnits,
				"s3_calls", snap.S3Calls, "ses_calls", snap.SESCalls)
		}()
		next.ServeHTTP(rec, r)
	})
}
