// The Dispatcher delivers Quorum's notification email. Every in-app
// notification is also an email job (the notification item carries the
// outbox keys, written in the transaction of the event that caused it; see
// jobs.go, the job's state machine, and docs/email.md). The Dispatcher claims due
// jobs with a conditional update (a lease), asks the recipient's
// preferences whether to send now, keep the notification for a digest or
// skip it, composes the message (compose*.go, templates/) and sends it
// through mail.Sender, then marks the job sent under the same claim.
//
// Exactly once per (notification, recipient): a job has one owner at a
// time (the claim is a conditional update on the queue key, so two
// sweepers never both send); a failed send goes back to the queue with
// exponential backoff and ends as dead after MaxAttempts; the Message-ID
// is derived from the notification, so the one remaining window (the
// process dies after SES accepted the message and before the job is marked
// sent: the lease expires and the job is sent again) produces a second copy
// with the same Message-ID, which mail clients and providers collapse.

package notify

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/replyaddr"
)

// Person is what the outbox needs to know about a recipient.
type Person struct {
	ID       string
	Name     string
	Email    string
	TimeZone string
	// Lang is the recipient's own language setting: every email to them
	// is in it (English when unset or unsupported), never the sender's.
	Lang lang.Lang
}

// People looks people up by id. A missing person is a domain.NotFound.
type People interface {
	Person(ctx context.Context, uid string) (Person, error)
}

// Group is a group as its email shows it.
type Group struct {
	ID     string
	Name   string
	Handle string
}

// Groups returns the group gid as the recipient uid may see it (a zero
// Group with only the ID, and no error, when they may not).
type Groups interface {
	Group(ctx context.Context, uid, gid string) (Group, error)
}

// Meetings returns the .ics invitation of a meeting poll's outcome, as
// uid may see it; ok is false when the outcome picks no meeting time.
type Meetings interface {
	MeetingInvite(ctx context.Context, uid, pid string) (ics []byte, ok bool, err error)
}

// Polls words what an email about a poll carries besides its heading, as
// uid may see the poll, in pr's language: its details as plain text, and
// how to vote by replying with its options listed (empty when a reply
// cannot vote: an anonymous poll); ok is false when the poll is hidden.
type Polls interface {
	PollMail(ctx context.Context, pr *i18n.Printer, uid, pid string) (details, howToVote string, ok bool, err error)
}

// RouteAction is what to do with one email.
type RouteAction string

// Route actions.
const (
	RouteSend   RouteAction = "send"   // send it now
	RouteDigest RouteAction = "digest" // keep it for the recipient's digest
	RouteSkip   RouteAction = "skip"   // do not send it (Reason says why)
)

// Route is the preferences' decision on one email.
type Route struct {
	Action RouteAction
	// Reason is a short code without personal data ("suppressed",
	// "unsubscribed", "off", ...), recorded on skipped jobs.
	Reason string
	// KeyGeneration is the recipient's current reply-token key generation.
	KeyGeneration int
}

// Scope kinds of an unsubscribe link.
const (
	ScopeAll    = "all"
	ScopeGroup  = "group"
	ScopeThread = "thread"
)

// Scope is what an unsubscribe link stops: all email, one group's, one
// thread's.
type Scope struct {
	Kind string
	ID   string
}

// DigestDue is a digest to send: the notifications of UserID after the id
// After (the last one the previous digest covered).
type DigestDue struct {
	UserID string
	Period string // "daily" or "weekly"
	After  string
	// Since is when the digest period began; with After == "" it bounds
	// the first digest.
	Since time.Time
	Due   time.Time
}

// Preferences is the recipients' email preferences (internal/mailpref).
type Preferences interface {
	// Route decides one email to uid about group gid / thread tid ("" if
	// none): send, digest or skip.
	Route(ctx context.Context, uid, email, gid, tid string) (Route, error)
	// UnsubscribeURL is the absolute one-click unsubscribe URL for scope
	// (works without signing in; RFC 8058 POST and a confirming GET page).
	UnsubscribeURL(uid string, scope Scope) string
	// DueDigests lists the digests due by now.
	DueDigests(ctx context.Context, now time.Time) ([]DigestDue, error)
	// DigestSent records that the digest d covered the notifications up to
	// and including the id through (conditional and idempotent).
	DigestSent(ctx context.Context, d DigestDue, through string, now time.Time) error
}

// DefaultBackoff is the wait after each failed attempt; a job fails for
// good after len(DefaultBackoff)+1 attempts.
var DefaultBackoff = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 12 * time.Hour}

