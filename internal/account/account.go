// Package account is the domain core of people and their credentials:
// users and profiles, sign-in by emailed magic link plus 6-digit code,
// optional passwords, browser sessions, personal API tokens, email changes
// and the rate limits that guard them. Every operation on an account asks
// authz.Account; sign-in itself is guarded by secrets and rate limits.
//
// Secrets (codes, link secrets, session and API tokens) are only ever stored
// as hashes: SHA-256 for high-entropy values, HMAC-SHA256 under a derived key
// for the 6-digit code. Comparisons are constant-time. Keys follow
// docs/data-model.md patterns 1-11.
package account

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // time zones must validate on Lambda images without zoneinfo
	"unicode"
	"unicode/utf8"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/ratelimit"
	"github.com/quorum-app/quorum/internal/secrets"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/text"
)

// User is a person with an account.
type User struct {
	store.Item
	// ID is the random, URL-safe identifier of the user.
	ID string `dynamo:"ID" json:"id"`
	// Email is the normalised (lower-case) address the user signs in with.
	Email string `dynamo:"Email" json:"email"`
	// Name is how the user is shown to others; empty until the first sign-in asks for it.
	Name string `dynamo:"Name" json:"name"`
	// TimeZone is an IANA zone name ("Europe/Berlin"), used for dates and closing times.
	TimeZone string `dynamo:"TimeZone" json:"time_zone"`
	// Locale is one of SupportedLocales.
	Locale string `dynamo:"Locale" json:"locale"`
	// CreatedAt is when the account was created (first verified sign-in).
	CreatedAt time.Time `dynamo:"CreatedAt" json:"created_at"`
	// PasswordHash is the PHC-encoded argon2id hash, empty without a password.
	PasswordHash string `dynamo:"PasswordHash,omitempty" json:"-"`
	// PasswordSetAt is when the password last changed.
	PasswordSetAt time.Time `dynamo:"PasswordSetAt,omitempty" json:"-"`
	// Erasing is set while the account is being deleted (the deletion
	// marker): it cannot sign in, and ResumeDeletions finishes the job.
	Erasing *time.Time `dynamo:"Erasing,omitempty" json:"-"`
	// EraseComments is set with Erasing when the person also asked to
	// remove their comments (erase.go).
	EraseComments bool `dynamo:"EraseComments,omitempty" json:"-"`
	// TermsVersion is the version of the terms of service and privacy
	// policy (legal.Docs.Version) the person was shown and accepted when
	// signing up or at their latest sign-in after a change; TermsAcceptedAt
	// is when.
	TermsVersion    string    `dynamo:"TermsVersion,omitempty" json:"terms_version,omitempty"`
	TermsAcceptedAt time.Time `dynamo:"TermsAcceptedAt,omitempty" json:"terms_accepted_at,omitzero"`
	// AvatarV is the version of the person's uploaded picture (avatar.go),
	// empty without one: pages show their initials then.
	AvatarV string `dynamo:"AvatarV,omitempty" json:"avatar_version,omitempty"`
}

// Location is the user's time zone for dates on pages: UTC when none is
// set (or the stored name is no longer known).
func (u *User) Location() *time.Location {
	if u == nil {
		return time.UTC
	}
	return i18n.Zone(u.TimeZone)
}

// Lang is the user's language setting (English when it is not one of the
// supported languages): pages and every email to them use it.
func (u *User) Lang() lang.Lang {
	if u == nil || !lang.Lang(u.Locale).Valid() {
		return lang.English
	}
	return lang.Lang(u.Locale)
}

// HasPassword reports whether the user can sign in with a password.
func (u *User) HasPassword() bool { return u.PasswordHash != "" }

// NeedsName reports whether the first sign-in still has to ask for a name.
func (u *User) NeedsName() bool { return u.Name == "" }

// emailItem makes an address unique (pattern 2).
type emailItem struct {
	store.Item
	UserID string `dynamo:"UserID"`
}

// Supported locales and defaults.
var SupportedLocales = func() []string {
	out := make([]string, len(lang.Supported))
	for i, l := range lang.Supported {
		out[i] = string(l)
	}
	return out
}()

