package account_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
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
)

var deleteCodeRe = regexp.MustCompile(`Your code: (\d{6})`)

// deletionCode asks for a deletion code and reads it from the mail.
func (f *fixture) deletionCode(t *testing.T, ctx context.Context, addr string) string {
	t.Helper()
	before := countTo(f, addr)
	if _, err := f.svc.RequestDeletion(ctx); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := f.emu.WaitFor(wctx, addr, func(m mail.StoredMessage) bool {
		return m.Subject == "Confirm deleting your Quorum account" && countTo(f, addr) > before
	})
	if err != nil {
		t.Fatal(err)
	}
	c := deleteCodeRe.FindStringSubmatch(m.Body.Text)
	if c == nil {
		t.Fatalf("no code in %q", m.Body.Text)
	}
	f.secrets = append(f.secrets, c[1])
	return c[1]
}

// tableDump returns every attribute of every item, one per line.
func (f *fixture) tableDump(t *testing.T) string {
	t.Helper()
	var dump strings.Builder
	var start map[string]types.AttributeValue
	for {
		out, err := f.env.Clients.DynamoDB.Scan(context.Background(), &dynamodb.ScanInput{
			TableName: aws.String(f.env.Config.Table), ExclusiveStartKey: start})
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range out.Items {
			for k, av := range item {
				fmt.Fprintf(&dump, "%s=%s\n", k, avString(av))
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return dump.String()
		}
		start = out.LastEvaluatedKey
	}
}

// recordingEraser counts its calls and can fail a number of times.
type recordingEraser struct {
	calls, failures int
	seen            []account.Erasure
}

func (r *recordingEraser) EraseUser(_ context.Context, e account.Erasure) (bool, error) {
	r.calls++
	r.seen = append(r.seen, e)
	if r.failures > 0 {
		r.failures--
		return false, errors.New("interrupted")
	}
	return r.calls%2 == 0, nil // two batches each time: done on the second
}

func TestDeleteAccountErasesEverythingOfTheAccount(t *testing.T) {
	er := &recordingEraser{}
	f := newFixtureWith(t, nil, func(o *account.Options) { o.Erasers = []account.Eraser{er} })
	addr := uniqueEmail("leave")
	v := f.login(t, addr, "Leaving Person")
	other := f.login(t, addr, "") // a second session
	ctx := f.as(t, v.Token)
	nt, err := f.svc.CreateToken(ctx, "cli")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetPassword(ctx, "", "leaving-password-42!"); err != nil {
		t.Fatal(err)
	}
	code := f.deletionCode(t, ctx, addr)

	// A wrong code is refused with the attempts left, and nothing happens.
	err = f.svc.DeleteAccount(ctx, wrongCode(code))
	if domain.ErrorCode(err) != domain.Invalid || !strings.Contains(err.Error(), "attempts left") {
		t.Fatalf("wrong code: %v", err)
	}
	if _, err := f.svc.Me(ctx); err != nil {
		t.Fatalf("account gone after a wrong code: %v", err)
	}
	if err := f.svc.DeleteAccount(ctx, "12ab"); domain.ErrorCode(err) != domain.Invalid {
		t.Fatalf("malformed code: %v", err)
	}

	before := countTo(f, addr)
	if err := f.svc.DeleteAccount(ctx, code); err != nil {
		t.Fatal(err)
	}
	if er.calls != 2 || er.seen[0].UserID != v.User.ID {
		t.Fatalf("eraser calls %d, saw %+v", er.calls, er.seen)
	}
	// Sessions and the token stop working at once.
	for _, tok := range []string{v.Token, other.Token} {
		if _, err := f.svc.AuthenticateSession(context.Background(), tok); domain.ErrorCode(err) != domain.Unauthorized {
			t.Fatalf("a session still works: %v", err)
		}
	}
	if _, err := f.svc.AuthenticateToken(context.Background(), nt.Secret); domain.ErrorCode(err) != domain.Unauthorized {
		t.Fatalf("the token still works: %v", err)
	}
	// The code does not work twice.
	if err := f.svc.DeleteAccount(ctx, code); err == nil {
		t.Fatal("replayed code accepted")
	}
	// Nothing in the table names the person: id, address, name, address hash.
	table := f.tableDump(t)
	for what, s := range map[string]string{"user id": v.User.ID, "address": addr, "name": "Leaving Person"} {
		if strings.Contains(table, s) {
			t.Errorf("the %s is still in the table", what)
		}
	}
	if strings.Contains(table, "Type=S:user\n") || strings.Contains(table, "Type=S:session\n") || strings.Contains(table, "Type=S:token\n") ||
		strings.Contains(table, "Type=S:email\n") || strings.Contains(table, "Type=S:deletion_code\n") {
		t.Errorf("account items left:\n%s", table)
	}
	if strings.Contains(f.logs.String(), addr) || strings.Contains(f.logs.String(), "Leaving Person") {
		t.Error("personal data in the logs")
	}
	// A confirmation went to the old address.
	wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := f.emu.WaitFor(wctx, addr, func(m mail.StoredMessage) bool {
		return m.Subject == "Your Quorum account was deleted" && countTo(f, addr) > before
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Body.Text, "votes keep counting") {
		t.Errorf("confirmation does not say what stays: %q", m.Body.Text)
	}
	// Signing up again makes a new, empty account.
	again := f.login(t, addr, "New Person")
	if !again.NewAccount || again.User.ID == v.User.ID || again.User.HasPassword() {
		t.Fatalf("sign-up after deletion: new=%v same id=%v password=%v", again.NewAccount, again.User.ID == v.User.ID, again.User.HasPassword())
	}
}

func TestDeletionCodeExpiresAndIsSessionOnly(t *testing.T) {
	f := newFixture(t, nil)
	addr := uniqueEmail("leave-exp")
	v := f.login(t, addr, "Expiring")
	ctx := f.as(t, v.Token)
	if err := f.svc.DeleteAccount(ctx, "123456"); domain.ErrorCode(err) != domain.Gone {
		t.Fatalf("no code requested: %v", err)
	}
	code := f.deletionCode(t, ctx, addr)
	f.clock.Add(16 * time.Minute)
	ctx = f.as(t, f.login(t, addr, "").Token) // the first session's idle refresh is irrelevant; a fresh one
	if err := f.svc.DeleteAccount(ctx, code); domain.ErrorCode(err) != domain.Gone {
		t.Fatalf("expired code: %v", err)
	}
	if _, err := f.svc.Me(ctx); err != nil {
		t.Fatal(err)
	}
	// A new code replaces the old one; five wrong tries burn it.
	code = f.deletionCode(t, ctx, addr)
	for i := 0; i < 4; i++ {
		if err := f.svc.DeleteAccount(ctx, wrongCode(code)); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("try %d: %v", i, err)
		}
	}
	if err := f.svc.DeleteAccount(ctx, wrongCode(code)); domain.ErrorCode(err) != domain.Gone {
		t.Fatalf("last try: %v", err)
	}
	if err := f.svc.DeleteAccount(ctx, code); domain.ErrorCode(err) != domain.Gone {
		t.Fatalf("burnt code accepted: %v", err)
	}
	// API tokens can do neither step.
	nt, err := f.svc.CreateToken(ctx, "bot")
	if err != nil {
		t.Fatal(err)
	}
	ba, err := f.svc.AuthenticateToken(context.Background(), nt.Secret)
	if err != nil {
		t.Fatal(err)
	}
	bctx := authz.WithActor(context.Background(), ba)
	if _, err := f.svc.RequestDeletion(bctx); domain.ErrorCode(err) != domain.Forbidden {
		t.Fatalf("token asked for a code: %v", err)
	}
	if err := f.svc.DeleteAccount(bctx, "123456"); domain.ErrorCode(err) != domain.Forbidden {
		t.Fatalf("token deleted: %v", err)
	}
}

func TestDeletionRateLimited(t *testing.T) {
	f := newFixture(t, nil)
	addr := uniqueEmail("leave-rl")
	ctx := f.as(t, f.login(t, addr, "Limited").Token)
	var err error
	for i := 0; i < 6 && err == nil; i++ {
		_, err = f.svc.RequestDeletion(ctx)
	}
	if domain.ErrorCode(err) != domain.RateLimited {
		t.Fatalf("sixth code request: %v", err)
	}
}

func TestLastAdminCannotDelete(t *testing.T) {
	er := &recordingEraser{}
	f := newFixtureWith(t, nil, func(o *account.Options) {
		o.Erasers = []account.Eraser{er}
		o.Guard = account.AdminGuardFunc(func(context.Context, string) ([]string, error) {
			return []string{"Garden club", "Choir"}, nil
		})
	})
	addr := uniqueEmail("leave-admin")
	v := f.login(t, addr, "Only Admin")
	ctx := f.as(t, v.Token)
	code := f.deletionCode(t, ctx, addr)
	err := f.svc.DeleteAccount(ctx, code)
	if domain.ErrorCode(err) != domain.Conflict || !strings.Contains(err.Error(), `"Garden club", "Choir"`) {
		t.Fatalf("last admin: %v", err)
	}
	if er.calls != 0 {
		t.Fatal("erasers ran for a refused deletion")
	}
	if _, err := f.svc.Me(ctx); err != nil {
		t.Fatalf("refused deletion touched the account: %v", err)
	}
}

func TestInterruptedDeletionCannotSignInAndResumes(t *testing.T) {
	er := &recordingEraser{failures: 1}
	f := newFixtureWith(t, nil, func(o *account.Options) { o.Erasers = []account.Eraser{er} })
	addr := uniqueEmail("leave-resume")
	v := f.login(t, addr, "Interrupted")
	ctx := f.as(t, v.Token)
	code := f.deletionCode(t, ctx, addr)
	// The request succeeds (the deletion is decided); the rest is the scheduler's.
	if err := f.svc.DeleteAccount(ctx, code); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UserByEmail(context.Background(), addr); err != nil {
		t.Fatalf("the interrupted deletion should have left the marked account: %v", err)
	}
	// Half-deleted: no session works and no sign-in gets in.
	if _, err := f.svc.AuthenticateSession(context.Background(), v.Token); err == nil {
		t.Fatal("session works during deletion")
	}
	before := countTo(f, addr)
	if _, err := f.svc.RequestLogin(context.Background(), account.Client{IP: "192.0.2.1"}, addr); err != nil {
		t.Fatal(err)
	}
	lc, _, _ := f.mailFor(t, addr, before)
	if _, err := f.svc.VerifyCode(context.Background(), account.Client{IP: "192.0.2.1"}, addr, lc, ""); domain.ErrorCode(err) != domain.Gone {
		t.Fatalf("signed in to an account being deleted: %v", err)
	}
	if _, err := f.svc.PasswordLogin(context.Background(), account.Client{IP: "192.0.2.1"}, addr, "whatever-pass-1"); err == nil {
		t.Fatal("password sign-in during deletion")
	}
	n, err := f.svc.ResumeDeletions(context.Background(), 10)
	if err != nil || n != 1 {
		t.Fatalf("resume: %d, %v", n, err)
	}
	if _, err := f.svc.UserByEmail(context.Background(), addr); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("account left after resume: %v", err)
	}
	if n, err := f.svc.ResumeDeletions(context.Background(), 10); err != nil || n != 0 {
		t.Fatalf("second resume: %d, %v", n, err)
	}
}

