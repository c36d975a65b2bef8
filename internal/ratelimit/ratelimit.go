// Package ratelimit counts attempts in fixed time windows with DynamoDB
// counters (data model pattern 10): one item per scope, key and window,
// incremented with ADD and deleted by TTL after the window. Keys (emails,
// addresses) are stored only as SHA-256 hashes.
package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/store"
)

// Rule is a limit of Max events per Window.
type Rule struct {
	Scope  string // names the counter family, e.g. "login-email"
	Max    int
	Window time.Duration
}

// Limiter counts events per rule and key.
type Limiter struct {
	st  storage
	now func() time.Time
}

// New returns a limiter; now may be nil (time.Now).
func New(st storage, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{st: st, now: now}
}

type counter struct {
	Count int64 `dynamo:"Count"`
}

// Key returns the partition and sort key of the counter for key at t.
func Key(r Rule, key string, t time.Time) (pk, sk string, windowStart time.Time) {
	h := sha256.Sum256([]byte(key))
	start := t.Truncate(r.Window)
	return "RATE#" + r.Scope + "#" + hex.EncodeToString(h[:]), strconv.FormatInt(start.Unix(), 10), start
}

// Hit counts one event for key and returns a RateLimited error (with
// RetryAfter until the window ends) once more than Max happened in the
// current window. A rule with Max <= 0 never limits.
func (l *Limiter) Hit(ctx context.Context, r Rule, key string) error {
	if r.Max <= 0 || r.Window <= 0 {
		return nil
	}
	n, retry, err := l.add(ctx, r, key, 1)
	if err != nil {
		return err
	}
	if n > int64(r.Max) {
		return Limited(retry)
	}
	return nil
}

// Check reports RateLimited when the window already holds Max events,
// without counting one (for lockouts counted only on failure).
func (l *Limiter) Check(ctx context.Context, r Rule, key string) error {
	if r.Max <= 0 || r.Window <= 0 {
		return nil
	}
	n, retry, err := l.add(ctx, r, key, 0)
	if err != nil {
		return err
	}
	if n >= int64(r.Max) {
		return Limited(retry)
	}
	return nil
}

// Reset forgets the current window's count for key (after a success).
func (l *Limiter) Reset(ctx context.Context, r Rule, key string) error {
	pk, sk, _ := Key(r, key, l.now())
	return l.st.Delete(ctx, pk, sk)
}

func (l *Limiter) add(ctx context.Context, r Rule, key string, delta int) (int64, time.Duration, error) {
	now := l.now()
	pk, sk, start := Key(r, key, now)
	end := start.Add(r.Window)
	var out counter
	err := l.st.Update(pk, sk).
		Add("Count", delta).
		Set("Type", "rate").
		Set("TTL", end.Add(time.Minute).Unix()).
		Value(ctx, &out)
	if err != nil {
		return 0, 0, store.Classify(err)
	}
	retry := end.Sub(now)
	if retry < time.Second {
		retry = time.Second
	}
	return out.Count, retry, nil
}

// Limited is the error for a limit that was hit.
func Limited(retry time.Duration) error {
	return &domain.Error{Code: domain.RateLimited, RetryAfter: retry,
		Message: "too many attempts; try again in " + humanize(retry)}
}

func humanize(d time.Duration) string {
	switch {
	case d <= time.Minute:
		return "a minute"
	case d < time.Hour:
		return strconv.Itoa(int((d+time.Minute-1)/time.Minute)) + " minutes"
	default:
		return strconv.Itoa(int((d+time.Hour-1)/time.Hour)) + " hours"
	}
}