const (
	DefaultTimeZone  = "UTC"
	DefaultLocale    = "en"
	MaxNameLen       = 100
	MaxEmailLen      = 254
	MaxPasswordLen   = 256
	MinPasswordLen   = 10
	MaxTokenNameLen  = 100
	MaxTokensPerUser = 25
)

// Limits are the rate limits and lockouts of sign-in.
type Limits struct {
	LoginPerEmail   ratelimit.Rule // code/link emails per address
	LoginPerIP      ratelimit.Rule // sign-in requests (any kind) per client address
	VerifyPerIP     ratelimit.Rule // code and link checks per client address
	PasswordLockout ratelimit.Rule // failed passwords per address before a lockout
	EmailChange     ratelimit.Rule // email-change mails per user
	DeletionCode    ratelimit.Rule // account-deletion code mails per user
}

// DefaultLimits are the production limits.
func DefaultLimits() Limits {
	return Limits{
		LoginPerEmail:   ratelimit.Rule{Scope: "login-email", Max: 5, Window: 15 * time.Minute},
		LoginPerIP:      ratelimit.Rule{Scope: "login-ip", Max: 30, Window: 15 * time.Minute},
		VerifyPerIP:     ratelimit.Rule{Scope: "verify-ip", Max: 60, Window: 15 * time.Minute},
		PasswordLockout: ratelimit.Rule{Scope: "password-fail", Max: 5, Window: 15 * time.Minute},
		EmailChange:     ratelimit.Rule{Scope: "email-change", Max: 5, Window: time.Hour},
		DeletionCode:    ratelimit.Rule{Scope: "delete-code", Max: 5, Window: 15 * time.Minute},
	}
}

// Lifetimes of secrets and sessions.
type Lifetimes struct {
	Challenge      time.Duration // login link and code
	ChallengeTries int           // code attempts before the challenge is burnt
	SessionIdle    time.Duration // a session unused this long ends
	SessionMax     time.Duration // no session lives longer
	SessionRefresh time.Duration // last-seen is written at most this often
	TokenTouch     time.Duration // token last-used is written at most this often
	EmailChange    time.Duration // email-change confirmation link
	FreshSession   time.Duration // a session this young may set a password without the current one
}

// DefaultLifetimes are the production lifetimes.
func DefaultLifetimes() Lifetimes {
	return Lifetimes{
		Challenge: 15 * time.Minute, ChallengeTries: 5,
		SessionIdle: 7 * 24 * time.Hour, SessionMax: 30 * 24 * time.Hour, SessionRefresh: 5 * time.Minute,
		TokenTouch: 5 * time.Minute, EmailChange: 24 * time.Hour, FreshSession: 15 * time.Minute,
	}
}

// Options configure a Service.
type Options struct {
	Store storage
	Mail  mail.Sender
	// From is the From header of sign-in mail.
	From string
	// BaseURL is the public origin links point to.
	BaseURL *url.URL
	// SigningKey is the root secret; the code MAC key is derived from it.
	SigningKey []byte
	// Now is the clock (tests move it); nil means time.Now.
	Now       func() time.Time
	Log       *slog.Logger
	Argon2    Argon2Params // zero value: DefaultArgon2
	Limits    *Limits      // nil: DefaultLimits
	Lifetimes *Lifetimes   // nil: DefaultLifetimes
	// Erasers erase what other cores hold about a person who deletes their
	// account, in this order (nil: only the account's own items).
	Erasers []Eraser
	// Guard refuses deleting the last admin of a group (nil: no check).
	Guard AdminGuard
	// Terms is the current version of the terms of service and privacy
	// policy (legal.Docs.Version). When set, a sign-in that would create an
	// account must say it was shown this version (Client.Terms), and the
	// account records it; "" records nothing (tests, seeding).
	Terms string
	// Catalog words the emails in their reader's language (nil: a new one).
	Catalog *i18n.Catalog
	// Avatars stores uploaded pictures (nil: pictures are off);
	// CoMembers says who may see them (nil: only the person).
	Avatars   AvatarFiles
	CoMembers CoMembers
}

