package account_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/ratelimit"
)

var client = account.Client{IP: "192.0.2.1", UserAgent: "test"}

func code(err error) domain.Code { return domain.ErrorCode(err) }

// Sign-up by code creates the account with the given name; signing in
// again finds the same account.
func TestSignUpThenSignInByCode(t *testing.T) {
	f := newFixture(t, nil)
	addr := uniqueEmail("new")
	v := f.login(t, strings.ToUpper(addr), "Ada Lovelace")
	if !v.NewAccount || v.User.Name != "Ada Lovelace" || v.User.Email != addr || v.User.TimeZone != "UTC" || v.User.Locale != "en" {
		t.Fatalf("first sign-in: %+v %+v", v, v.User)
	}
	v2 := f.login(t, addr, "")
	if v2.NewAccount || v2.User.ID != v.User.ID || v2.Token == v.Token {
		t.Fatalf("second sign-in: new=%v id %s vs %s", v2.NewAccount, v2.User.ID, v.User.ID)
	}
	me, err := f.svc.Me(f.as(t, v2.Token))
	if err != nil || me.ID != v.User.ID {
		t.Fatalf("me: %v %+v", err, me)
	}
	// A new account without a name must ask for one.
	v3 := f.login(t, uniqueEmail("noname"), "")
	if !v3.NewAccount || !v3.User.NeedsName() {
		t.Fatalf("nameless sign-up: %+v", v3.User)
	}
}

// Known and unknown addresses get the same answer; only the mail differs.
func TestRequestLoginDoesNotRevealAccounts(t *testing.T) {
	f := newFixture(t, nil)
	known := uniqueEmail("known")
	f.login(t, known, "Known")
	unknown := uniqueEmail("unknown")
	a, errA := f.svc.RequestLogin(context.Background(), client, known)
	b, errB := f.svc.RequestLogin(context.Background(), client, unknown)
	if errA != nil || errB != nil || a.ExpiresAt.Sub(b.ExpiresAt).Abs() > time.Second {
		t.Fatalf("different answers: %v %v %+v %+v", errA, errB, a, b)
	}
	_, _, subjA := f.mailFor(t, known, 0)
	_, _, subjB := f.mailFor(t, unknown, 0)
	if subjA == subjB {
		t.Logf("subjects equal: %q", subjA)
	}
	// An unknown address that never verifies creates nothing.
	if _, err := f.svc.UserByEmail(context.Background(), unknown); code(err) != domain.NotFound {
		t.Fatalf("unverified address has an account: %v", err)
	}
}

func TestLinkSignInIsSingleUse(t *testing.T) {
	f := newFixture(t, nil)
	addr := uniqueEmail("link")
	if _, err := f.svc.RequestLogin(context.Background(), client, addr); err != nil {
		t.Fatal(err)
	}
	c, tok, _ := f.mailFor(t, addr, 0)
	v, err := f.svc.VerifyLink(context.Background(), client, tok, "Linda")
	if err != nil || !v.NewAccount || v.User.Name != "Linda" {
		t.Fatalf("link sign-in: %v %+v", err, v)
	}
	if _, err := f.svc.VerifyLink(context.Background(), client, tok, ""); code(err) != domain.Gone {
		t.Fatalf("reused link: %v", err)
	}
	if _, err := f.svc.VerifyCode(context.Background(), client, addr, c, ""); code(err) != domain.Gone {
		t.Fatalf("code after link was used: %v", err)
	}
}