// Config wires a Dispatcher.
type Config struct {
	Notifications *Service
	Sender        mail.Sender
	People        People
	Groups        Groups
	Prefs         Preferences
	// Meetings is optional: without it outcome emails carry no .ics.
	Meetings Meetings
	// Outcomes is optional: without it outcome emails carry only the
	// opening of the statement (the notification's excerpt).
	Outcomes Outcomes
	// Polls is optional: without it poll emails carry neither the
	// details nor the options and how to vote by replying.
	Polls Polls
	// Tokens mints the per-recipient Reply-To addresses (nil: no Reply-To).
	Tokens *replyaddr.Tokens
	// Catalog words the emails in each recipient's language (nil: a new
	// one; catalogs are parsed on first use of a language).
	Catalog *i18n.Catalog
	// BaseURL is the web app's origin, without trailing slash.
	BaseURL    string
	MailDomain string
	From       string
	Log        *slog.Logger
	Now        func() time.Time
	// Batch bounds the jobs one DeliverDue run takes (default 100).
	Batch int
	// Workers send in parallel within a run (default 4).
	Workers int
	// Backoff defaults to DefaultBackoff.
	Backoff []time.Duration
	// Lease is how long a claim lasts (default 2 minutes); SendTimeout
	// bounds one send (default 30 s) and must be shorter.
	Lease       time.Duration
	SendTimeout time.Duration
	// ReplyTTL is how long a Reply-To address works (default 60 days).
	ReplyTTL time.Duration
}

// Dispatcher delivers the outbox.
type Dispatcher struct {
	c   Config
	log *slog.Logger
	now func() time.Time
}