// Service implements the account operations.
type Service struct {
	st      storage
	mail    mail.Sender
	from    string
	base    *url.URL
	codeKey []byte
	now     func() time.Time
	log     *slog.Logger
	argon   Argon2Params
	limits  Limits
	life    Lifetimes
	limiter *ratelimit.Limiter
	erasers []Eraser
	guard   AdminGuard
	terms   string
	cat     *i18n.Catalog
	avatars AvatarFiles
	// coMembers answers whether two people share a group.
	coMembers CoMembers
	// pictures processes uploads (ProcessPicturesWith; nil: refused).
	pictures PictureProcessor
	// dummy is a password hash verified for unknown emails (equal
	// timing), derived at the first password sign-in: at 64 MiB of argon2id
	// it would otherwise cost every cold start of every function ~0.4 s.
	dummy func() (string, error)
}

// New builds the service.
func New(o Options) (*Service, error) {
	if o.Store == nil || o.Mail == nil || o.BaseURL == nil || len(o.SigningKey) < 32 {
		return nil, errors.New("account: store, mail sender, base URL and a signing key of 32+ bytes are required")
	}
	s := &Service{st: o.Store, mail: o.Mail, from: o.From, base: o.BaseURL, now: o.Now, log: o.Log, argon: o.Argon2,
		erasers: o.Erasers, guard: o.Guard, terms: o.Terms, cat: o.Catalog, avatars: o.Avatars, coMembers: o.CoMembers, codeKey: secrets.DeriveKey(o.SigningKey, "login-code")}
	if s.cat == nil {
		s.cat = i18n.New()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.argon.Time == 0 {
		s.argon = DefaultArgon2()
	}
	s.limits = DefaultLimits()
	if o.Limits != nil {
		s.limits = *o.Limits
	}
	s.life = DefaultLifetimes()
	if o.Lifetimes != nil {
		s.life = *o.Lifetimes
	}
	s.limiter = ratelimit.New(o.Store, s.now)
	argon := s.argon
	s.dummy = sync.OnceValues(func() (string, error) { return hashPassword(secrets.NewToken(), argon) })
	return s, nil
}

// Now is the service clock.
func (s *Service) Now() time.Time { return s.now().UTC() }

// ---- keys ----

const userSK = "USER"

func hashHex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func emailPK(email string) string { return "EMAIL#" + hashHex(email) }

// ---- ids and secrets ----

func isToken(s string) bool {
	if len(s) != 43 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == 32
}

// ---- validation ----

// NormalizeEmail validates an address and returns its canonical form
// (trimmed, lower-case). Display names, comments, non-ASCII and anything
// that is not a plain addr-spec are rejected.
func NormalizeEmail(field, raw string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(raw))
	bad := func(msg string) (string, error) {
		return "", domain.Validation(domain.FieldError{Field: field, Message: msg})
	}
	switch {
	case e == "":
		return bad("is required")
	case !utf8.ValidString(raw):
		return bad("is not valid UTF-8")
	case len(e) > MaxEmailLen:
		return bad("is too long (at most 254 characters)")
	}
	for _, r := range e {
		if r > unicode.MaxASCII || r <= ' ' || strings.ContainsRune(`"(),:;<>[\]`, r) {
			return bad("is not a valid email address")
		}
	}
	local, host, ok := strings.Cut(e, "@")
	if !ok || local == "" || len(local) > 64 || strings.Contains(host, "@") || !strings.Contains(host, ".") ||
		strings.HasPrefix(host, ".") || strings.HasSuffix(host, ".") || strings.Contains(host, "..") ||
		strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return bad("is not a valid email address")
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return bad("is not a valid email address")
		}
		for _, r := range label {
			if !(r == '-' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9')) {
				return bad("is not a valid email address")
			}
		}
	}
	return e, nil
}

// KnownTimeZone reports whether tz is a zone a profile accepts (the rule
// UpdateProfile checks): the welcome page keeps the zone the browser
// reports only when it is one.
func KnownTimeZone(tz string) bool {
	var fe domain.FieldErrors
	checkTimeZone(&fe, "time_zone", tz)
	return fe.Err() == nil
}

