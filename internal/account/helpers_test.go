package account_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/ratelimit"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

type fixture struct {
	svc   *account.Service
	st    *store.Store
	env   *testcloud.Env
	clock *testkit.Clock
	emu   mail.Emulator
	logs  *bytes.Buffer
	// secrets collects every plaintext secret the test saw, for the at-rest scan.
	secrets []string
}

func newFixture(t *testing.T, limits *account.Limits) *fixture {
	t.Helper()
	return newFixtureWith(t, limits, nil)
}

// newFixtureWith lets a test set more options (erasers, the admin guard).
func newFixtureWith(t *testing.T, limits *account.Limits, more func(*account.Options)) *fixture {
	t.Helper()
	env := testcloud.Fast(t)
	st := store.New(env.Clients.DynamoDB, env.Config.Table, env.Config.SigningKey)
	f := &fixture{st: st, env: env, clock: testkit.NewClock(time.Now().UTC()), emu: mail.Emulator{URL: env.Config.SESEndpoint},
		logs: &bytes.Buffer{}}
	if limits == nil {
		l := account.DefaultLimits()
		l.LoginPerIP.Max, l.VerifyPerIP.Max = 1000, 1000
		limits = &l
	}
	opts := account.Options{
		Store: st, Mail: mail.NewSES(env.Clients.SES, "", env.Config.MailDomain), From: env.Config.MailFrom,
		BaseURL: env.Config.BaseURL, SigningKey: env.Config.SigningKey, Now: f.clock.Now,
		Log:    slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Argon2: account.FastArgon2(), Limits: limits,
	}
	if more != nil {
		more(&opts)
	}
	svc, err := account.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	return f
}

// uniqueEmail returns an address no other test uses (the SES emulator's
// store is shared).
func uniqueEmail(prefix string) string { return testkit.Email(prefix) }

var (
	codeRe = regexp.MustCompile(`Your code: (\d{6})`)
	linkRe = regexp.MustCompile(`(https?://\S+/login/verify\?token=(\S+))`)
)

// mailFor waits for the newest sign-in mail to addr and returns code, link
// token and subject.
func (f *fixture) mailFor(t *testing.T, addr string, after int) (code, token, subject string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	seen := 0
	m, err := f.emu.WaitFor(ctx, addr, func(m mail.StoredMessage) bool {
		seen++
		return codeRe.MatchString(m.Body.Text) && countTo(f, addr) > after
	})
	if err != nil {
		t.Fatal(err)
	}
	c := codeRe.FindStringSubmatch(m.Body.Text)
	l := linkRe.FindStringSubmatch(m.Body.Text)
	if c == nil || l == nil {
		t.Fatalf("no code or link in mail: %q", m.Body.Text)
	}
	tok := strings.TrimSpace(l[2])
	f.secrets = append(f.secrets, c[1], tok, strings.SplitN(tok, ".", 2)[1])
	return c[1], tok, m.Subject
}

func countTo(f *fixture, addr string) int {
	msgs, err := f.emu.Messages(context.Background())
	if err != nil {
		return 0
	}
	n := 0
	for _, m := range msgs {
		for _, to := range m.Destination.To {
			if strings.Contains(strings.ToLower(to), strings.ToLower(addr)) {
				n++
			}
		}
	}
	return n
}

// login signs addr in by code and returns the verification.
func (f *fixture) login(t *testing.T, addr, name string) *account.Verification {
	t.Helper()
	before := countTo(f, addr)
	if _, err := f.svc.RequestLogin(context.Background(), account.Client{IP: "192.0.2.1"}, addr); err != nil {
		t.Fatal(err)
	}
	code, _, _ := f.mailFor(t, addr, before)
	v, err := f.svc.VerifyCode(context.Background(), account.Client{IP: "192.0.2.1", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"}, addr, code, name)
	if err != nil {
		t.Fatal(err)
	}
	f.secrets = append(f.secrets, v.Token)
	return v
}

// as returns a context acting as the session of v.
func (f *fixture) as(t *testing.T, token string) context.Context {
	t.Helper()
	a, err := f.svc.AuthenticateSession(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return authz.WithActor(context.Background(), a)
}

var _ = ratelimit.Rule{}