// NewDispatcher returns a dispatcher.
func NewDispatcher(c Config) (*Dispatcher, error) {
	if c.Notifications == nil || c.Sender == nil || c.People == nil || c.Groups == nil || c.Prefs == nil {
		return nil, errors.New("notify dispatcher: Notifications, Sender, People, Groups and Prefs are required")
	}
	if c.BaseURL == "" || c.MailDomain == "" || c.From == "" {
		return nil, errors.New("notify dispatcher: BaseURL, MailDomain and From are required")
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.Batch <= 0 {
		c.Batch = 100
	}
	if c.Workers <= 0 {
		c.Workers = 4
	}
	if len(c.Backoff) == 0 {
		c.Backoff = DefaultBackoff
	}
	if c.Lease <= 0 {
		c.Lease = 2 * time.Minute
	}
	if c.SendTimeout <= 0 || c.SendTimeout >= c.Lease {
		c.SendTimeout = min(30*time.Second, c.Lease/2)
	}
	if c.ReplyTTL <= 0 {
		c.ReplyTTL = replyaddr.ReplyTTL
	}
	if c.Catalog == nil {
		c.Catalog = i18n.New()
	}
	d := &Dispatcher{c: c, log: c.Log, now: c.Now}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.now == nil {
		d.now = time.Now
	}
	return d, nil
}

// MaxAttempts is how many times a job is tried before it is dead.
func (d *Dispatcher) MaxAttempts() int { return len(d.c.Backoff) + 1 }

// Report is what a delivery run did.
type Report struct {
	Due      int `json:"due"`
	Sent     int `json:"sent"`
	Digested int `json:"digested"`
	Skipped  int `json:"skipped"`
	Retried  int `json:"retried"`
	Dead     int `json:"dead"`
	// Busy jobs were claimed by another sender first.
	Busy int `json:"busy"`
	// Errors are storage failures (the job stays queued).
	Errors int `json:"errors"`
}

func (r *Report) add(o outcome) {
	switch o {
	case outSent:
		r.Sent++
	case outDigest:
		r.Digested++
	case outSkipped:
		r.Skipped++
	case outRetry:
		r.Retried++
	case outDead:
		r.Dead++
	case outBusy:
		r.Busy++
	case outError:
		r.Errors++
	}
}

type outcome int

const (
	outNone outcome = iota
	outSent
	outDigest
	outSkipped
	outRetry
	outDead
	outBusy
	outError
)

// DeliverDue sweeps the outbox once: up to Batch jobs due by now (new ones,
// retries whose backoff has passed, claims whose sender vanished). The
// scheduler and make dev call it; it is safe to run concurrently.
func (d *Dispatcher) DeliverDue(ctx context.Context, now time.Time) (Report, error) {
	jobs, err := d.c.Notifications.DueJobs(ctx, now, d.c.Batch)
	if err != nil {
		return Report{}, err
	}
	r := Report{Due: len(jobs)}
	var mu sync.Mutex
	var errs []error
	work := make(chan Job)
	var wg sync.WaitGroup
	for range min(d.c.Workers, max(len(jobs), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				o, err := d.process(ctx, j, now)
				mu.Lock()
				r.add(o)
				if err != nil {
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		work <- j
	}
	close(work)
	wg.Wait()
	if len(errs) > 0 {
		return r, domain.Wrap(domain.Unavailable, errors.Join(errs...), "some email jobs could not be processed")
	}
	return r, nil
}

// DeliverOne delivers one job if it is pending and due (the stream
// function calls it for each new job). Anything else is a no-op. The error
// is a storage failure worth retrying; send failures are already
// rescheduled with backoff.
func (d *Dispatcher) DeliverOne(ctx context.Context, uid, notifID string) error {
	now := d.now()
	j, err := d.c.Notifications.GetJob(ctx, uid, notifID)
	if domain.ErrorCode(err) == domain.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if !j.Pending() || j.Due().After(now) {
		return nil
	}
	_, err = d.process(ctx, j, now)
	return err
}

// process runs one job: claim, route, compose, send, mark.
func (d *Dispatcher) process(ctx context.Context, j Job, now time.Time) (outcome, error) {
	j, err := d.c.Notifications.Claim(ctx, j, now, d.c.Lease)
	if errors.Is(err, ErrNotClaimed) {
		return outBusy, nil
	}
	if err != nil {
		return outError, err
	}
	p, err := d.c.People.Person(ctx, j.UserID)
	if domain.ErrorCode(err) == domain.NotFound {
		return d.settle(ctx, j, MailSkipped, "no_user", now)
	}
	if err != nil {
		return d.fail(ctx, j, "people", err, now)
	}
	if p.Email == "" {
		return d.settle(ctx, j, MailSkipped, "no_address", now)
	}
	route, err := d.c.Prefs.Route(ctx, j.UserID, p.Email, j.GroupID, j.ThreadID)
	if err != nil {
		return d.fail(ctx, j, "preferences", err, now)
	}
	switch route.Action {
	case RouteDigest:
		return d.settle(ctx, j, MailDigest, "", now)
	case RouteSkip:
		return d.settle(ctx, j, MailSkipped, reasonCode(route.Reason), now)
	case RouteSend:
	default:
		return d.settle(ctx, j, MailSkipped, "unknown_route", now)
	}
	g, err := d.c.Groups.Group(ctx, j.UserID, j.GroupID)
	if err != nil {
		return d.fail(ctx, j, "groups", err, now)
	}
	msg, err := d.composeJob(ctx, j, p, g, route, now)
	if err != nil {
		if domain.ErrorCode(err) == domain.Invalid {
			// A message that cannot be built never will be: no retries.
			return d.settle(ctx, j, MailDead, "compose", now)
		}
		return d.fail(ctx, j, "compose", err, now)
	}
	sctx, cancel := context.WithTimeout(ctx, d.c.SendTimeout)
	sesID, err := d.c.Sender.Send(sctx, msg)
	cancel()
	if err != nil {
		return d.fail(ctx, j, "send", err, now)
	}
	if err := d.c.Notifications.MarkSent(ctx, j, sesID, d.now()); err != nil {
		// SES has the message: a lost lease means another sender may send
		// it again, with the same Message-ID (see the package comment).
		d.log.WarnContext(ctx, "outbox: sent but not marked", "notification", j.ID, "kind", string(j.Kind), "error", err.Error())
		return outSent, nil
	}
	d.log.InfoContext(ctx, "outbox: sent", "notification", j.ID, "kind", string(j.Kind), "attempts", j.Attempts)
	return outSent, nil
}

// settle ends a claimed job without sending it.
func (d *Dispatcher) settle(ctx context.Context, j Job, st MailState, reason string, now time.Time) (outcome, error) {
	if err := d.c.Notifications.Settle(ctx, j, st, reason, now); err != nil {
		if errors.Is(err, ErrLeaseLost) {
			return outBusy, nil
		}
		return outError, err
	}
	switch st {
	case MailDigest:
		return outDigest, nil
	case MailDead:
		d.log.ErrorContext(ctx, "outbox: email job dead", "notification", j.ID, "kind", string(j.Kind), "attempts", j.Attempts, "reason", reason)
		return outDead, nil
	}
	return outSkipped, nil
}

// fail reschedules a claimed job after a failed attempt, or gives up.
func (d *Dispatcher) fail(ctx context.Context, j Job, stage string, cause error, now time.Time) (outcome, error) {
	reason := stage + ":" + string(domain.ErrorCode(cause))
	if j.Attempts >= d.MaxAttempts() {
		return d.settle(ctx, j, MailDead, reason, now)
	}
	wait := d.c.Backoff[min(j.Attempts, len(d.c.Backoff))-1]
	d.log.WarnContext(ctx, "outbox: attempt failed", "notification", j.ID, "kind", string(j.Kind), "attempts", j.Attempts,
		"reason", reason, "retry_in", wait.String())
	if err := d.c.Notifications.Retry(ctx, j, now.Add(wait), reason); err != nil {
		if errors.Is(err, ErrLeaseLost) {
			return outBusy, nil
		}
		return outError, err
	}
	return outRetry, nil
}

// reasonCode keeps a skip reason short and free of anything but a code.
func reasonCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == ':' {
			b.WriteRune(r)
		}
		if b.Len() >= 40 {
			break
		}
	}
	if b.Len() == 0 {
		return "skipped"
	}
	return b.String()
}
