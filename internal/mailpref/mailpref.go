// Package mailpref keeps what each person wants by email, and what Quorum
// may send at all: the delivery mode (immediate, daily or weekly digest,
// off), the digest hour and time zone, email opt-outs per group or thread,
// one-click unsubscribe links (RFC 8058) that work without signing in, the
// generation of reply-by-email keys, and suppressed addresses (hard bounces
// and complaints reported by SES).
//
// The outbound dispatcher asks one question per email, Route, answered
// from one BatchGetItem. Everything lives in the single table
// (docs/data-model.md, patterns 45 to 45d):
//
//	PK=USER#<uid>          SK=MAILPREF                      preferences and digest state;
//	                                                         GSI2PK=DIGEST GSI2SK=<due>#<uid> in daily/weekly mode
//	PK=USER#<uid>          SK=MAILOPTOUT#GROUP#<gid>        no email about this group
//	PK=USER#<uid>          SK=MAILOPTOUT#THREAD#<tid>       no email about this thread
//	PK=SUPPRESS#<sha256>   SK=SUPPRESS                      suppressed address (hash only)
//
// In-app notifications (internal/notify and its levels) are not affected by
// anything here.
package mailpref

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/mail"
	"net/url"
	"strings"
	"time"
	_ "time/tzdata" // time zones must resolve on Lambda images without zoneinfo

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/secrets"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Mode is how a person receives notification email.
type Mode string

// Modes.
const (
	Immediate Mode = "immediate" // one email per notification (the default)
	Daily     Mode = "daily"     // one catch-up digest a day at DigestHour
	Weekly    Mode = "weekly"    // one catch-up digest on Mondays at DigestHour
	Off       Mode = "off"       // no notification email
)

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool { return m == Immediate || m == Daily || m == Weekly || m == Off }

// digest reports whether m collects notifications into digests.
func (m Mode) digest() bool { return m == Daily || m == Weekly }

// DefaultDigestHour is the local hour digests go out at unless chosen.
const DefaultDigestHour = 8

// Actions of this package that are not in authz's list: they are allowed to
// a browser session of the account's owner and refused to API tokens
// (authz.Account refuses bots any action outside its short list).
const (
	// ActionResetReply revokes every reply-by-email address of the account.
	ActionResetReply authz.Action = "account.mail.reset_reply"
	// ActionUnsuppress resumes sending to a suppressed address.
	ActionUnsuppress authz.Action = "account.mail.unsuppress"
)

// Person is what the package needs to know about an account: the address
// and the time zone.
type Person struct{ Email, TimeZone string }

// Users looks up accounts; internal/cores adapts the account core to it.
// The package does not import the account core: functions/ses-events links
// this package, and the account core links the SES sender, whose package
// initialisation every cold start would pay.
type Users interface {
	MailPerson(ctx context.Context, id string) (Person, error)
}

// Config configures a Service.
type Config struct {
	Store storage
	// Users looks up accounts (time zone, address); required by the
	// methods that act for a signed-in person (Get, Update, Unsuppress...).
	// Route, digests, tokens and Suppress do not need it.
	Users Users
	// BaseURL is the public origin unsubscribe links point to.
	BaseURL *url.URL
	// SigningKey is the root secret; the unsubscribe key is derived from it.
	SigningKey []byte
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	Log *slog.Logger
}

// Service implements email preferences, unsubscribe and suppression.
type Service struct {
	st    storage
	users Users
	base  *url.URL
	key   []byte
	now   func() time.Time
	log   *slog.Logger
}

