// Package idempotency makes API writes safe to retry. A client that sends an
// `Idempotency-Key` header with a POST, PUT, PATCH or DELETE gets the first
// response again on every retry of the same request for 24 hours, and the
// write happens once. The key is scoped to the caller, so two callers never
// collide; reusing a key for a different request is refused.
//
// Responses that carry secrets (a new API token, shown once) are marked
// sensitive by their handler and are never stored: a retry of such a request
// gets 409 instead of a copy of the secret.
package idempotency

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/store"
)

// Header is the request header clients send.
const Header = "Idempotency-Key"

// SensitiveHeader is set by handlers whose response must not be stored; the
// middleware removes it before the response leaves.
const SensitiveHeader = "X-Quorum-Sensitive"

// TTL is how long a key is remembered.
const TTL = 24 * time.Hour

// MaxBody is the largest request body the middleware reads and the largest
// response it stores.
const MaxBody = 1 << 20

var validKey = regexp.MustCompile(`^[\x21-\x7e]{8,255}$`)

// Record is the stored outcome of one keyed request.
type Record struct {
	store.Item
	RequestHash string `dynamo:"RequestHash"`
	State       string `dynamo:"State"` // pending | done | sensitive
	Status      int    `dynamo:"Status"`
	ContentType string `dynamo:"ContentType"`
	Location    string `dynamo:"Location,omitempty"`
	Body        []byte `dynamo:"Body,omitempty"`
}

// Scope returns the caller a key belongs to (user id, or "" to skip
// idempotency for this request, e.g. anonymous callers).
type Scope func(r *http.Request) string

// Middleware applies idempotency to state-changing requests that carry the header.
func Middleware(st *store.Store, scope Scope, log *slog.Logger, write func(http.ResponseWriter, *http.Request, error)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key := r.Header.Get(Header)
			if key == "" || r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
				next.ServeHTTP(w, r)
				return
			}
			who := scope(r)
			if who == "" {
				next.ServeHTTP(w, r)
				return
			}
			if !validKey.MatchString(key) {
				write(w, r, domain.Validation(domain.FieldError{Field: Header, Message: "must be 8 to 255 visible ASCII characters"}))
				return
			}
			body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
			if err != nil {
				write(w, r, domain.Errorf(domain.Invalid, "the request body could not be read"))
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			sum := sha256.New()
			sum.Write([]byte(r.Method + " " + r.URL.Path + "?" + r.URL.RawQuery + "\n"))
			sum.Write(body)
			reqHash := hex.EncodeToString(sum.Sum(nil))
			keyHash := sha256.Sum256([]byte(key))
			rec := &Record{
				Item:        store.Item{PK: "IDEM#" + who + "#" + hex.EncodeToString(keyHash[:]), SK: "IDEM", Type: "idempotency"},
				RequestHash: reqHash, State: "pending",
			}
			rec.ExpireAt(time.Now().Add(TTL))
			ctx := r.Context()
			if err := st.Create(ctx, rec, errExists); err != nil {
				if err != errExists {
					write(w, r, err)
					return
				}
				replay(w, r, st, rec.PK, reqHash, write)
				return
			}
			cw := &capture{ResponseWriter: w, status: http.StatusOK}
			completed := false
			defer func() {
				if !completed {
					// A panic or a failure: forget the key so a retry may run.
					_ = st.Delete(ctx, rec.PK, rec.SK)
				}
			}()
			next.ServeHTTP(cw, r)
			completed = true
			switch {
			case cw.status >= 500:
				_ = st.Delete(ctx, rec.PK, rec.SK)
				return
			case cw.sensitive:
				rec.State = "sensitive"
			case cw.buf.Len() > MaxBody:
				rec.State = "sensitive"
			default:
				rec.State = "done"
				rec.Body = cw.buf.Bytes()
			}
			rec.Status = cw.status
			rec.ContentType = cw.Header().Get("Content-Type")
			rec.Location = cw.Header().Get("Location")
			if err := st.Save(ctx, rec); err != nil && log != nil {
				log.WarnContext(ctx, "idempotency record not saved", "error", err.Error())
			}
		})
	}
}

var errExists = domain.Errorf(domain.Conflict, "idempotency key exists")

func replay(w http.ResponseWriter, r *http.Request, st *store.Store, pk, reqHash string, write func(http.ResponseWriter, *http.Request, error)) {
	var prev Record
	if err := st.Get(r.Context(), pk, "IDEM", &prev); err != nil {
		write(w, r, domain.Errorf(domain.Conflict, "a request with this Idempotency-Key is being processed; retry shortly"))
		return
	}
	switch {
	case prev.RequestHash != reqHash:
		write(w, r, domain.Validation(domain.FieldError{Field: Header, Message: "was already used for a different request"}))
	case prev.State == "pending":
		write(w, r, domain.Errorf(domain.Conflict, "a request with this Idempotency-Key is being processed; retry shortly"))
	case prev.State == "sensitive":
		write(w, r, domain.Errorf(domain.Conflict, "this request was already completed; its response held a secret and cannot be shown again"))
	default:
		if prev.ContentType != "" {
			w.Header().Set("Content-Type", prev.ContentType)
		}
		if prev.Location != "" {
			w.Header().Set("Location", prev.Location)
		}
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(prev.Status)
		_, _ = w.Write(prev.Body)
	}
}

type capture struct {
	http.ResponseWriter
	status    int
	buf       bytes.Buffer
	sensitive bool
	wrote     bool
}

func (c *capture) WriteHeader(code int) {
	if c.wrote {
		return
	}
	c.wrote = true
	c.status = code
	if c.Header().Get(SensitiveHeader) != "" {
		c.sensitive = true
		c.Header().Del(SensitiveHeader)
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *capture) Write(b []byte) (int, error) {
	if !c.wrote {
		c.WriteHeader(http.StatusOK)
	}
	if c.buf.Len() <= MaxBody {
		c.buf.Write(b)
	}
	return c.ResponseWriter.Write(b)
}

func (c *capture) Unwrap() http.ResponseWriter { return c.ResponseWriter }
