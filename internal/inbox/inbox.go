// Package inbox is Quorum's inbound mail service: it acts on the messages
// SES receives. The pure parts (parsing, reply extraction, machine-mail
// detection, reply tokens, the accept/hold/reject decision, reading votes)
// live in internal/inbound; this package loads the raw message from S3,
// looks up people and targets, and posts through the domain cores as the
// person it has authenticated, exactly as the web does:
//
//   - a reply to a thread or comment address becomes a comment or reply
//     (discussion core), a reply to a poll address a vote (decision core);
//   - mail to <group handle>@<mail domain> from a member starts a thread;
//   - anything that cannot be attributed with confidence is held: replies
//     for the token's user to confirm after signing in, group mail for the
//     group's admins to allow (optionally remembering the address as a
//     member's alias) or block;
//   - auto-replies, bulk mail, bounces and loops are dropped unanswered.
//
// Every message is processed at most once per SES message id (an INBOUND#
// record claimed before and completed after the work), and every write is
// keyed by the message id as well (discussion.MailItemID, MailThreadID,
// held ids), so a delivery that crashed half way and is retried meets its
// earlier effect instead of repeating it. See docs/email-inbound.md.
package inbox

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/inbound"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/replyaddr"
	"github.com/quorum-app/quorum/internal/secrets"
	"github.com/quorum-app/quorum/internal/store"
)

// KeyGenerations tells the current reply-address key generation of a user
// (rotating it revokes every reply address issued before). internal/mailpref
// will own it; until then ZeroGenerations answers 0 for everyone.
type KeyGenerations interface {
	KeyGeneration(ctx context.Context, userID string) (int, error)
}

// ZeroGenerations is the KeyGenerations of a deployment where nobody has
// rotated their reply addresses yet.
type ZeroGenerations struct{}

// KeyGeneration implements KeyGenerations.
func (ZeroGenerations) KeyGeneration(context.Context, string) (int, error) { return 0, nil }

// Notifications reads the notification a comment's reply address names
// (internal/notify): it says which thread and comment the email was about.
type Notifications interface {
	GetJob(ctx context.Context, uid, id string) (notify.Job, error)
}

// Config are the Service's dependencies.
type Config struct {
	Store storage
	Raw   RawStore
	// InboundBucket and InboundPrefix say where raw mail is stored (the
	// key is the prefix + the SES message id); used by Inject.
	InboundBucket string
	InboundPrefix string
	// Tokens verifies reply addresses (replyaddr.NewTokens with the root key
	// and the mail domain).
	Tokens *replyaddr.Tokens
	Keys   KeyGenerations
	// Notifications resolves the reply addresses of comment emails.
	Notifications Notifications
	// People looks up accounts (id → verified address and name; address → id).
	People      group.People
	Discussions *discussion.Service
	Decisions   *decision.Service
	Groups      *group.Service
	Mail        mail.Sender
	// MailFrom is the From of the mail this service sends; BaseURL the web
	// app's origin for links.
	MailFrom string
	BaseURL  string
	// SigningKey is the root secret (held-message ids derive their key from it).
	SigningKey []byte
	// Retention is how long raw mail is kept (records of processed
	// messages expire with it); default 30 days. HoldFor is how long a held
	// message waits for confirmation; default 14 days, at most Retention
	// (confirming needs the raw message for its attachments).
	Retention time.Duration
	HoldFor   time.Duration
	// ReplyTTL is how long reply addresses work (default
	// replyaddr.ReplyTTL): a Message-ID is remembered that long (and a day).
	ReplyTTL time.Duration
	Log      *slog.Logger
	Now      func() time.Time
	// Audit records admins' decisions on held group mail in the group's
	// record, in the decision's own transaction (audit.Service); nil
	// records nothing (unit tests).
	Audit Recorder
	// Catalog words the notices in each recipient's language (nil: a new
	// one).
	Catalog *i18n.Catalog
}

// Recorder adds an admin action's entry to the transaction that does it.
type Recorder interface {
	Record(ctx context.Context, tx *store.Tx, gid string, action audit.Action, target audit.Target, details map[string]string) error
}

