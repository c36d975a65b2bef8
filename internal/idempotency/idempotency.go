// Package idempotency makes API writes safe to retry. A client that sends an
// `Idempotency-Key` header with a POST, PUT, PATCH or DELETE gets the first
// response again on every retry of the same request for 24 hours, and the
// write happens once. The key is scoped to the caller, so two callers never
// collide; reusing a key for a different request is refused.
//
// How a key cannot get stuck (the design of the idempotency utility of
// Powertools for AWS Lambda, plus one step):
//
//   - The first request claims the key with a record in state "pending" that
//     holds a lease (Options.Lease: the longest a request can run, never
//     longer than the function's timeout). A retry that finds a pending
//     record whose lease has run out takes the key over and runs.
//   - When the request fails (5xx, a panic, a client that went away, a
//     deadline), the claim is released at once, with a context that
//     outlives the request, so a retry runs immediately.
//   - Every DynamoDB transaction the request runs also marks the record
//     "applied", on condition that the request still holds the lease (a
//     store.TxGuard; store.Create and store.Save become transactions for
//     it). Where the effect is one such write, "done" and
//     "recorded" cannot disagree: an effect that happened always shows in
//     the record (its claim is then never released nor taken over), and a
//     request that lost its lease cannot apply its effect any more. A
//     transaction the SDK sent again after its first answer was lost is
//     recognised as applied instead of failing its own conditions.
//   - The response of a finished request is stored (also with a context
//     that outlives the request) and replayed to every retry.
//
// A retry therefore either replays the first answer, or runs once. The one
// answer that cannot be replayed is that of a request whose effect was
// applied while its answer was lost (the first attempt answered 503): its
// retries get 409 "already applied" with Idempotent-Replayed: true.
//
// Responses that carry secrets (a new API token, shown once) are marked
// sensitive by their handler and are never stored: a retry of such a request
// gets 409 instead of a copy of the secret.
package idempotency

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Header is the request header clients send.
const Header = "Idempotency-Key"

// ReplayedHeader marks an answer that repeats the outcome of an earlier request.
const ReplayedHeader = "Idempotent-Replayed"

// SensitiveHeader is set by handlers whose response must not be stored; the
// middleware removes it before the response leaves.
const SensitiveHeader = "X-Quorum-Sensitive"

// TTL is how long a key is remembered.
const TTL = 24 * time.Hour

// CleanupBudget bounds the writes that settle a key after the request (store
// the response, or release the claim). They run with a context of their own,
// so they happen even when the request's context has ended. The api
// function's timeout must cover the request timeout plus this budget.
const CleanupBudget = 3 * time.Second

// DefaultLease is the lease of a claim when Options.Lease is zero: the
// default request timeout (25 s) plus CleanupBudget, within the api
// function's 29 s timeout.
const DefaultLease = 25*time.Second + CleanupBudget

// MaxBody is the largest request body the middleware reads and the largest
// response it stores.
const MaxBody = 1 << 20

// Record states.
const (
	statePending   = "pending"   // claimed, running (until LeaseUntil)
	stateApplied   = "applied"   // a transaction of the request committed; response not stored yet
	stateDone      = "done"      // finished; Status, headers and Body are the answer
	stateSensitive = "sensitive" // finished with a response that is never stored
)

// validKey reports whether key is 8 to 255 visible ASCII characters
// (0x21–0x7e). Written in code: the regular expression it replaces
// (^[\x21-\x7e]{8,255}$, a counted repetition) compiled to a large
// program at package init, 1 % of the api function's cold start.
func validKey(key string) bool {
	if len(key) < 8 || len(key) > 255 {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return false
		}
	}
	return true
}

// Record is the stored outcome of one keyed request.
type Record struct {
	store.Item
	RequestHash string `dynamo:"RequestHash"`
	State       string `dynamo:"State"`
	// Owner is a random id of the request that holds the claim.
	Owner string `dynamo:"Owner"`
	// LeaseUntil (Unix ms) is when a pending claim may be taken over.
	LeaseUntil  int64  `dynamo:"LeaseUntil"`
	Status      int    `dynamo:"Status"`
	ContentType string `dynamo:"ContentType"`
	Location    string `dynamo:"Location,omitempty"`
	Body        []byte `dynamo:"Body,omitempty"`
}