func TestBadLinksAreGone(t *testing.T) {
	f := newFixture(t, nil)
	addr := uniqueEmail("tamper")
	if _, err := f.svc.RequestLogin(context.Background(), client, addr); err != nil {
		t.Fatal(err)
	}
	_, tok, _ := f.mailFor(t, addr, 0)
	head, secret, _ := strings.Cut(tok, ".")
	flipped := []byte(secret)
	if flipped[0] == 'A' {
		flipped[0] = 'B'
	} else {
		flipped[0] = 'A'
	}
	for _, bad := range []string{"", "x", "a.b", head, head + "." + string(flipped), "!!!." + secret, head + "." + secret + "x",
		strings.Repeat("A", 43) + "." + secret, "\xff\xfe." + secret} {
		if _, err := f.svc.VerifyLink(context.Background(), client, bad, ""); code(err) != domain.Gone {
			t.Errorf("link %q: %v", bad, err)
		}
	}
	// The real link still works after one tampered attempt (attempts left).
	if _, err := f.svc.VerifyLink(context.Background(), client, tok, ""); err != nil {
		t.Fatalf("real link: %v", err)
	}
}

func TestCodeExpires(t *testing.T) {
	f := newFixture(t, nil)
	addr := uniqueEmail("expiry")
	if _, err := f.svc.RequestLogin(context.Background(), client, addr); err != nil {
		t.Fatal(err)
	}
	c, tok, _ := f.mailFor(t, addr, 0)
	f.clock.Add(15*time.Minute + time.Second)
	if _, err := f.svc.VerifyCode(context.Background(), client, addr, c, ""); code(err) != domain.Gone {
		t.Fatalf("expired code: %v", err)
	}
	if _, err := f.svc.VerifyLink(context.Background(), client, tok, ""); code(err) != domain.Gone {
		t.Fatalf("expired link: %v", err)
	}
}

func wrongCode(c string) string {
	if c == "000000" {
		return "000001"
	}
	return "000000"
}

func TestFiveCodeAttemptsThenBurnt(t *testing.T) {
	f := newFixture(t, nil)
	addr := uniqueEmail("attempts")
	if _, err := f.svc.RequestLogin(context.Background(), client, addr); err != nil {
		t.Fatal(err)
	}
	c, _, _ := f.mailFor(t, addr, 0)
	for i := 1; i <= 4; i++ {
		_, err := f.svc.VerifyCode(context.Background(), client, addr, wrongCode(c), "")
		var de *domain.Error
		if !errors.As(err, &de) || de.Code != domain.Invalid || !strings.Contains(de.Message, fmt.Sprintf("%d attempts left", 5-i)) {
			t.Fatalf("wrong code %d: %v", i, err)
		}
	}
	if _, err := f.svc.VerifyCode(context.Background(), client, addr, wrongCode(c), ""); code(err) != domain.Gone {
		t.Fatalf("fifth wrong code should burn the challenge: %v", err)
	}
	if _, err := f.svc.VerifyCode(context.Background(), client, addr, c, ""); code(err) != domain.Gone {
		t.Fatalf("right code after burn: %v", err)
	}

	// The fifth attempt may still be the right one.
	addr2 := uniqueEmail("attempts2")
	if _, err := f.svc.RequestLogin(context.Background(), client, addr2); err != nil {
		t.Fatal(err)
	}
	c2, _, _ := f.mailFor(t, addr2, 0)
	for i := 0; i < 4; i++ {
		_, _ = f.svc.VerifyCode(context.Background(), client, addr2, wrongCode(c2), "")
	}
	if _, err := f.svc.VerifyCode(context.Background(), client, addr2, c2[:3]+" "+c2[3:], ""); err != nil {
		t.Fatalf("right code on the fifth attempt (with a space): %v", err)
	}
}