func checkTimeZone(fe *domain.FieldErrors, field, tz string) {
	if tz == "" || len(tz) > 64 || tz == "Local" || strings.ContainsAny(tz, " \\") || strings.Contains(tz, "..") {
		fe.Add(field, "is not a known time zone (use a name like Europe/Berlin)")
		return
	}
	if _, err := time.LoadLocation(tz); err != nil {
		fe.Add(field, "is not a known time zone (use a name like Europe/Berlin)")
	}
}

func checkLocale(fe *domain.FieldErrors, field, loc string) {
	for _, l := range SupportedLocales {
		if loc == l {
			return
		}
	}
	fe.Add(field, "must be one of %s", strings.Join(SupportedLocales, ", "))
}

// ---- storage helpers ----

func (s *Service) getUser(ctx context.Context, id string) (*User, error) {
	if id == "" {
		return nil, store.ErrNotFound
	}
	var u User
	if err := s.st.Get(ctx, tabledef.UserPK(id), userSK, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// MaxUsersExist bounds the ids UsersExist and Users answer about (one
// BatchGetItem).
const MaxUsersExist = 100

// userKeys lists the user items' keys of ids (each once, empty ids
// skipped) and marks each in seen; more than MaxUsersExist is a validation
// error.
func userKeys(ids []string, seen func(id string) bool) ([]dynamo.Keyed, error) {
	var keys []dynamo.Keyed
	for _, id := range ids {
		if id == "" || seen(id) {
			continue
		}
		keys = append(keys, dynamo.Keys{tabledef.UserPK(id), userSK})
	}
	if len(keys) > MaxUsersExist {
		return nil, domain.Validation(domain.FieldError{Field: "users", Message: "at most 100 at a time"})
	}
	return keys, nil
}

// Users returns the accounts of ids that exist (an erased or unknown id is
// absent from the map): one BatchGetItem, whatever the number of ids up to
// MaxUsersExist. Lists of people (a group's members, its requests) read
// their page's names this way instead of one read per person.
func (s *Service) Users(ctx context.Context, ids []string) (map[string]*User, error) {
	asked := make(map[string]bool, len(ids))
	keys, err := userKeys(ids, func(id string) bool { dup := asked[id]; asked[id] = true; return dup })
	if err != nil || len(keys) == 0 {
		return map[string]*User{}, err
	}
	// Within a read-only request, people read before (the same faces asked
	// for twice by one page) are not read again (store.WithReadCache).
	sk := make([]store.Key, len(keys))
	for i, k := range keys {
		pk, _ := k.HashKey().(string)
		sk[i] = store.Key{PK: pk, SK: userSK}
	}
	items, err := store.BatchGetEventually(ctx, s.st.Table(), sk)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*User, len(items))
	for _, it := range items {
		u := new(User)
		if err := dynamo.UnmarshalItem(it, u); err != nil {
			return nil, domain.Wrap(domain.Internal, err, "stored item is unreadable")
		}
		if asked[u.ID] {
			out[u.ID] = u
		}
	}
	return out, nil
}

// UsersExist reports, for each user id, whether the account exists (an
// erased account does not): one BatchGetItem of the user items' ids.
func (s *Service) UsersExist(ctx context.Context, ids []string) (map[string]bool, error) {
	out := make(map[string]bool, len(ids))
	keys, err := userKeys(ids, func(id string) bool { _, dup := out[id]; out[id] = false; return dup })
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return out, nil
	}
	var us []struct {
		ID string `dynamo:"ID"`
	}
	err = s.st.Table().Batch(tabledef.PK, tabledef.SK).Get(keys...).Project("ID").All(ctx, &us)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return nil, store.Classify(err)
	}
	for _, u := range us {
		if _, asked := out[u.ID]; asked {
			out[u.ID] = true
		}
	}
	return out, nil
}

// userByEmail returns the user with this normalised address, or NotFound.
func (s *Service) userByEmail(ctx context.Context, email string) (*User, error) {
	var e emailItem
	if err := s.st.Get(ctx, emailPK(email), "EMAIL", &e); err != nil {
		return nil, err
	}
	return s.getUser(ctx, e.UserID)
}

// ErrEmailTaken is returned when an address already belongs to an account.
var ErrEmailTaken = &domain.Error{Code: domain.Conflict, Message: "email: this address already belongs to another account",
	Fields: []domain.FieldError{{Field: "email", Message: "already belongs to another account"}}}