// Scope returns the caller a key belongs to (user id, or "" to skip
// idempotency for this request, e.g. anonymous callers).
type Scope func(r *http.Request) string

// Options configure the middleware.
type Options struct {
	// Lease is how long a claim holds before a retry may take it over: the
	// request timeout plus CleanupBudget, and never more than the api
	// function's timeout (0: DefaultLease).
	Lease time.Duration
	Log   *slog.Logger
	// RequestID names the request in log lines (nil: not named).
	RequestID func(context.Context) string
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Middleware applies idempotency to state-changing requests that carry the header.
func Middleware(st Store, scope Scope, opts Options, write func(http.ResponseWriter, *http.Request, error)) func(http.Handler) http.Handler {
	if opts.Lease <= 0 {
		opts.Lease = DefaultLease
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.RequestID == nil {
		opts.RequestID = func(context.Context) string { return "" }
	}
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
			if !validKey(key) {
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
			keyHash := sha256.Sum256([]byte(key))
			c := &claim{st: st, opts: opts, rec: Record{
				Item:        store.Item{PK: "IDEM#" + who + "#" + hex.EncodeToString(keyHash[:]), SK: "IDEM", Type: "idempotency"},
				RequestHash: hex.EncodeToString(sum.Sum(nil)), State: statePending, Owner: newOwner(),
			}}
			prev, err := c.take(r.Context())
			if err != nil {
				write(w, r, err)
				return
			}
			if prev != nil {
				c.replay(w, r, prev, write)
				return
			}
			c.run(w, r, next)
		})
	}
}

// claim is one request's hold on its key.
type claim struct {
	st   Store
	opts Options
	rec  Record
}

func newOwner() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// take claims the key: it creates the record, or replaces one that is free
// (a pending claim whose lease ran out, or an expired record). It returns
// the record that holds the key otherwise.
func (c *claim) take(ctx context.Context) (*Record, error) {
	now := c.opts.Now()
	c.rec.LeaseUntil = now.Add(c.opts.Lease).UnixMilli()
	c.rec.ExpireAt(now.Add(TTL))
	c.rec.Version = 1
	err := c.st.Table().Put(&c.rec).
		If("attribute_not_exists($) OR ($ = ? AND $ < ?) OR $ < ?", tabledef.PK,
			"State", statePending, "LeaseUntil", now.UnixMilli(), tabledef.TTLAttribute, now.Unix()).
		Run(ctx)
	if err == nil {
		return nil, nil
	}
	if domain.ErrorCode(store.Classify(err)) != domain.Conflict {
		return nil, store.Classify(err)
	}
	var prev Record
	if err := c.st.Get(ctx, c.rec.PK, c.rec.SK, &prev); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			// Released or expired in between: the client may send it again now.
			return nil, inProgress(time.Second)
		}
		return nil, err
	}
	if prev.Owner == c.rec.Owner {
		// Our own claim: the SDK sent the put again after its answer was lost.
		return nil, nil
	}
	return &prev, nil
}

// run serves the request under the claim and settles the key afterwards.
func (c *claim) run(w http.ResponseWriter, r *http.Request, next http.Handler) {
	cw := &capture{ResponseWriter: w, status: http.StatusOK}
	finished := false
	defer func() {
		if !finished {
			// A panic: forget the claim so a retry may run (unless an
			// effect was applied), then let the panic go on.
			c.release(r.Context())
		}
	}()
	next.ServeHTTP(cw, r.WithContext(store.WithTxGuard(r.Context(), c.guard)))
	finished = true
	if cw.status >= 500 {
		c.release(r.Context())
		return
	}
	switch {
	case cw.sensitive, cw.buf.Len() > MaxBody:
		c.rec.State = stateSensitive
	default:
		c.rec.State = stateDone
		c.rec.Body = cw.buf.Bytes()
	}
	c.rec.Status = cw.status
	c.rec.ContentType = cw.Header().Get("Content-Type")
	c.rec.Location = cw.Header().Get("Location")
	err := settle(r.Context(), func(ctx context.Context) error {
		return c.st.Table().Put(&c.rec).If("$ = ?", "Owner", c.rec.Owner).Run(ctx)
	})
	if err != nil {
		// The answer was given but cannot be replayed: retries get "already
		// applied" (a transaction applied) or run after the lease.
		c.opts.Log.WarnContext(r.Context(), "idempotency record not saved", "request_id", c.opts.RequestID(r.Context()), "error", err.Error())
	}
}

