package mailpref_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/mailpref"
	"github.com/quorum-app/quorum/internal/metering"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

type fixture struct {
	svc      *mailpref.Service
	other    *mailpref.Service // same table, another signing key
	accounts *account.Service
	st       *store.Store
	clk      *testkit.Clock
	env      *testcloud.Env
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := testcloud.Fast(t)
	st := store.New(env.Clients.DynamoDB, env.Config.Table, env.Config.SigningKey)
	clk := testkit.NewClock(time.Date(2030, 3, 4, 5, 6, 0, 0, time.UTC))
	acc := testkit.NewAccounts(t, env, st, &testkit.Mailbox{}, nil, nil)
	svc, err := mailpref.New(mailpref.Config{Store: st, Users: accountUsers{acc}, BaseURL: env.Config.BaseURL, SigningKey: env.Config.SigningKey, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	otherKey := []byte(strings.Repeat("k", 32))
	other, err := mailpref.New(mailpref.Config{Store: st, Users: accountUsers{acc}, BaseURL: env.Config.BaseURL, SigningKey: otherKey, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{svc: svc, other: other, accounts: acc, st: st, clk: clk, env: env}
}

// person creates an account and returns it with a context acting as its
// session and one acting as an API token of it (both minted by the account
// core through testkit).
func (f *fixture) person(t *testing.T, name, tz string) (*account.User, context.Context, context.Context) {
	t.Helper()
	p := testkit.NewPerson(t, f.accounts, name)
	if tz != "" {
		if _, err := f.accounts.UpdateProfile(p.Ctx, account.ProfileUpdate{TimeZone: &tz}); err != nil {
			t.Fatal(err)
		}
		p.TimeZone = tz
	}
	return p.User, p.Ctx, p.Bot(t)
}

func ptr[T any](v T) *T { return &v }

// route asks Route through the metering middleware and checks it made
// exactly one DynamoDB call, a BatchGetItem.
func (f *fixture) route(t *testing.T, uid, email, gid, tid string) mailpref.Route {
	t.Helper()
	ctx, m := metering.NewContext(context.Background())
	r, err := f.svc.Route(ctx, uid, email, gid, tid)
	if err != nil {
		t.Fatal(err)
	}
	snap := m.Snapshot()
	if snap.DynamoDBCalls != 1 || snap.Operations["DynamoDB.BatchGetItem"] != 1 {
		t.Fatalf("Route made %d DynamoDB calls (%v), want one BatchGetItem", snap.DynamoDBCalls, snap.Operations)
	}
	return r
}

func TestRouteDecidesEachCaseWithOneBatchGet(t *testing.T) {
	f := newFixture(t)
	const gid, tid, otherGid, otherTid = "grp1", "thr1", "grp2", "thr2"
	type setup func(t *testing.T, u *account.User, sess context.Context)
	mode := func(m mailpref.Mode) setup {
		return func(t *testing.T, u *account.User, sess context.Context) {
			if _, err := f.svc.Update(sess, mailpref.Update{Mode: &m}); err != nil {
				t.Fatal(err)
			}
		}
	}
	unsub := func(sc mailpref.Scope) setup {
		return func(t *testing.T, u *account.User, sess context.Context) {
			if _, err := f.svc.Unsubscribe(context.Background(), mustToken(t, f.svc, u.ID, sc)); err != nil {
				t.Fatal(err)
			}
		}
	}
	suppress := func(t *testing.T, u *account.User, sess context.Context) {
		if err := f.svc.Suppress(context.Background(), "  "+strings.ToUpper(u.Email)+" ", mailpref.ReasonBounce, "fb-"+u.ID, f.clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name     string
		setups   []setup
		gid, tid string
		action   mailpref.Action
		reason   string
	}{
		{"defaults send", nil, gid, tid, mailpref.Send, ""},
		{"mail not about a group", nil, "", "", mailpref.Send, ""},
		{"daily digest", []setup{mode(mailpref.Daily)}, gid, tid, mailpref.Digest, ""},
		{"weekly digest", []setup{mode(mailpref.Weekly)}, gid, "", mailpref.Digest, ""},
		{"off", []setup{mode(mailpref.Off)}, gid, tid, mailpref.Skip, mailpref.ReasonOff},
		{"unsubscribed from the thread", []setup{unsub(mailpref.Scope{Kind: "thread", ID: tid})}, gid, tid, mailpref.Skip, mailpref.ReasonUnsubscribedThread},
		{"another thread still sends", []setup{unsub(mailpref.Scope{Kind: "thread", ID: tid})}, gid, otherTid, mailpref.Send, ""},
		{"unsubscribed from the group", []setup{unsub(mailpref.Scope{Kind: "group", ID: gid})}, gid, tid, mailpref.Skip, mailpref.ReasonUnsubscribedGroup},
		{"another group still sends", []setup{unsub(mailpref.Scope{Kind: "group", ID: gid})}, otherGid, tid, mailpref.Send, ""},
		{"group opt-out beats digest", []setup{mode(mailpref.Daily), unsub(mailpref.Scope{Kind: "group", ID: gid})}, gid, "", mailpref.Skip, mailpref.ReasonUnsubscribedGroup},
		{"unsubscribed from all", []setup{unsub(mailpref.Scope{Kind: "all"})}, gid, tid, mailpref.Skip, mailpref.ReasonUnsubscribedAll},
		{"all beats off", []setup{mode(mailpref.Off), unsub(mailpref.Scope{Kind: "all"})}, gid, tid, mailpref.Skip, mailpref.ReasonUnsubscribedAll},
		{"suppressed beats everything", []setup{unsub(mailpref.Scope{Kind: "all"}), suppress}, gid, tid, mailpref.Skip, mailpref.ReasonSuppressed},
		{"suppressed with defaults", []setup{suppress}, "", "", mailpref.Skip, mailpref.ReasonSuppressed},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u, sess, _ := f.person(t, "Route"+string(rune('a'+i)), "")
			for _, s := range tc.setups {
				s(t, u, sess)
			}
			r := f.route(t, u.ID, u.Email, tc.gid, tc.tid)
			if r.Action != tc.action || r.Reason != tc.reason {
				t.Fatalf("Route = %+v, want %s %q", r, tc.action, tc.reason)
			}
		})
	}

	t.Run("invalid input", func(t *testing.T) {
		for _, in := range [][4]string{{"", "a@example.org", "", ""}, {"u1", "", "", ""}, {"u1", "a@example.org", "bad#id", ""}, {"u1", "a@example.org", "", "x/y"}} {
			if _, err := f.svc.Route(context.Background(), in[0], in[1], in[2], in[3]); domain.ErrorCode(err) != domain.Invalid {
				t.Errorf("Route(%q) = %v, want invalid", in, err)
			}
		}
	})
}

func mustToken(t *testing.T, s *mailpref.Service, uid string, sc mailpref.Scope) string {
	t.Helper()
	tok, err := s.Token(uid, sc)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestKeyGenerationReset(t *testing.T) {
	f := newFixture(t)
	u, sess, bot := f.person(t, "Keys", "")
	if r := f.route(t, u.ID, u.Email, "", ""); r.KeyGeneration != 0 {
		t.Fatalf("initial generation %d", r.KeyGeneration)
	}
	if _, err := f.svc.ResetReplyAddresses(bot); domain.ErrorCode(err) != domain.Forbidden {
		t.Fatalf("a bot resets reply addresses: %v", err)
	}
	if _, err := f.svc.ResetReplyAddresses(context.Background()); domain.ErrorCode(err) != domain.Unauthorized {
		t.Fatalf("anonymous resets reply addresses: %v", err)
	}
	for want := 1; want <= 2; want++ {
		g, err := f.svc.ResetReplyAddresses(sess)
		if err != nil || g != want {
			t.Fatalf("reset = %d, %v; want %d", g, err, want)
		}
	}
	if r := f.route(t, u.ID, u.Email, "", ""); r.KeyGeneration != 2 || r.Action != mailpref.Send {
		t.Fatalf("route after two resets: %+v", r)
	}
	if g, err := f.svc.KeyGeneration(context.Background(), u.ID); err != nil || g != 2 {
		t.Fatalf("KeyGeneration = %d, %v", g, err)
	}
	// The reset keeps the other preferences.
	if _, err := f.svc.Update(sess, mailpref.Update{Mode: ptr(mailpref.Weekly)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ResetReplyAddresses(sess); err != nil {
		t.Fatal(err)
	}
	p, err := f.svc.Get(sess)
	if err != nil || p.Mode != mailpref.Weekly || p.KeyGeneration != 3 {
		t.Fatalf("prefs after reset: %+v %v", p, err)
	}
}

func TestTokensRejectTamperingForgeryAndOtherPeople(t *testing.T) {
	f := newFixture(t)
	alice, _, _ := f.person(t, "Alice", "")
	bob, _, _ := f.person(t, "Bob", "")
	good := mustToken(t, f.svc, alice.ID, mailpref.Scope{Kind: "group", ID: "grp1"})
	bobs := mustToken(t, f.svc, bob.ID, mailpref.Scope{Kind: "group", ID: "grp1"})
	forged := mustToken(t, f.other, alice.ID, mailpref.Scope{Kind: "group", ID: "grp1"})
	parts := strings.Split(good, ".")
	bobParts := strings.Split(bobs, ".")
	flip := func(s string) string {
		b := []byte(s)
		if b[len(b)-2] == 'A' {
			b[len(b)-2] = 'B'
		} else {
			b[len(b)-2] = 'A'
		}
		return string(b)
	}
	bad := map[string]string{
		"empty":                   "",
		"garbage":                 "hello",
		"flipped mac":             flip(good),
		"truncated mac":           good[:len(good)-3],
		"mac of another key":      forged,
		"other user, alice's mac": strings.Join([]string{parts[0], bob.ID, parts[2], parts[3]}, "."),
		"alice, bob's mac":        strings.Join([]string{parts[0], alice.ID, parts[2], bobParts[3]}, "."),
		"other group":             strings.Join([]string{parts[0], alice.ID, "grp2", parts[3]}, "."),
		"widened to all":          strings.Join([]string{"a", alice.ID, parts[3]}, "."),
		"thread instead of group": strings.Join([]string{"t", alice.ID, parts[2], parts[3]}, "."),
		"unknown kind":            strings.Join([]string{"x", alice.ID, parts[2], parts[3]}, "."),
		"extra part":              good + ".x",
		"injected id":             strings.Join([]string{parts[0], alice.ID, "grp1#x", parts[3]}, "."),
		"padding":                 good + "=",
		"too long":                good + strings.Repeat("A", 300),
	}
	for name, tok := range bad {
		if _, _, err := f.svc.Check(tok); !errors.Is(err, mailpref.ErrBadToken) {
			t.Errorf("%s: Check = %v, want ErrBadToken", name, err)
		}
		if _, err := f.svc.Unsubscribe(context.Background(), tok); !errors.Is(err, mailpref.ErrBadToken) {
			t.Errorf("%s: Unsubscribe = %v, want ErrBadToken", name, err)
		}
	}
	// Nothing of the above unsubscribed anyone.
	for _, p := range []*account.User{alice, bob} {
		for _, gt := range [][2]string{{"grp1", ""}, {"grp2", ""}, {"grp1", "grp1"}} {
			if r := f.route(t, p.ID, p.Email, gt[0], gt[1]); r.Action != mailpref.Send {
				t.Fatalf("%s after rejected tokens: %+v", p.Name, r)
			}
		}
	}
	// The genuine token works, for Alice only, and says what it did.
	uid, sc, err := f.svc.Check(good)
	if err != nil || uid != alice.ID || sc != (mailpref.Scope{Kind: "group", ID: "grp1"}) {
		t.Fatalf("Check(good) = %q %+v %v", uid, sc, err)
	}
	if r := f.route(t, alice.ID, alice.Email, "grp1", ""); r.Action != mailpref.Send {
		t.Fatalf("Check changed something: %+v", r)
	}
	for i := 0; i < 2; i++ { // idempotent
		if sc, err := f.svc.Unsubscribe(context.Background(), good); err != nil || sc.Kind != "group" {
			t.Fatalf("Unsubscribe #%d = %+v %v", i+1, sc, err)
		}
	}
	if r := f.route(t, alice.ID, alice.Email, "grp1", ""); r.Reason != mailpref.ReasonUnsubscribedGroup {
		t.Fatalf("alice after unsubscribe: %+v", r)
	}
	if r := f.route(t, bob.ID, bob.Email, "grp1", ""); r.Action != mailpref.Send {
		t.Fatalf("bob affected by alice's unsubscribe: %+v", r)
	}
	for i := 0; i < 2; i++ {
		if _, err := f.svc.Resubscribe(context.Background(), good); err != nil {
			t.Fatalf("Resubscribe #%d: %v", i+1, err)
		}
	}
	if r := f.route(t, alice.ID, alice.Email, "grp1", ""); r.Action != mailpref.Send {
		t.Fatalf("alice after resubscribe: %+v", r)
	}
	// URLs and headers.
	link := f.svc.UnsubscribeURL(alice.ID, mailpref.Scope{Kind: "all"})
	if !strings.HasPrefix(link, f.env.Config.BaseURL.String()+"/unsubscribe/a."+alice.ID+".") {
		t.Fatalf("UnsubscribeURL = %q", link)
	}
	h := f.svc.Headers(alice.ID, mailpref.Scope{Kind: "thread", ID: "thr1"})
	if h["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" || !strings.HasPrefix(h["List-Unsubscribe"], "<http") ||
		!strings.HasSuffix(h["List-Unsubscribe"], ">") {
		t.Fatalf("Headers = %v", h)
	}
	if f.svc.UnsubscribeURL("bad id", mailpref.Scope{Kind: "all"}) != "" || f.svc.UnsubscribeURL(alice.ID, mailpref.Scope{Kind: "group"}) != "" {
		t.Fatal("UnsubscribeURL made a link for an invalid scope")
	}
}

func TestUnsubscribeAllAndResumeFromSettings(t *testing.T) {
	f := newFixture(t)
	u, sess, bot := f.person(t, "All", "Europe/Paris")
	if _, err := f.svc.Update(sess, mailpref.Update{Mode: ptr(mailpref.Daily)}); err != nil {
		t.Fatal(err)
	}
	if due, _ := f.svc.DueDigests(context.Background(), f.clk.Now().Add(48*time.Hour)); !containsUser(due, u.ID) {
		t.Fatal("daily user is not on the digest queue")
	}
	if _, err := f.svc.Unsubscribe(context.Background(), mustToken(t, f.svc, u.ID, mailpref.Scope{Kind: "all"})); err != nil {
		t.Fatal(err)
	}
	if due, _ := f.svc.DueDigests(context.Background(), f.clk.Now().Add(48*time.Hour)); containsUser(due, u.ID) {
		t.Fatal("unsubscribed-from-all user is still on the digest queue")
	}
	p, err := f.svc.Get(bot) // an API token may read preferences
	if err != nil || !p.UnsubscribedAll || p.UnsubscribedAllAt == nil || p.NextDigest != nil || p.TimeZone != "Europe/Paris" || p.TimeZoneChosen {
		t.Fatalf("prefs = %+v, %v", p, err)
	}
	if _, err := f.svc.Update(bot, mailpref.Update{UnsubscribedAll: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	if r := f.route(t, u.ID, u.Email, "g1", ""); r.Action != mailpref.Digest {
		t.Fatalf("after resuming: %+v", r)
	}
	if due, _ := f.svc.DueDigests(context.Background(), f.clk.Now().Add(48*time.Hour)); !containsUser(due, u.ID) {
		t.Fatal("resumed daily user is not back on the digest queue")
	}
}

func containsUser(ds []mailpref.DigestDue, uid string) bool {
	for _, d := range ds {
		if d.UserID == uid {
			return true
		}
	}
	return false
}

func TestOptOutsFromSettings(t *testing.T) {
	f := newFixture(t)
	u, sess, _ := f.person(t, "Scoped", "")
	if err := f.svc.SetOptOut(context.Background(), mailpref.Scope{Kind: "group", ID: "g1"}, true); domain.ErrorCode(err) != domain.Unauthorized {
		t.Fatalf("anonymous opt-out: %v", err)
	}
	if err := f.svc.SetOptOut(sess, mailpref.Scope{Kind: "all"}, true); domain.ErrorCode(err) != domain.Invalid {
		t.Fatalf("all as a scoped opt-out: %v", err)
	}
	if err := f.svc.SetOptOut(sess, mailpref.Scope{Kind: "group", ID: "g1"}, true); err != nil {
		t.Fatal(err)
	}
	f.clk.Add(time.Minute)
	if err := f.svc.SetOptOut(sess, mailpref.Scope{Kind: "thread", ID: "t1"}, true); err != nil {
		t.Fatal(err)
	}
	p, err := f.svc.Get(sess)
	if err != nil || len(p.OptOuts) != 2 || p.OptOuts[0].Kind != "thread" || p.OptOuts[1].ID != "g1" {
		t.Fatalf("opt-outs = %+v, %v", p, err)
	}
	if err := f.svc.SetOptOut(sess, mailpref.Scope{Kind: "group", ID: "g1"}, false); err != nil {
		t.Fatal(err)
	}
	if r := f.route(t, u.ID, u.Email, "g1", "t2"); r.Action != mailpref.Send {
		t.Fatalf("group re-enabled: %+v", r)
	}
	if r := f.route(t, u.ID, u.Email, "g1", "t1"); r.Reason != mailpref.ReasonUnsubscribedThread {
		t.Fatalf("thread still off: %+v", r)
	}
}

func TestUpdateValidates(t *testing.T) {
	f := newFixture(t)
	_, sess, _ := f.person(t, "Valid", "")
	_, err := f.svc.Update(sess, mailpref.Update{Mode: ptr(mailpref.Mode("hourly")), DigestHour: ptr(24), TimeZone: ptr("Mars/Olympus")})
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.Invalid || len(de.Fields) != 3 {
		t.Fatalf("Update = %v, want three field errors", err)
	}
	for i, field := range []string{"mode", "digest_hour", "time_zone"} {
		if de.Fields[i].Field != field {
			t.Errorf("field %d = %q, want %q", i, de.Fields[i].Field, field)
		}
	}
	if _, err := f.svc.Update(context.Background(), mailpref.Update{Mode: ptr(mailpref.Off)}); domain.ErrorCode(err) != domain.Unauthorized {
		t.Fatalf("anonymous update: %v", err)
	}
	p, err := f.svc.Update(sess, mailpref.Update{DigestHour: ptr(0), TimeZone: ptr("Asia/Tokyo")})
	if err != nil || p.DigestHour != 0 || p.TimeZone != "Asia/Tokyo" || !p.TimeZoneChosen || p.Mode != mailpref.Immediate {
		t.Fatalf("Update = %+v, %v", p, err)
	}
	p, err = f.svc.Update(sess, mailpref.Update{TimeZone: ptr("")})
	if err != nil || p.TimeZone != "UTC" || p.TimeZoneChosen || p.DigestHour != 0 {
		t.Fatalf("back to the account's zone: %+v, %v", p, err)
	}
}

func TestSuppressionIsIdempotentAndOnlyTheOwnerResumes(t *testing.T) {
	f := newFixture(t)
	u, sess, bot := f.person(t, "Bouncy", "")
	other, otherSess, _ := f.person(t, "Other", "")
	at := time.Date(2030, 3, 1, 10, 0, 0, 0, time.UTC)
	for i := 0; i < 2; i++ {
		if err := f.svc.Suppress(context.Background(), "Bouncy <"+strings.ToUpper(u.Email)+">", mailpref.ReasonBounce, "fb-1", at); err != nil {
			t.Fatal(err)
		}
	}
	var rows []map[string]any
	err := f.st.Table().Scan().Filter("'Type' = ?", "suppression").All(context.Background(), &rows)
	if err != nil || len(rows) != 1 {
		t.Fatalf("stored suppressions: %v %v", rows, err)
	}
	for k, v := range rows[0] {
		if s, ok := v.(string); ok && strings.Contains(strings.ToLower(s), "bouncy") {
			t.Errorf("the suppression stores the address in %s: %q", k, s)
		}
	}
	if !strings.HasPrefix(rows[0]["PK"].(string), "SUPPRESS#") || rows[0]["Events"] != float64(1) {
		t.Fatalf("stored suppression: %v (want one event)", rows[0])
	}
	sup, err := f.svc.Suppression(context.Background(), u.Email)
	if err != nil || sup == nil || sup.Reason != mailpref.ReasonBounce || !sup.At.Equal(at) {
		t.Fatalf("Suppression = %+v %v", sup, err)
	}
	if r := f.route(t, u.ID, u.Email, "", ""); r.Reason != mailpref.ReasonSuppressed {
		t.Fatalf("route: %+v", r)
	}
	if sup, _ := f.svc.Suppression(context.Background(), other.Email); sup != nil {
		t.Fatalf("other address suppressed: %+v", sup)
	}
	// A complaint later updates the record.
	later := at.Add(time.Hour)
	if err := f.svc.Suppress(context.Background(), u.Email, mailpref.ReasonComplaint, "fb-2", later); err != nil {
		t.Fatal(err)
	}
	if p, err := f.svc.Get(sess); err != nil || p.Suppressed == nil || p.Suppressed.Reason != mailpref.ReasonComplaint || !p.Suppressed.At.Equal(later) {
		t.Fatalf("Get shows %+v %v", p, err)
	}
	if err := f.svc.Suppress(context.Background(), u.Email, "spam", "fb-3", later); domain.ErrorCode(err) != domain.Invalid {
		t.Fatalf("unknown reason: %v", err)
	}
	// Only the owner's browser session lifts it; another person's session
	// lifts only their own (nothing), a bot or anonymous nothing.
	if err := f.svc.Unsuppress(bot); domain.ErrorCode(err) != domain.Forbidden {
		t.Fatalf("bot unsuppress: %v", err)
	}
	if err := f.svc.Unsuppress(context.Background()); domain.ErrorCode(err) != domain.Unauthorized {
		t.Fatalf("anonymous unsuppress: %v", err)
	}
	if err := f.svc.Unsuppress(otherSess); err != nil {
		t.Fatal(err)
	}
	if r := f.route(t, u.ID, u.Email, "", ""); r.Reason != mailpref.ReasonSuppressed {
		t.Fatalf("someone else lifted the suppression: %+v", r)
	}
	for i := 0; i < 2; i++ {
		if err := f.svc.Unsuppress(sess); err != nil {
			t.Fatal(err)
		}
	}
	if r := f.route(t, u.ID, u.Email, "", ""); r.Action != mailpref.Send {
		t.Fatalf("after resume: %+v", r)
	}
}

// accountUsers adapts the account core to mailpref.Users, as internal/cores
// does (cores.PrefPeople).
type accountUsers struct{ a *account.Service }

func (u accountUsers) MailPerson(ctx context.Context, id string) (mailpref.Person, error) {
	a, err := u.a.User(ctx, id)
	if err != nil {
		return mailpref.Person{}, err
	}
	return mailpref.Person{Email: a.Email, TimeZone: a.TimeZone}, nil
}
