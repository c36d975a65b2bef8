package testkit_test

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

// A minted session and token are real credentials: the account core
// authenticates them, lists them as the person's, and signing out ends the
// session as it ends one made by the emailed code.
func TestPeopleHaveRealSessionsAndTokens(t *testing.T) {
	k := testkit.New(t)
	ada := k.Person("Ada Lovelace")
	a := authz.ActorFrom(ada.Ctx)
	if a.Kind != authz.User || a.UserID != ada.ID || a.SessionID == "" {
		t.Fatalf("session actor: %+v", a)
	}
	sessions, err := k.Accounts.Sessions(ada.Ctx)
	if err != nil || len(sessions) != 1 || sessions[0].Device != "Firefox on Linux" {
		t.Fatalf("sessions: %+v %v", sessions, err)
	}
	bot := authz.ActorFrom(ada.Bot(t))
	if bot.Kind != authz.Bot || bot.UserID != ada.ID || bot.TokenID == "" {
		t.Fatalf("token actor: %+v", bot)
	}
	if err := k.Accounts.SignOut(ada.Ctx, ada.Session); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Accounts.AuthenticateSession(context.Background(), ada.Session); domain.ErrorCode(err) != domain.Unauthorized {
		t.Fatalf("a signed-out minted session still authenticates: %v", err)
	}
	if bob := k.Person("Bob"); bob.Email == ada.Email || bob.ID == ada.ID {
		t.Fatal("two people share an address or id")
	}
}

// Each kind of group has the privacy it names; a secret subgroup's parent
// is secret and its members belong to both.
func TestGroupsOfEachPrivacy(t *testing.T) {
	k := testkit.New(t)
	admin, member, outsider := k.Person("Admin"), k.Person("Member"), k.Person("Outsider")
	want := map[testkit.Kind]authz.Privacy{testkit.Open: authz.Open, testkit.Closed: authz.Closed,
		testkit.Secret: authz.Secret, testkit.SecretSub: authz.Closed}
	for _, kind := range testkit.Kinds {
		gid := k.Group(kind, admin.Ctx, member.Ctx)
		g, err := k.Groups.Get(member.Ctx, gid)
		if err != nil || g.Privacy != want[kind] {
			t.Fatalf("%s: %+v %v", kind, g, err)
		}
		_, err = k.Groups.Get(outsider.Ctx, gid)
		secret := kind == testkit.Secret || kind == testkit.SecretSub
		if secret && domain.ErrorCode(err) != domain.NotFound {
			t.Errorf("%s: an outsider sees it: %v", kind, err)
		}
		if !secret && err != nil {
			t.Errorf("%s: an outsider cannot see it: %v", kind, err)
		}
		if kind == testkit.SecretSub {
			p, err := k.Groups.Get(member.Ctx, g.ParentID)
			if err != nil || p.Privacy != authz.Secret {
				t.Fatalf("parent: %+v %v", p, err)
			}
		}
	}
}