// Service processes inbound mail and serves held messages.
type Service struct {
	st          storage
	raw         RawStore
	bucket      string
	prefix      string
	tokens      *replyaddr.Tokens
	keys        KeyGenerations
	notes       Notifications
	people      group.People
	discussions *discussion.Service
	decisions   *decision.Service
	groups      Groups
	sender      mail.Sender
	from        string
	base        string
	heldKey     []byte
	retention   time.Duration
	holdFor     time.Duration
	remember    time.Duration
	log         *slog.Logger
	now         func() time.Time
	audit       Recorder
	cat         *i18n.Catalog
}

// New returns a Service.
func New(c Config) *Service {
	s := &Service{st: c.Store, raw: c.Raw, bucket: c.InboundBucket, prefix: c.InboundPrefix, tokens: c.Tokens, keys: c.Keys, notes: c.Notifications, people: c.People, discussions: c.Discussions,
		decisions: c.Decisions, groups: c.Groups, sender: c.Mail, from: c.MailFrom, base: strings.TrimRight(c.BaseURL, "/"),
		heldKey: secrets.DeriveKey(c.SigningKey, "inbound-held"), retention: c.Retention, holdFor: c.HoldFor, remember: c.ReplyTTL, log: c.Log, now: c.Now}
	if s.keys == nil {
		s.keys = ZeroGenerations{}
	}
	s.audit = c.Audit
	if s.audit == nil {
		s.audit = audit.Discard
	}
	s.cat = c.Catalog
	if s.cat == nil {
		s.cat = i18n.New()
	}
	if s.retention <= 0 {
		s.retention = 30 * 24 * time.Hour
	}
	if s.holdFor <= 0 {
		s.holdFor = 14 * 24 * time.Hour
	}
	if s.remember <= 0 {
		s.remember = replyaddr.ReplyTTL
	}
	s.remember += 24 * time.Hour // addresses expire at the end of a day
	if s.holdFor > s.retention {
		s.holdFor = s.retention
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Domain is the mail domain the service receives at.
func (s *Service) Domain() string { return s.tokens.Domain() }

// Delivery is one message as SES hands it over: the receipt rule stored
// the raw MIME at Bucket/Key, then invoked the function with the receipt.
type Delivery struct {
	// MessageID is SES's message id (the idempotency key).
	MessageID string
	Bucket    string
	Key       string
	// Recipients are the envelope recipients SES accepted for us.
	Recipients []string
	Verdicts   inbound.Verdicts
	// Received is SES's receipt time (default: now).
	Received time.Time
}

// Result is what became of a message.
type Result string

// Results.
const (
	Posted    Result = "posted"    // a comment or reply was posted
	Voted     Result = "voted"     // a ballot was cast or changed
	Started   Result = "started"   // a thread was started in a group
	HeldMail  Result = "held"      // kept for the user (or the group's admins) to confirm
	Rejected  Result = "rejected"  // refused: invalid address, no access, closed, ...
	Dropped   Result = "dropped"   // machine mail, unreadable, not for us: ignored unanswered
	Helped    Result = "help"      // an unreadable vote: the voter was sent how to vote
	Duplicate Result = "duplicate" // processed before (same SES message id, or same Message-ID for the same account or group): nothing done
)

// Outcome is the report on one message. It carries no personal data (no
// addresses, names or text) and is stored as the message's record.
type Outcome struct {
	MessageID string   `json:"message_id"`
	Result    Result   `json:"result"`
	Reasons   []string `json:"reasons,omitempty"`
	GroupID   string   `json:"group_id,omitempty"`
	ThreadID  string   `json:"thread_id,omitempty"`
	CommentID string   `json:"comment_id,omitempty"`
	PollID    string   `json:"poll_id,omitempty"`
	HeldID    string   `json:"held_id,omitempty"`
	// Attached and Skipped count the attachments kept and refused.
	Attached int `json:"attached,omitempty"`
	Skipped  int `json:"skipped,omitempty"`
	// Replied: an email went to the account address of the person concerned.
	Replied bool `json:"replied,omitempty"`
	// Repeat: the effect was found from an earlier, interrupted delivery.
	Repeat bool `json:"repeat,omitempty"`
	// Previous is the first delivery's result (Duplicate only).
	Previous Result `json:"previous,omitempty"`
	// sender is the From address (only its hash is stored).
	sender string
}

var messageIDRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`) }) // compiled on first use, not at every cold start

// ErrBusy answers a delivery whose message another invocation is
// processing right now; Lambda retries it later.
var ErrBusy = domain.Errorf(domain.Unavailable, "this message is being processed; try again shortly")

// Process acts on one received message. It is idempotent per SES message
// id: a repeated delivery returns Duplicate and does nothing. An error
// means the work may be incomplete and the delivery should be retried
// (storage or mail service unavailable); the outcome of a message that
// cannot succeed (unreadable, refused, ...) is reported without an error.
func (s *Service) Process(ctx context.Context, d Delivery) (Outcome, error) {
	if !messageIDRE().MatchString(d.MessageID) {
		return Outcome{}, domain.Errorf(domain.Invalid, "the SES message id is not valid")
	}
	if d.Received.IsZero() {
		d.Received = s.now()
	}
	d.Received = d.Received.UTC()
	prev, claimed, err := s.claim(ctx, d)
	if err != nil {
		return Outcome{}, err
	}
	if !claimed {
		return Outcome{MessageID: d.MessageID, Result: Duplicate, Previous: Result(prev.Result)}, nil
	}
	out, err := s.process(ctx, d)
	out.MessageID = d.MessageID
	if err != nil {
		s.log.WarnContext(ctx, "inbound message failed", "message_id", d.MessageID, "err", err)
		s.release(ctx, d.MessageID)
		return out, err
	}
	if err := s.finish(ctx, d, out); err != nil {
		return out, err
	}
	s.log.InfoContext(ctx, "inbound message", "message_id", d.MessageID, "result", string(out.Result),
		"thread_id", out.ThreadID, "poll_id", out.PollID, "group_id", out.GroupID, "held_id", out.HeldID, "repeat", out.Repeat)
	return out, nil
}

func dropped(reasons ...string) Outcome { return Outcome{Result: Dropped, Reasons: reasons} }

func (s *Service) process(ctx context.Context, d Delivery) (out Outcome, err error) {
	raw, err := s.raw.Get(ctx, d.Bucket, d.Key, inbound.MaxMessageSize)
	switch {
	case errors.Is(err, ErrRawMissing):
		return dropped("the raw message is not in the inbound bucket"), nil
	case domain.ErrorCode(err) == domain.TooLarge:
		return dropped("the message is larger than 30 MB"), nil
	case err != nil:
		return Outcome{}, err
	}
	m, err := inbound.Parse(raw)
	if err != nil {
		return dropped("the message could not be read as email"), nil
	}
	// The sender's address, hashed on the message's record, so the raw
	// message can be erased with the sender's account (erase.go).
	if m.From.Address != "" {
		defer func() { out.sender = m.From.Address }()
	}
	if c := inbound.Classify(m, s.Domain()); c.Drop() {
		return dropped(string(c.Kind) + ": " + c.Reason), nil
	}
	if addr := s.tokens.FindReplyAddress(d.Recipients...); addr != "" {
		return s.reply(ctx, d, m, addr)
	}
	gid, err := s.groupRecipient(ctx, d.Recipients)
	if err != nil {
		return Outcome{}, err
	}
	if gid != "" {
		return s.toGroup(ctx, d, m, gid)
	}
	return dropped("no recipient is a Quorum reply or group address"), nil
}

// asUser is ctx acting as the person the email was attributed to.
func asUser(ctx context.Context, uid string) context.Context {
	return authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: uid})
}

// retryable reports errors that mean "try again" rather than "refused".
func retryable(err error) bool {
	switch domain.ErrorCode(err) {
	case domain.Internal, domain.Unavailable:
		return true
	case "":
		return err != nil
	}
	return false
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// heldID is the id of the held message made from SES message id: keyed,
// so that it cannot be derived by whoever knows the message id, and
// deterministic, so a repeated delivery holds the message once.
func (s *Service) heldID(messageID string) string {
	m := hmac.New(sha256.New, s.heldKey)
	m.Write([]byte(messageID))
	return strings.ToLower(idEncoding.EncodeToString(m.Sum(nil)[:15]))
}

func (s *Service) link(path string) string { return s.base + path }

func pathID(id string) string { return url.PathEscape(id) }