// laterEraser stands for the comment removal: it leaves its work to the
// scheduler when asked inside the deletion request.
type laterEraser struct{ seen []account.Erasure }

func (l *laterEraser) EraseUser(_ context.Context, e account.Erasure) (bool, error) {
	l.seen = append(l.seen, e)
	if e.RemoveComments && e.InRequest {
		return false, account.ErrLater
	}
	return true, nil
}

// Asking to remove one's comments reaches every eraser, and the work an
// eraser leaves to the scheduler is not done inside the request: the
// account stays marked (no sign-in) until ResumeDeletions finishes it.
func TestDeletionRemovingCommentsRunsInTheScheduler(t *testing.T) {
	er := &laterEraser{}
	f := newFixtureWith(t, nil, func(o *account.Options) { o.Erasers = []account.Eraser{er} })
	addr := uniqueEmail("leave-comments")
	v := f.login(t, addr, "Commenter")
	ctx := f.as(t, v.Token)
	code := f.deletionCode(t, ctx, addr)
	if err := f.svc.DeleteAccountWith(ctx, code, account.DeletionOptions{RemoveComments: true}); err != nil {
		t.Fatal(err)
	}
	if len(er.seen) != 1 || !er.seen[0].RemoveComments || !er.seen[0].InRequest {
		t.Fatalf("request saw %+v", er.seen)
	}
	if _, err := f.svc.UserByEmail(context.Background(), addr); err != nil {
		t.Fatalf("the account should wait for the scheduler: %v", err)
	}
	if _, err := f.svc.AuthenticateSession(context.Background(), v.Token); err == nil {
		t.Fatal("session works during deletion")
	}
	n, err := f.svc.ResumeDeletions(context.Background(), 10)
	if err != nil || n != 1 {
		t.Fatalf("resume: %d, %v", n, err)
	}
	last := er.seen[len(er.seen)-1]
	if !last.RemoveComments || last.InRequest {
		t.Fatalf("scheduler saw %+v", last)
	}
	if _, err := f.svc.UserByEmail(context.Background(), addr); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("account left after resume: %v", err)
	}
	// Without the choice, the erasers are told to keep the comments.
	er2 := &laterEraser{}
	f2 := newFixtureWith(t, nil, func(o *account.Options) { o.Erasers = []account.Eraser{er2} })
	addr2 := uniqueEmail("leave-keep")
	v2 := f2.login(t, addr2, "Keeper")
	ctx2 := f2.as(t, v2.Token)
	if err := f2.svc.DeleteAccount(ctx2, f2.deletionCode(t, ctx2, addr2)); err != nil {
		t.Fatal(err)
	}
	if len(er2.seen) != 1 || er2.seen[0].RemoveComments {
		t.Fatalf("saw %+v", er2.seen)
	}
	if _, err := f2.svc.UserByEmail(context.Background(), addr2); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("account left: %v", err)
	}
}
