package account_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/domain"
)

// With terms configured, an account is created only for someone who was
// shown their current version, and records it; a refusal does not spend
// the code; an existing account signs in whatever it sends, and records a
// newer version when its form showed one.
func TestSignUpRecordsTheTermsShown(t *testing.T) {
	terms := "v1terms00000.v1privacy000"
	f := newFixtureWith(t, nil, func(o *account.Options) { o.Terms = terms })
	ctx := context.Background()
	addr := uniqueEmail("terms")
	before := countTo(f, addr)
	if _, err := f.svc.RequestLogin(ctx, client, addr); err != nil {
		t.Fatal(err)
	}
	code, token, _ := f.mailFor(t, addr, before)

	for name, shown := range map[string]string{"none (an API call without terms_version)": "", "an older version": "v0.v0"} {
		c := client
		c.Terms = shown
		_, err := f.svc.VerifyCode(ctx, c, addr, code, "Tess")
		var de *domain.Error
		if domain.ErrorCode(err) != domain.Invalid || !asDomain(err, &de) || len(de.Fields) != 1 || de.Fields[0].Field != "terms_version" {
			t.Fatalf("sign-up having been shown %s: %v, want a terms_version validation error", name, err)
		}
		if _, err := f.svc.VerifyLink(ctx, c, token, "Tess"); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("sign-up by link having been shown %s: %v", name, err)
		}
	}
	if _, err := f.svc.UserByEmail(ctx, addr); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("a refused sign-up created the account: %v", err)
	}

	// The same code still works once the current terms were shown.
	c := client
	c.Terms = terms
	v, err := f.svc.VerifyCode(ctx, c, addr, code, "Tess")
	if err != nil {
		t.Fatalf("sign-up with the current terms: %v", err)
	}
	if !v.NewAccount || v.User.TermsVersion != terms || v.User.TermsAcceptedAt.IsZero() {
		t.Fatalf("new account: new=%v terms %q at %v", v.NewAccount, v.User.TermsVersion, v.User.TermsAcceptedAt)
	}

	// An existing account signs in without terms (the API, a script) and
	// keeps what it accepted.
	signIn := func(shown string) *account.User {
		t.Helper()
		before := countTo(f, addr)
		if _, err := f.svc.RequestLogin(ctx, client, addr); err != nil {
			t.Fatal(err)
		}
		code, _, _ := f.mailFor(t, addr, before)
		c := client
		c.Terms = shown
		if _, err := f.svc.VerifyCode(ctx, c, addr, code, ""); err != nil {
			t.Fatalf("sign-in having been shown %q: %v", shown, err)
		}
		u, err := f.svc.UserByEmail(ctx, addr)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	if u := signIn(""); u.TermsVersion != terms {
		t.Fatalf("a sign-in without terms changed the record: %q", u.TermsVersion)
	}

	// The terms change: the next sign-in from a page that shows them records them.
	f2 := newFixtureWith(t, nil, func(o *account.Options) { o.Terms = "v2terms00000.v1privacy000"; o.Store = f.st })
	f = f2 // same table; its own mail stand-in receives the next code
	f2.clock.Set(v.User.TermsAcceptedAt.Add(time.Hour))
	if u := signIn("v2terms00000.v1privacy000"); u.TermsVersion != "v2terms00000.v1privacy000" || !u.TermsAcceptedAt.After(v.User.TermsAcceptedAt) {
		t.Fatalf("sign-in after a change: %q at %v", u.TermsVersion, u.TermsAcceptedAt)
	}
}

func asDomain(err error, out **domain.Error) bool { return errors.As(err, out) }