// settle runs a write after the request with a context that keeps the
// request's values (request id, meter) but not its cancellation, trying
// again while the table is unavailable, for at most CleanupBudget.
func settle(ctx context.Context, write func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), CleanupBudget)
	defer cancel()
	for {
		err := store.Classify(write(ctx))
		if domain.ErrorCode(err) != domain.Unavailable || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// release deletes the claim unless a transaction of the request applied:
// then the record stays (state applied) and retries learn that the effect
// happened. If the delete cannot be made the lease frees the key later.
func (c *claim) release(ctx context.Context) {
	err := settle(ctx, func(ctx context.Context) error {
		return c.st.DeleteOp(c.rec.PK, c.rec.SK).
			If("$ = ? AND $ = ?", "Owner", c.rec.Owner, "State", statePending).Run(ctx)
	})
	if err != nil && domain.ErrorCode(err) != domain.Conflict {
		c.opts.Log.WarnContext(ctx, "idempotency claim not released; its lease frees it", "request_id", c.opts.RequestID(ctx), "error", err.Error())
	}
}

// ErrTakenOver answers a request whose claim another request with the same
// key took over after its lease ran out: nothing of it was applied.
var ErrTakenOver = domain.Errorf(domain.Conflict, "a retry of this request with the same Idempotency-Key took over; its answer counts")

// guard is the store.TxGuard of the request: it marks the record applied in
// each of the request's transactions, while the request owns the claim.
func (c *claim) guard(t *store.Tx) {
	t.Update(c.st.Update(c.rec.PK, c.rec.SK).Set("State", stateApplied).If("$ = ?", "Owner", c.rec.Owner), ErrTakenOver)
}

func inProgress(retry time.Duration) error {
	return &domain.Error{Code: domain.Conflict, RetryAfter: retry,
		Message: "a request with this Idempotency-Key is being processed; retry after the time in Retry-After"}
}

// replay answers a retry from the record that holds the key.
func (c *claim) replay(w http.ResponseWriter, r *http.Request, prev *Record, write func(http.ResponseWriter, *http.Request, error)) {
	if prev.RequestHash != c.rec.RequestHash {
		write(w, r, domain.Validation(domain.FieldError{Field: Header, Message: "was already used for a different request"}))
		return
	}
	now := c.opts.Now().UnixMilli()
	switch prev.State {
	case statePending:
		write(w, r, inProgress(leaseLeft(prev.LeaseUntil, now)))
	case stateApplied:
		if prev.LeaseUntil > now {
			// The first request is still finishing: its answer comes soon.
			write(w, r, inProgress(leaseLeft(prev.LeaseUntil, now)))
			return
		}
		w.Header().Set(ReplayedHeader, "true")
		write(w, r, domain.Errorf(domain.Conflict, "this request was already applied, but its answer was lost; read the resource to see the result"))
	case stateSensitive:
		w.Header().Set(ReplayedHeader, "true")
		write(w, r, domain.Errorf(domain.Conflict, "this request was already completed; its response held a secret and cannot be shown again"))
	default:
		if prev.ContentType != "" {
			w.Header().Set("Content-Type", prev.ContentType)
		}
		if prev.Location != "" {
			w.Header().Set("Location", prev.Location)
		}
		w.Header().Set(ReplayedHeader, "true")
		w.WriteHeader(prev.Status)
		_, _ = w.Write(prev.Body)
	}
}

// leaseLeft is the Retry-After of a retry that found the key busy: the
// rest of the lease, at least a second and at most five (the first request
// usually ends well before its lease does).
func leaseLeft(until, now int64) time.Duration {
	d := time.Duration(until-now) * time.Millisecond
	return min(max(d, time.Second), 5*time.Second)
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