// The mailbox keeps what the cores send, finds links in it, injects
// failures and forwards to SES when asked.
func TestMailbox(t *testing.T) {
	k := testkit.New(t, testkit.WithSES())
	ctx := context.Background()
	addr := testkit.Email("Una")
	if _, err := k.Accounts.RequestLogin(ctx, testkit.Browser, addr); err != nil {
		t.Fatal(err)
	}
	code := k.Mail.Find(t, addr, regexp.MustCompile(`Your code: (\d{6})`))
	if len(code) != 6 || len(k.Mail.To(addr)) != 1 || k.Mail.Len() != 1 {
		t.Fatalf("code %q, %d messages", code, k.Mail.Len())
	}
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := (mail.Emulator{URL: k.Env.Config.SESEndpoint}).WaitFor(wait, addr, nil); err != nil {
		t.Fatalf("not forwarded to SES: %v", err)
	}

	k.Mail.FailNext(1)
	if _, err := k.Mail.Send(ctx, mail.Message{To: []string{addr}}); domain.ErrorCode(err) != domain.Unavailable {
		t.Fatalf("injected failure: %v", err)
	}
	if _, err := k.Mail.Send(ctx, mail.Message{From: k.Env.Config.MailFrom, To: []string{addr}, Subject: "s", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	if k.Mail.Calls() != 3 || k.Mail.Len() != 2 {
		t.Fatalf("calls %d, kept %d", k.Mail.Calls(), k.Mail.Len())
	}
	k.Mail.Reset()
	if k.Mail.Len() != 0 || k.Mail.Calls() != 0 {
		t.Fatal("reset kept messages")
	}
}

func TestClock(t *testing.T) {
	start := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	c := testkit.NewClock(start)
	c.Add(time.Hour)
	if !c.Now().Equal(start.Add(time.Hour)) {
		t.Fatalf("fixed clock: %v", c.Now())
	}
	l := testkit.NewLiveClock()
	l.Add(48 * time.Hour)
	if d := time.Until(l.Now()); d < 47*time.Hour || d > 49*time.Hour {
		t.Fatalf("live clock moved %v", d)
	}
}

// The real tier is the same kit on DynamoDB Local.
func TestRealTier(t *testing.T) {
	k := testkit.New(t, testkit.Real())
	if k.Env.Mem != nil {
		t.Fatal("the real tier runs on memdb")
	}
	p := k.Person("Real")
	k.Group(testkit.Secret, p.Ctx)
}

// The directory answers as the account core does for the group core, and
// counts its calls.
func TestDirectory(t *testing.T) {
	d := testkit.NewDirectory()
	ctx, ada := d.User("Ada Lovelace", "t1")
	if authz.ActorFrom(ctx).UserID != ada.ID || ada.Email != "adalovelace.t1@example.org" {
		t.Fatalf("user: %+v %+v", authz.ActorFrom(ctx), ada)
	}
	bg := context.Background()
	if _, err := d.UserByID(bg, "nobody"); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("unknown id: %v", err)
	}
	d.Update(ada.ID, func(p *group.Person) { p.Name = "Ada" })
	if d.Name(bg, ada.ID) != "Ada" {
		t.Fatal("update lost")
	}
	if id, ok, _ := d.UserIDByEmail(bg, "ADALOVELACE.t1@example.org"); !ok || id != ada.ID {
		t.Fatalf("by email: %q %v", id, ok)
	}
	if _, err := d.UsersByID(bg, make([]string, testkit.MaxBatch+1)); domain.ErrorCode(err) != domain.Invalid {
		t.Fatalf("an oversized batch: %v", err)
	}
	got, _ := d.UsersByID(bg, []string{ada.ID, "nobody"})
	if len(got) != 1 || d.Lookups() != 1 || d.Batches() != 1 {
		t.Fatalf("batch %v, %d lookups, %d batches", got, d.Lookups(), d.Batches())
	}
	d.ResetCounts()
	if d.Lookups()+d.Batches() != 0 {
		t.Fatal("counts kept")
	}
}

// CountingDB counts every request and the writes that changed something:
// not a write its condition refused, nor a credential's use being
// recorded (a session's last-seen time, a token's last use).
func TestCountingDB(t *testing.T) {
	env := testkit.NewEnv(t, testkit.FastTier)
	calls := testkit.CountRequests(env)
	clock := testkit.NewLiveClock()
	st := testkit.StoreOf(env)
	accounts := testkit.NewAccounts(t, env, st, &testkit.Mailbox{}, clock, nil)
	ada := testkit.NewPerson(t, accounts, "Ada")
	if calls.Total() == 0 || calls.Writes() == 0 {
		t.Fatalf("making a person: %s, %d writes", calls, calls.Writes())
	}
	secret := ada.Token(t)
	ctx := context.Background()

	total, writes, updates := calls.Total(), calls.Writes(), calls.Ops()["UpdateItem"]
	clock.Add(time.Hour) // past the session's refresh and the token's touch
	if _, err := accounts.AuthenticateSession(ctx, ada.Session); err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.AuthenticateToken(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if calls.Writes() != writes || calls.Ops()["UpdateItem"] != updates+2 || calls.Total() <= total {
		t.Fatalf("recording the use of a session and a token counted as writes: %s, %d writes (was %d)", calls, calls.Writes(), writes)
	}

	it := store.Item{PK: "COUNT#" + env.Prefix, SK: "ONCE", Type: "test"}
	put := func() error { return st.Table().Put(it).If("attribute_not_exists($)", "PK").Run(ctx) }
	if err := put(); err != nil {
		t.Fatal(err)
	}
	if calls.Writes() != writes+1 {
		t.Fatalf("a put: %d writes, want %d", calls.Writes(), writes+1)
	}
	if err := put(); err == nil {
		t.Fatal("the second conditional put succeeded")
	}
	if calls.Writes() != writes+1 || calls.Ops()["PutItem"] < 2 {
		t.Fatalf("a put its condition refused counted as a write: %s, %d writes", calls, calls.Writes())
	}
	if !strings.Contains(calls.String(), "DynamoDB requests [") {
		t.Fatalf("summary: %s", calls)
	}
}