func TestVerifyCodeInputValidation(t *testing.T) {
	f := newFixture(t, nil)
	cases := []struct{ email, code, name string }{
		{"not-an-email", "123456", ""}, {"a@b.c", "12345", ""}, {"a@b.c", "abcdef", ""}, {"a@b.c", "1234567", ""},
		{"a@b.c", "123456", strings.Repeat("n", 101)}, {"a@b.c", "123456", "\x00\u200b\u202e"}, {"a@b.c", "123456", "\xff"},
		{strings.Repeat("a", 250) + "@b.co", "123456", ""}, {"a@b.c\r\nBcc: x@y.z", "123456", ""}, {"Ann <a@b.c>", "123456", ""},
	}
	for _, c := range cases {
		if _, err := f.svc.VerifyCode(context.Background(), client, c.email, c.code, c.name); code(err) != domain.Invalid {
			t.Errorf("%q/%q/%q: %v", c.email, c.code, c.name, err)
		}
	}
	// A well-formed code for an address that never asked is Gone, not a 500.
	if _, err := f.svc.VerifyCode(context.Background(), client, uniqueEmail("never"), "123456", ""); code(err) != domain.Gone {
		t.Fatalf("never requested: %v", err)
	}
}

func TestNormalizeEmail(t *testing.T) {
	good := map[string]string{" Alice@Example.ORG ": "alice@example.org", "a.b+tag@sub.example.co": "a.b+tag@sub.example.co"}
	for in, want := range good {
		if got, err := account.NormalizeEmail("email", in); err != nil || got != want {
			t.Errorf("%q: %q %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "a", "a@b", "@b.c", "a@.b.c", "a@b..c", "a b@c.d", "a@b.c.", "ä@b.c", "a@-b.c", ".a@b.c", "a@b@c.d", "a@b_c.d"} {
		if _, err := account.NormalizeEmail("email", bad); code(err) != domain.Invalid {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestLoginRateLimits(t *testing.T) {
	l := account.DefaultLimits()
	l.LoginPerEmail = ratelimit.Rule{Scope: "login-email", Max: 2, Window: 15 * time.Minute}
	l.LoginPerIP = ratelimit.Rule{Scope: "login-ip", Max: 4, Window: 15 * time.Minute}
	f := newFixture(t, &l)
	addr := uniqueEmail("rate")
	for i := 0; i < 2; i++ {
		if _, err := f.svc.RequestLogin(context.Background(), client, addr); err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.svc.RequestLogin(context.Background(), client, addr)
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.RateLimited || de.RetryAfter <= 0 || de.RetryAfter > 15*time.Minute {
		t.Fatalf("third request for one address: %v", err)
	}
	// Per client address: other emails from the same IP hit the IP limit.
	if _, err := f.svc.RequestLogin(context.Background(), client, uniqueEmail("rate2")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RequestLogin(context.Background(), client, uniqueEmail("rate3")); code(err) != domain.RateLimited {
		t.Fatalf("IP limit: %v", err)
	}
	// Another client is not affected; the next window starts afresh.
	if _, err := f.svc.RequestLogin(context.Background(), account.Client{IP: "198.51.100.7"}, uniqueEmail("rate4")); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(16 * time.Minute)
	if _, err := f.svc.RequestLogin(context.Background(), client, addr); err != nil {
		t.Fatalf("next window: %v", err)
	}
}

func TestPasswordRules(t *testing.T) {
	cases := []struct {
		pw, want string
	}{
		{"short", "too short"},
		{"password123", "common"},
		{"PASSWORD123", "common"},
		{"qwertyuiop", "common"},
		{"1234567890", "common"},
		{"aaaaaaaaaaaa", "common"},
		{"abababababab", "variety"},
		{"alice.smith@example.org", "email"},
		{strings.Repeat("x", 257), "too long"},
		{"\xff\xfe" + "abcdefghij", "UTF-8"},
		{"correct horse battery staple", ""},
		{"Zq8#mT2!vLp0", ""},
	}
	for _, c := range cases {
		var fe domain.FieldErrors
		account.CheckPassword(&fe, "password", c.pw, "alice.smith@example.org")
		got := ""
		if len(fe) > 0 {
			got = fe[0].Message
		}
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%q: %q, want %q", c.pw, got, c.want)
		}
	}
	if !account.IsCommonPassword("iloveyou123") || account.IsCommonPassword("Zq8#mT2!vLp0") {
		t.Fatal("common list lookup")
	}
}

func TestPasswordSignInAndLockout(t *testing.T) {
	f := newFixture(t, nil)
	addr := uniqueEmail("pw")
	v := f.login(t, addr, "Pat")
	ctx := f.as(t, v.Token)
	const pw = "tangerine-walrus-77"
	if err := f.svc.SetPassword(ctx, "", "password123"); code(err) != domain.Invalid {
		t.Fatalf("common password accepted: %v", err)
	}
	if err := f.svc.SetPassword(ctx, "", pw); err != nil { // fresh session: no current password needed
		t.Fatal(err)
	}
	f.secrets = append(f.secrets, pw)
	got, err := f.svc.PasswordLogin(context.Background(), client, addr, pw)
	if err != nil || got.User.ID != v.User.ID {
		t.Fatalf("password sign-in: %v", err)
	}
	f.secrets = append(f.secrets, got.Token)

	// Changing it later needs the current password.
	f.clock.Add(20 * time.Minute)
	ctx = f.as(t, v.Token)
	if err := f.svc.SetPassword(ctx, "", "another-fine-pass-9"); code(err) != domain.Invalid {
		t.Fatalf("stale session changed the password without the current one: %v", err)
	}

	// Unknown address and wrong password: same error; five failures lock
	// the address (existing or not) even for the right password.
	unknown := uniqueEmail("nobody")
	for i := 0; i < 5; i++ {
		_, errKnown := f.svc.PasswordLogin(context.Background(), client, addr, "wrong-password-123")
		_, errUnknown := f.svc.PasswordLogin(context.Background(), client, unknown, "wrong-password-123")
		if code(errKnown) != domain.Unauthorized || domain.ErrorMessage(errKnown) != domain.ErrorMessage(errUnknown) || code(errUnknown) != code(errKnown) {
			t.Fatalf("attempt %d: %v / %v", i, errKnown, errUnknown)
		}
	}
	_, err = f.svc.PasswordLogin(context.Background(), client, addr, pw)
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.RateLimited || de.RetryAfter <= 0 {
		t.Fatalf("locked address: %v", err)
	}
	if _, err := f.svc.PasswordLogin(context.Background(), client, unknown, pw); code(err) != domain.RateLimited {
		t.Fatalf("unknown address not locked alike: %v", err)
	}
	f.clock.Add(16 * time.Minute)
	if _, err := f.svc.PasswordLogin(context.Background(), client, addr, pw); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}
	// Email sign-in still works during a lockout (it is a separate channel).

	// Removing the password needs the current one on a stale session.
	if err := f.svc.RemovePassword(ctx, "nope-nope-nope"); code(err) != domain.Invalid {
		t.Fatalf("remove with wrong current: %v", err)
	}
	if err := f.svc.RemovePassword(ctx, pw); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.PasswordLogin(context.Background(), client, addr, pw); code(err) != domain.Unauthorized {
		t.Fatalf("removed password still works: %v", err)
	}
}

func TestSessionIdleAndAbsoluteExpiry(t *testing.T) {
	f := newFixture(t, nil)
	v := f.login(t, uniqueEmail("sess"), "Sam")
	// Idle: unused for more than 7 days.
	f.clock.Add(7*24*time.Hour + time.Minute)
	if _, err := f.svc.AuthenticateSession(context.Background(), v.Token); code(err) != domain.Unauthorized {
		t.Fatalf("idle session still valid: %v", err)
	}
	// Used every 6 days, a session lives until the absolute limit of 30 days.
	v = f.login(t, uniqueEmail("sess2"), "Sam")
	for day := 6; day < 30; day += 6 {
		f.clock.Add(6 * 24 * time.Hour)
		if _, err := f.svc.AuthenticateSession(context.Background(), v.Token); err != nil {
			t.Fatalf("day %d: %v", day, err)
		}
	}
	f.clock.Add(6 * 24 * time.Hour) // day 30
	if _, err := f.svc.AuthenticateSession(context.Background(), v.Token); code(err) != domain.Unauthorized {
		t.Fatalf("session beyond its absolute expiry: %v", err)
	}
	for _, bad := range []string{"", "short", strings.Repeat("A", 43), "qrm_" + strings.Repeat("A", 43), "\xff"} {
		if _, err := f.svc.AuthenticateSession(context.Background(), bad); code(err) != domain.Unauthorized {
			t.Errorf("token %q: %v", bad, err)
		}
	}
}

func TestSignOutAndSignOutEverywhere(t *testing.T) {
	f := newFixture(t, nil)
	addr := uniqueEmail("everywhere")
	a := f.login(t, addr, "Eve")
	b := f.login(t, addr, "")
	c := f.login(t, addr, "")
	other := f.login(t, uniqueEmail("bystander"), "Bystander")

	ctx := f.as(t, a.Token)
	list, err := f.svc.Sessions(ctx)
	if err != nil || len(list) != 3 {
		t.Fatalf("sessions: %v %d", err, len(list))
	}
	current := 0
	for _, s := range list {
		if s.Current {
			current++
		}
		if s.Device != "Firefox on Linux" {
			t.Errorf("device %q", s.Device)
		}
	}
	if current != 1 {
		t.Fatalf("current sessions marked: %d", current)
	}
	if err := f.svc.SignOut(f.as(t, c.Token), c.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AuthenticateSession(context.Background(), c.Token); code(err) != domain.Unauthorized {
		t.Fatalf("signed-out session: %v", err)
	}
	// Someone else's session id is not found.
	otherList, _ := f.svc.Sessions(f.as(t, other.Token))
	if err := f.svc.RevokeSession(ctx, otherList[0].ID); code(err) != domain.NotFound {
		t.Fatalf("revoke another's session: %v", err)
	}
	n, err := f.svc.SignOutEverywhere(ctx)
	if err != nil || n != 2 {
		t.Fatalf("sign out everywhere: %v %d", err, n)
	}
	for _, tok := range []string{a.Token, b.Token} {
		if _, err := f.svc.AuthenticateSession(context.Background(), tok); code(err) != domain.Unauthorized {
			t.Fatalf("session survived: %v", err)
		}
	}
	if _, err := f.svc.AuthenticateSession(context.Background(), other.Token); err != nil {
		t.Fatalf("another user's session ended: %v", err)
	}
}

func TestAPITokens(t *testing.T) {
	f := newFixture(t, nil)
	v := f.login(t, uniqueEmail("tok"), "Toby")
	ctx := f.as(t, v.Token)
	nt, err := f.svc.CreateToken(ctx, "  report   script ")
	if err != nil || nt.Token.Name != "report script" || !account.IsAPIToken(nt.Secret) {
		t.Fatalf("create: %v %+v", err, nt)
	}
	f.secrets = append(f.secrets, nt.Secret)
	if _, err := f.svc.CreateToken(ctx, ""); code(err) != domain.Invalid {
		t.Fatalf("empty name: %v", err)
	}
	actor, err := f.svc.AuthenticateToken(context.Background(), nt.Secret)
	if err != nil || actor.Kind != authz.Bot || actor.UserID != v.User.ID || actor.TokenID != nt.Token.ID {
		t.Fatalf("authenticate: %v %+v", err, actor)
	}
	list, _ := f.svc.Tokens(ctx)
	if len(list) != 1 || list[0].LastUsedAt == nil || !list[0].LastUsedAt.Equal(f.clock.Now()) {
		t.Fatalf("last used: %+v", list)
	}
	// Last-used is written at most every few minutes.
	first := *list[0].LastUsedAt
	f.clock.Add(time.Minute)
	_, _ = f.svc.AuthenticateToken(context.Background(), nt.Secret)
	list, _ = f.svc.Tokens(ctx)
	if !list[0].LastUsedAt.Equal(first) {
		t.Fatalf("last used rewritten within the interval")
	}
	f.clock.Add(10 * time.Minute)
	_, _ = f.svc.AuthenticateToken(context.Background(), nt.Secret)
	list, _ = f.svc.Tokens(ctx)
	if !list[0].LastUsedAt.After(first) {
		t.Fatalf("last used not refreshed")
	}

	// A token can read and update the profile but never manage credentials.
	bot := authz.WithActor(context.Background(), actor)
	if _, err := f.svc.Me(bot); err != nil {
		t.Fatalf("bot reads me: %v", err)
	}
	tz := "Europe/Berlin"
	if u, err := f.svc.UpdateProfile(bot, account.ProfileUpdate{TimeZone: &tz}); err != nil || u.TimeZone != tz {
		t.Fatalf("bot updates profile: %v", err)
	}
	denied := map[string]error{}
	_, denied["create token"] = f.svc.CreateToken(bot, "x")
	_, denied["list tokens"] = f.svc.Tokens(bot)
	denied["revoke token"] = f.svc.RevokeToken(bot, nt.Token.ID)
	_, denied["sessions"] = f.svc.Sessions(bot)
	_, denied["sign out everywhere"] = f.svc.SignOutEverywhere(bot)
	denied["sign out"] = f.svc.SignOut(bot, v.Token)
	denied["email"] = f.svc.RequestEmailChange(bot, uniqueEmail("x"))
	denied["password"] = f.svc.SetPassword(bot, "", "a-good-long-password-1")
	for what, err := range denied {
		if code(err) != domain.Forbidden {
			t.Errorf("bot %s: %v", what, err)
		}
	}
	// Anonymous callers must sign in.
	if _, err := f.svc.Me(context.Background()); code(err) != domain.Unauthorized {
		t.Fatalf("anonymous me: %v", err)
	}

	// Revoke: someone else cannot; the owner can and the token stops at once.
	other := f.login(t, uniqueEmail("other"), "Other")
	if err := f.svc.RevokeToken(f.as(t, other.Token), nt.Token.ID); code(err) != domain.NotFound {
		t.Fatalf("revoke by another user: %v", err)
	}
	if err := f.svc.RevokeToken(ctx, nt.Token.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AuthenticateToken(context.Background(), nt.Secret); code(err) != domain.Unauthorized {
		t.Fatalf("revoked token: %v", err)
	}
	for _, bad := range []string{"", "qrm_", "qrm_short", nt.Secret[:len(nt.Secret)-1] + "A", "Bearer " + nt.Secret, v.Token} {
		if _, err := f.svc.AuthenticateToken(context.Background(), bad); code(err) != domain.Unauthorized {
			t.Errorf("token %q: %v", bad, err)
		}
	}
}

func TestProfileUpdateValidation(t *testing.T) {
	f := newFixture(t, nil)
	ctx := f.as(t, f.login(t, uniqueEmail("prof"), "Pro").Token)
	s := func(v string) *string { return &v }
	bad := []account.ProfileUpdate{
		{Name: s("")}, {Name: s("   ")}, {Name: s(strings.Repeat("é", 101))}, {Name: s("\u202e\u200b")}, {Name: s("\xff")},
		{TimeZone: s("Mars/Olympus")}, {TimeZone: s("")}, {TimeZone: s("Local")}, {TimeZone: s("../../etc/passwd")},
		{Locale: s("xx")}, {Locale: s("")},
	}
	for _, p := range bad {
		if _, err := f.svc.UpdateProfile(ctx, p); code(err) != domain.Invalid {
			t.Errorf("%+v accepted: %v", p, err)
		}
	}
	u, err := f.svc.UpdateProfile(ctx, account.ProfileUpdate{Name: s(" Prudence  Q "), TimeZone: s("America/New_York"), Locale: s("de")})
	if err != nil || u.Name != "Prudence Q" || u.TimeZone != "America/New_York" || u.Locale != "de" {
		t.Fatalf("update: %v %+v", err, u)
	}
}

func TestEmailChange(t *testing.T) {
	f := newFixture(t, nil)
	oldAddr, newAddr := uniqueEmail("old"), uniqueEmail("moved")
	v := f.login(t, oldAddr, "Mover")
	ctx := f.as(t, v.Token)
	if err := f.svc.RequestEmailChange(ctx, oldAddr); code(err) != domain.Invalid {
		t.Fatalf("same address: %v", err)
	}
	if err := f.svc.RequestEmailChange(ctx, newAddr); err != nil {
		t.Fatal(err)
	}
	tok := f.emailChangeToken(t, newAddr)
	if _, err := f.svc.ConfirmEmailChange(context.Background(), tok[:40]); code(err) != domain.Gone {
		t.Fatalf("tampered: %v", err)
	}
	u, err := f.svc.ConfirmEmailChange(context.Background(), tok)
	if err != nil || u.Email != newAddr {
		t.Fatalf("confirm: %v %+v", err, u)
	}
	if _, err := f.svc.ConfirmEmailChange(context.Background(), tok); code(err) != domain.Gone {
		t.Fatalf("reused: %v", err)
	}
	if _, err := f.svc.UserByEmail(context.Background(), oldAddr); code(err) != domain.NotFound {
		t.Fatalf("old address still claimed: %v", err)
	}
	if got, err := f.svc.UserByEmail(context.Background(), newAddr); err != nil || got.ID != v.User.ID {
		t.Fatalf("new address: %v", err)
	}
	// The old address got a notice.
	ctxT, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := f.emu.WaitFor(ctxT, oldAddr, func(m mail.StoredMessage) bool { return strings.Contains(m.Subject, "was changed") }); err != nil {
		t.Fatal(err)
	}

	// An address that belongs to someone else: conflict at confirmation.
	taken := uniqueEmail("taken")
	f.login(t, taken, "Taken")
	if err := f.svc.RequestEmailChange(ctx, taken); err != nil {
		t.Fatal(err)
	}
	tok2 := f.emailChangeToken(t, taken)
	if _, err := f.svc.ConfirmEmailChange(context.Background(), tok2); code(err) != domain.Conflict {
		t.Fatalf("taken address: %v", err)
	}
	// Links expire.
	later := uniqueEmail("later")
	if err := f.svc.RequestEmailChange(ctx, later); err != nil {
		t.Fatal(err)
	}
	tok3 := f.emailChangeToken(t, later)
	f.clock.Add(25 * time.Hour)
	if _, err := f.svc.ConfirmEmailChange(context.Background(), tok3); code(err) != domain.Gone {
		t.Fatalf("expired link: %v", err)
	}
}

func (f *fixture) emailChangeToken(t *testing.T, addr string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := f.emu.WaitFor(ctx, addr, func(m mail.StoredMessage) bool {
		return strings.Contains(m.Body.Text, "/settings/email/confirm?token=")
	})
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(m.Body.Text, "/settings/email/confirm?token=")
	tok := strings.Fields(rest)[0]
	f.secrets = append(f.secrets, tok)
	return tok
}

// Nothing secret is stored or logged in clear: every code, link secret,
// session token, API token, email-change secret and password the tests saw
// is searched for in every attribute of every item and in the logs.
func TestNoSecretsAtRestOrInLogs(t *testing.T) {
	f := newFixture(t, nil)
	addr := uniqueEmail("scan")
	v := f.login(t, addr, "Scan")
	ctx := f.as(t, v.Token)
	if _, err := f.svc.RequestLogin(context.Background(), client, addr); err != nil { // a pending challenge stays in the table
		t.Fatal(err)
	}
	f.mailFor(t, addr, 1)
	nt, err := f.svc.CreateToken(ctx, "scan")
	if err != nil {
		t.Fatal(err)
	}
	f.secrets = append(f.secrets, nt.Secret)
	_, _ = f.svc.AuthenticateToken(context.Background(), nt.Secret)
	const pw = "scan-password-42!"
	if err := f.svc.SetPassword(ctx, "", pw); err != nil {
		t.Fatal(err)
	}
	f.secrets = append(f.secrets, pw)
	if err := f.svc.RequestEmailChange(ctx, uniqueEmail("scan-new")); err != nil {
		t.Fatal(err)
	}
	f.emailChangeToken(t, "scan-new")
	_, _ = f.svc.PasswordLogin(context.Background(), client, addr, "wrong-password-1")

	var dump strings.Builder
	out, err := f.env.Clients.DynamoDB.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(f.env.Config.Table)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Items) < 6 {
		t.Fatalf("scan found only %d items", len(out.Items))
	}
	for _, item := range out.Items {
		for k, av := range item {
			fmt.Fprintf(&dump, "%s=%s\n", k, avString(av))
		}
	}
	table := dump.String()
	for _, s := range f.secrets {
		if len(s) < 6 {
			t.Fatalf("short secret %q", s)
		}
		// A 6-digit code is looked for as a whole run of digits, so it is not
		// "found" by chance inside a timestamp or a hash.
		found := strings.Contains
		if isDigits(s) {
			re := regexp.MustCompile(`(^|[^0-9])` + s + `([^0-9]|$)`)
			found = func(hay, _ string) bool { return re.MatchString(hay) }
		}
		if found(table, s) {
			t.Errorf("a secret (%d chars, starts %q) is stored in clear", len(s), s[:3])
		}
		if found(f.logs.String(), s) {
			t.Errorf("a secret (%d chars) is in the logs", len(s))
		}
	}
	if strings.Contains(f.logs.String(), addr) {
		t.Error("an email address is in the logs")
	}
}

func avString(av types.AttributeValue) string {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberN:
		return v.Value
	case *types.AttributeValueMemberB:
		return string(v.Value)
	case *types.AttributeValueMemberM:
		var b strings.Builder
		for k, x := range v.Value {
			b.WriteString(k + ":" + avString(x) + ";")
		}
		return b.String()
	case *types.AttributeValueMemberL:
		var b strings.Builder
		for _, x := range v.Value {
			b.WriteString(avString(x) + ";")
		}
		return b.String()
	case *types.AttributeValueMemberSS:
		return strings.Join(v.Value, ";")
	default:
		return fmt.Sprint(v)
	}
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// allocated returns the bytes f allocated (process-wide; argon2id's
// memory cost shows up here, whatever the machine's speed).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Building the service (every cold start of every function) does no
// password hashing; the first password sign-in derives the hash that
// unknown addresses are checked against, so they still cost a full argon2id
// verification like known ones.
func TestNewDefersPasswordHashingToTheFirstSignIn(t *testing.T) {
	f := newFixture(t, nil)
	var svc *account.Service
	const argonMemory = 64 << 20 // DefaultArgon2's memory cost
	if got := allocated(func() {
		var err error
		svc, err = account.New(account.Options{Store: f.st, Mail: mail.NewSES(f.env.Clients.SES, "", f.env.Config.MailDomain),
			From: f.env.Config.MailFrom, BaseURL: f.env.Config.BaseURL, SigningKey: f.env.Config.SigningKey})
		if err != nil {
			t.Fatal(err)
		}
	}); got >= argonMemory/8 {
		t.Fatalf("account.New allocated %d bytes: it hashes at start-up", got)
	}
	for i := range 2 {
		var err error
		got := allocated(func() {
			_, err = svc.PasswordLogin(context.Background(), client, uniqueEmail("nobody"), "wrong-password-123")
		})
		if code(err) != domain.Unauthorized {
			t.Fatalf("unknown address: %v", err)
		}
		if got < argonMemory {
			t.Fatalf("sign-in %d for an unknown address allocated %d bytes: it skipped the argon2id verification", i, got)
		}
	}
}