// createUser writes the user and its email uniqueness item in one
// transaction (pattern 3).
func (s *Service) createUser(ctx context.Context, email, name string, l lang.Lang, terms string) (*User, error) {
	id := ids.NewUser()
	u := &User{Item: store.Item{PK: tabledef.UserPK(id), SK: userSK, Type: "user"}, ID: id, Email: email, Name: name,
		TimeZone: DefaultTimeZone, Locale: string(requestLang(l)), CreatedAt: s.Now()}
	if terms != "" {
		u.TermsVersion, u.TermsAcceptedAt = terms, u.CreatedAt
	}
	e := &emailItem{Item: store.Item{PK: emailPK(email), SK: "EMAIL", Type: "email"}, UserID: id}
	if err := s.st.Tx().Create(u, nil).Create(e, ErrEmailTaken).Run(ctx, ""); err != nil {
		return nil, err
	}
	return u, nil
}

// CreateUser creates an account directly (demo data, tests). Normal sign-up
// goes through RequestLogin and Verify.
func (s *Service) CreateUser(ctx context.Context, email, name string) (*User, error) {
	var fe domain.FieldErrors
	e, err := NormalizeEmail("email", email)
	if err != nil {
		return nil, err
	}
	n := text.CheckLine(&fe, "name", name, 1, MaxNameLen)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return s.createUser(ctx, e, n, lang.English, "")
}

// UserByEmail finds an account by address (for seeding and for the groups
// core's invitations). Missing accounts are NotFound.
func (s *Service) UserByEmail(ctx context.Context, email string) (*User, error) {
	e, err := NormalizeEmail("email", email)
	if err != nil {
		return nil, err
	}
	return s.userByEmail(ctx, e)
}

// User returns a user by id for other parts of the core (display names).
// It is not an account operation: no policy applies, no credentials returned.
func (s *Service) User(ctx context.Context, id string) (*User, error) { return s.getUser(ctx, id) }

// ---- profile ----

// Me returns the actor's own account.
// Errors: Unauthorized when not signed in.
func (s *Service) Me(ctx context.Context) (*User, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.Account(a, authz.AccountRead, a.UserID); err != nil {
		return nil, err
	}
	u, err := s.getUser(ctx, a.UserID)
	if domain.ErrorCode(err) == domain.NotFound {
		return nil, authz.ErrSignIn
	}
	return u, err
}

// ProfileUpdate holds the fields to change; nil leaves a field as it is.
type ProfileUpdate struct {
	Name     *string `json:"name,omitempty"`
	TimeZone *string `json:"time_zone,omitempty"`
	Locale   *string `json:"locale,omitempty"`
}

// UpdateProfile changes name, time zone and locale of the actor's account.
// Errors: Unauthorized, Forbidden (not allowed for this credential),
// Invalid with field details, Conflict on a concurrent change.
func (s *Service) UpdateProfile(ctx context.Context, p ProfileUpdate) (*User, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.Account(a, authz.AccountUpdate, a.UserID); err != nil {
		return nil, err
	}
	var fe domain.FieldErrors
	var name string
	if p.Name != nil {
		name = text.CheckLine(&fe, "name", *p.Name, 1, MaxNameLen)
	}
	if p.TimeZone != nil {
		checkTimeZone(&fe, "time_zone", *p.TimeZone)
	}
	if p.Locale != nil {
		checkLocale(&fe, "locale", *p.Locale)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		u, err := s.getUser(ctx, a.UserID)
		if err != nil {
			return nil, err
		}
		if p.Name != nil {
			u.Name = name
		}
		if p.TimeZone != nil {
			u.TimeZone = *p.TimeZone
		}
		if p.Locale != nil {
			u.Locale = *p.Locale
		}
		err = s.st.Save(ctx, u)
		if errors.Is(err, store.ErrVersionConflict) && attempt < 3 {
			continue
		}
		if err != nil {
			return nil, err
		}
		return u, nil
	}
}

// ---- helpers shared by files ----

func (s *Service) link(path string, q url.Values) string {
	u := *s.base
	u.Path = path
	u.RawQuery = q.Encode()
	return u.String()
}
