package testkit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/authz"
)

// Browser is the client a minted session is described by (as a sign-in
// from this browser would be).
var Browser = account.Client{IP: "192.0.2.1", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"}

// Person is an account with a live browser session of its own, made
// through the account core (CreateUser, then MintSession: the session item
// a sign-in makes, without the emailed code).
type Person struct {
	*account.User
	// Session is the session's cookie token.
	Session string
	// Ctx acts as that session: the actor AuthenticateSession resolved.
	Ctx context.Context

	accounts *account.Service
}

// Email returns an address no other test uses: the local part is name
// (lowercase, without spaces) and a random suffix.
func Email(name string) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	local := strings.ToLower(strings.Join(strings.Fields(name), ""))
	if local == "" {
		local = "someone"
	}
	return local + "-" + hex.EncodeToString(b) + "@example.org"
}

// NewPerson creates an account called name with a fresh address and signs
// it in.
func NewPerson(t testing.TB, accounts *account.Service, name string) *Person {
	t.Helper()
	return NewPersonWithEmail(t, accounts, name, Email(name))
}

// NewPersonWithEmail is NewPerson at a given address.
func NewPersonWithEmail(t testing.TB, accounts *account.Service, name, email string) *Person {
	t.Helper()
	u, err := accounts.CreateUser(context.Background(), email, name)
	if err != nil {
		t.Fatalf("testkit: create %s: %v", name, err)
	}
	return SignIn(t, accounts, u)
}

// SignIn mints a new session for an existing account.
func SignIn(t testing.TB, accounts *account.Service, u *account.User) *Person {
	t.Helper()
	token, err := accounts.MintSession(context.Background(), u.ID, Browser)
	if err != nil {
		t.Fatalf("testkit: session for %s: %v", u.ID, err)
	}
	a, err := accounts.AuthenticateSession(context.Background(), token)
	if err != nil {
		t.Fatalf("testkit: the minted session of %s does not authenticate: %v", u.ID, err)
	}
	return &Person{User: u, Session: token, Ctx: authz.WithActor(context.Background(), a), accounts: accounts}
}

// Token makes a personal API token (through CreateToken, as the person's
// session) and returns its secret, the bearer credential.
func (p *Person) Token(t testing.TB) string {
	t.Helper()
	nt, err := p.accounts.CreateToken(p.Ctx, "testkit")
	if err != nil {
		t.Fatalf("testkit: token for %s: %v", p.ID, err)
	}
	return nt.Secret
}

// Bot is a context acting as a new API token of the person (the actor
// AuthenticateToken resolves), as an integration calling the API does.
func (p *Person) Bot(t testing.TB) context.Context {
	t.Helper()
	a, err := p.accounts.AuthenticateToken(context.Background(), p.Token(t))
	if err != nil {
		t.Fatalf("testkit: the token of %s does not authenticate: %v", p.ID, err)
	}
	return authz.WithActor(context.Background(), a)
}

// As is a context acting as a session of user id without any stored
// session: for cores' unit tests that take the actor on trust (the HTTP
// layer authenticates; the cores authorize).
func As(uid string) context.Context {
	return authz.WithActor(context.Background(), authz.Actor{Kind: authz.User, UserID: uid, SessionID: "s-" + uid})
}

// AsBot is As for an API token of user id.
func AsBot(uid string) context.Context {
	return authz.WithActor(context.Background(), authz.Actor{Kind: authz.Bot, UserID: uid, TokenID: "t-" + uid})
}

// Anonymous is a context without an actor.
func Anonymous() context.Context { return context.Background() }
