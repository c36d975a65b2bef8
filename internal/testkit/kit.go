package testkit

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/testcloud"
)

// Kit is one test's world: an isolated environment, its store, a clock, a
// recording mailbox and the account and group cores wired on them (mail
// from both goes to Mail). Packages whose core needs other wiring build it
// on Env, Store, Clock and Mail, and make people and groups with
// NewPerson and NewGroup on their own services.
type Kit struct {
	T        testing.TB
	Env      *testcloud.Env
	Store    *store.Store
	Clock    *Clock
	Mail     *Mailbox
	Log      *slog.Logger
	Accounts *account.Service
	Groups   *group.Service
}

type options struct {
	tier  Tier
	ses   bool
	clock *Clock
	log   *slog.Logger
}

// Option changes what New builds.
type Option func(*options)

// WithTier puts the kit on tier (FastTier by default).
func WithTier(tier Tier) Option { return func(o *options) { o.tier = tier } }

// Real puts the kit on DynamoDB Local and the stand-ins (skipped under -short).
func Real() Option { return WithTier(RealTier) }

// WithSES makes the mailbox also send each message to the environment's
// SES, where mail.Emulator reads it as stored (rendered, parsed).
func WithSES() Option { return func(o *options) { o.ses = true } }

// WithClock gives the cores c (default: a live clock).
func WithClock(c *Clock) Option { return func(o *options) { o.clock = c } }

// WithLog gives the cores log (default: discarded).
func WithLog(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// New builds a kit on a fresh environment (the fast tier unless asked).
func New(t testing.TB, opts ...Option) *Kit {
	t.Helper()
	o := options{}
	for _, f := range opts {
		f(&o)
	}
	env := NewEnv(t, o.tier)
	k := &Kit{T: t, Env: env, Store: StoreOf(env), Clock: o.clock, Mail: &Mailbox{}, Log: o.log}
	if k.Clock == nil {
		k.Clock = NewLiveClock()
	}
	if k.Log == nil {
		k.Log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	if o.ses {
		k.Mail.Next = mail.NewSES(env.Clients.SES, "", env.Config.MailDomain)
	}
	k.Accounts = NewAccounts(t, env, k.Store, k.Mail, k.Clock, k.Log)
	k.Groups = group.New(group.Config{Store: k.Store, People: AccountPeople{k.Accounts}, Mail: k.Mail,
		MailFrom: env.Config.MailFrom, BaseURL: env.Config.BaseURL, SigningKey: env.Config.SigningKey, Log: k.Log, Now: k.Clock.Now})
	return k
}

// NewAccounts is the account core on env and st as tests want it: fast
// password hashing, sign-in limits high enough for many sign-ins from one
// test address, mail to sender, time from clock.
func NewAccounts(t testing.TB, env *testcloud.Env, st *store.Store, sender mail.Sender, clock *Clock, log *slog.Logger) *account.Service {
	t.Helper()
	l := account.DefaultLimits()
	l.LoginPerIP.Max, l.VerifyPerIP.Max = 1000, 1000
	o := account.Options{Store: st, Mail: sender, From: env.Config.MailFrom, BaseURL: env.Config.BaseURL,
		SigningKey: env.Config.SigningKey, Log: log, Argon2: account.FastArgon2(), Limits: &l}
	if clock != nil {
		o.Now = clock.Now
	}
	a, err := account.New(o)
	if err != nil {
		t.Fatalf("testkit: account core: %v", err)
	}
	return a
}

// Person creates and signs in a person (NewPerson on the kit's accounts).
func (k *Kit) Person(name string) *Person {
	k.T.Helper()
	return NewPerson(k.T, k.Accounts, name)
}

// Group creates a group of kind (NewGroup on the kit's groups) and
// returns its id.
func (k *Kit) Group(kind Kind, admin context.Context, members ...context.Context) string {
	k.T.Helper()
	return NewGroup(k.T, k.Groups, kind, admin, members...).ID
}

// AccountPeople is what the group core knows of people, read from the
// account core (the deployed wiring is cores.People, which this package
// cannot import: the cores' own tests import testkit).
type AccountPeople struct{ Accounts *account.Service }

func person(u *account.User) group.Person {
	return group.Person{ID: u.ID, Name: u.Name, Email: u.Email, Lang: u.Lang(), TimeZone: u.TimeZone, Avatar: u.AvatarV}
}

// UserByID implements group.People.
func (p AccountPeople) UserByID(ctx context.Context, id string) (group.Person, error) {
	u, err := p.Accounts.User(ctx, id)
	if err != nil {
		return group.Person{}, err
	}
	return person(u), nil
}

// UsersByID implements group.People.
func (p AccountPeople) UsersByID(ctx context.Context, ids []string) (map[string]group.Person, error) {
	us, err := p.Accounts.Users(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]group.Person, len(us))
	for id, u := range us {
		out[id] = person(u)
	}
	return out, nil
}

// UserIDByEmail implements group.People.
func (p AccountPeople) UserIDByEmail(ctx context.Context, email string) (string, bool, error) {
	u, err := p.Accounts.UserByEmail(ctx, email)
	if domain.ErrorCode(err) == domain.NotFound {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return u.ID, true, nil
}