// New builds the service.
func New(c Config) (*Service, error) {
	if c.Store == nil || c.BaseURL == nil || len(c.SigningKey) < 32 {
		return nil, errors.New("mailpref: store, base URL and a signing key of 32+ bytes are required")
	}
	s := &Service{st: c.Store, users: c.Users, base: c.BaseURL, key: secrets.DeriveKey(c.SigningKey, "unsubscribe"),
		now: c.Now, log: c.Log}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// ---- keys ----

const (
	skPrefs      = "MAILPREF"
	prefixOptOut = "MAILOPTOUT#"
	skSuppress   = "SUPPRESS"
	queueDigest  = "DIGEST"
)

func optOutSK(sc Scope) string {
	if sc.Kind == ScopeGroup {
		return prefixOptOut + tabledef.GroupPK(sc.ID)
	}
	return prefixOptOut + tabledef.ThreadPK(sc.ID)
}

func suppressPK(email string) string {
	h := sha256.Sum256([]byte(NormalizeAddress(email)))
	return "SUPPRESS#" + hex.EncodeToString(h[:])
}

// timeKey renders t for a sort key: fixed width UTC, so strings sort like times.
func timeKey(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// NormalizeAddress is the canonical form of an address for suppression
// keys: the addr-spec of "Name <addr>", trimmed and lower-cased, the same
// form the account core stores (account.NormalizeEmail).
func NormalizeAddress(raw string) string {
	s := strings.TrimSpace(raw)
	if strings.ContainsAny(s, "<>") {
		if a, err := mail.ParseAddress(s); err == nil {
			s = a.Address
		}
	}
	return strings.ToLower(strings.TrimSpace(s))
}

// ---- items ----

// prefsItem: PK=USER#<uid> SK=MAILPREF. Written only when something differs
// from the defaults. In daily/weekly mode (and not unsubscribed from all)
// it is on the digest queue: GSI2PK=DIGEST GSI2SK=<due>#<uid>.
type prefsItem struct {
	store.Item
	UserID string `dynamo:"UserID"`
	Mode   Mode   `dynamo:"Mode,omitempty"`
	// DigestHour is nil for the default.
	DigestHour *int `dynamo:"DigestHour,omitempty"`
	// TimeZone is "" to follow the account's time zone.
	TimeZone      string     `dynamo:"TimeZone,omitempty"`
	KeyGeneration int        `dynamo:"KeyGeneration,omitempty"`
	AllOff        bool       `dynamo:"AllOff,omitempty"`
	AllOffAt      *time.Time `dynamo:"AllOffAt,omitempty"`
	// Digest state: the id of the last notification a digest covered, when
	// the next one is due, and since when the current one collects.
	After string     `dynamo:"After,omitempty"`
	Due   *time.Time `dynamo:"Due,omitempty"`
	Since *time.Time `dynamo:"Since,omitempty"`
	// Zone is the time zone the schedule was computed in (the chosen one,
	// or the account's when none was chosen).
	Zone string `dynamo:"Zone,omitempty"`
}

// zone is the time zone to schedule in: the chosen one, else the account's
// as last seen, else UTC.
func (p *prefsItem) zone() string {
	switch {
	case p.TimeZone != "":
		return p.TimeZone
	case p.Zone != "":
		return p.Zone
	}
	return "UTC"
}

func (p *prefsItem) mode() Mode {
	if p.Mode == "" {
		return Immediate
	}
	return p.Mode
}

func (p *prefsItem) hour() int {
	if p.DigestHour == nil {
		return DefaultDigestHour
	}
	return *p.DigestHour
}

func newPrefs(uid string) *prefsItem {
	return &prefsItem{Item: store.Item{PK: tabledef.UserPK(uid), SK: skPrefs, Type: "mail_preferences"}, UserID: uid}
}

// optOutItem: PK=USER#<uid> SK=MAILOPTOUT#GROUP#<gid> or MAILOPTOUT#THREAD#<tid>.
type optOutItem struct {
	store.Item
	UserID string    `dynamo:"UserID"`
	Kind   string    `dynamo:"Kind"`
	ID     string    `dynamo:"ScopeID"`
	At     time.Time `dynamo:"At"`
}

// suppressItem: PK=SUPPRESS#<sha256(normalised address)> SK=SUPPRESS. The
// address itself is not stored: whoever asks already knows it.
type suppressItem struct {
	store.Item
	Reason     string    `dynamo:"Reason"`
	FeedbackID string    `dynamo:"FeedbackID,omitempty"`
	At         time.Time `dynamo:"At"`
	// Events counts the reports received (a repeated delivery of the same
	// report is not counted).
	Events int `dynamo:"Events"`
}

// ---- helpers ----

// self returns the actor of ctx when they may perform action on their own account.
func self(ctx context.Context, action authz.Action) (string, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.Account(a, action, a.UserID); err != nil {
		return "", err
	}
	return a.UserID, nil
}

func (s *Service) user(ctx context.Context, uid string) (Person, error) {
	if s.users == nil {
		return Person{}, domain.Errorf(domain.Internal, "mailpref: no account directory configured")
	}
	u, err := s.users.MailPerson(ctx, uid)
	if domain.ErrorCode(err) == domain.NotFound {
		return Person{}, authz.ErrSignIn
	}
	return u, err
}

func (s *Service) getPrefs(ctx context.Context, uid string) (*prefsItem, error) {
	p := newPrefs(uid)
	err := s.st.Get(ctx, tabledef.UserPK(uid), skPrefs, p)
	if errors.Is(err, store.ErrNotFound) {
		return newPrefs(uid), nil
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// modifyPrefs reads uid's preferences, applies fn and saves them with
// optimistic concurrency, retrying a lost race a few times.
func (s *Service) modifyPrefs(ctx context.Context, uid string, fn func(p *prefsItem) error) (*prefsItem, error) {
	for attempt := 0; ; attempt++ {
		p, err := s.getPrefs(ctx, uid)
		if err != nil {
			return nil, err
		}
		if err := fn(p); err != nil {
			return nil, err
		}
		err = s.st.Save(ctx, p)
		if domain.ErrorCode(err) == domain.Conflict && attempt < 4 {
			continue
		}
		if err != nil {
			return nil, err
		}
		return p, nil
	}
}

func checkZone(tz string) bool {
	if tz == "" || len(tz) > 64 || tz == "Local" || strings.ContainsAny(tz, " \\") || strings.Contains(tz, "..") {
		return false
	}
	_, err := time.LoadLocation(tz)
	return err == nil
}

// EraseUser deletes a batch of a deleted account's email preferences and
// group or thread opt-outs; done when none are left. Suppressions are kept:
// they are about an address, not an account (docs/privacy.md).
func (s *Service) EraseUser(ctx context.Context, uid string) (bool, error) {
	return eraseSome(ctx, s.st, tabledef.UserPK(uid), skPrefs, prefixOptOut)
}

func eraseSome(ctx context.Context, st storage, pk string, prefixes ...string) (bool, error) {
	for _, p := range prefixes {
		n, err := st.DeletePrefix(ctx, pk, p, 25)
		if err != nil || n > 0 {
			return false, err
		}
	}
	return true, nil
}
