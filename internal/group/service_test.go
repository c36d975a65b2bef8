package group_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

type fixture struct {
	t      *testing.T
	env    *testcloud.Env
	st     *store.Store
	svc    *group.Service
	people *testkit.Directory
	tag    string
	clock  *testkit.Clock
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := testcloud.Fast(t)
	st := store.New(env.Clients.DynamoDB, env.Config.Table, env.Config.SigningKey)
	f := &fixture{t: t, env: env, st: st, people: testkit.NewDirectory(), tag: env.Prefix, clock: testkit.NewLiveClock()}
	f.svc = group.New(group.Config{
		Store: st, People: f.people, Mail: mail.NewSES(env.Clients.SES, "", env.Config.MailDomain),
		MailFrom: env.Config.MailFrom, BaseURL: env.Config.BaseURL, SigningKey: env.Config.SigningKey, Now: f.clock.Now,
	})
	return f
}

// user registers a person and returns a context acting as them.
func (f *fixture) user(name string) (context.Context, group.Person) {
	return f.people.User(name, f.tag)
}

func anon() context.Context { return context.Background() }

func code(err error) domain.Code { return domain.ErrorCode(err) }

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) create(ctx context.Context, name string, privacy authz.Privacy) group.Group {
	f.t.Helper()
	g, err := f.svc.Create(ctx, group.CreateInput{Name: name, Privacy: string(privacy)})
	f.must(err)
	return g
}

func (f *fixture) counts(gid string) (int64, int64) {
	f.t.Helper()
	var raw struct {
		MemberCount, AdminCount int64
	}
	out, err := f.env.Clients.DynamoDB.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: &f.env.Config.Table, ConsistentRead: ptr(true),
		Key: keyOf("GROUP#"+gid, "GROUP"),
	})
	f.must(err)
	raw.MemberCount = num(out.Item["MemberCount"])
	raw.AdminCount = num(out.Item["AdminCount"])
	return raw.MemberCount, raw.AdminCount
}

func (f *fixture) members(ctx context.Context, gid string) map[string]authz.Role {
	f.t.Helper()
	page, err := f.svc.Members(ctx, gid, "", 100)
	f.must(err)
	out := map[string]authz.Role{}
	for _, m := range page.Items {
		out[m.UserID] = m.Role
	}
	return out
}

var inviteLink = regexp.MustCompile(`/invitations/([A-Za-z0-9._-]+)`)

func (f *fixture) inviteToken(to string, not string) string {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msg, err := mail.Emulator{URL: f.env.Config.SESEndpoint}.WaitFor(ctx, to, func(m mail.StoredMessage) bool {
		mm := inviteLink.FindStringSubmatch(m.Body.Text)
		return mm != nil && mm[1] != not
	})
	f.must(err)
	return inviteLink.FindStringSubmatch(msg.Body.Text)[1]
}

func TestCreateGroupAndValidation(t *testing.T) {
	f := newFixture(t)
	alice, ap := f.user("Alice")
	g := f.create(alice, "Climate Action "+f.tag, authz.Open)
	if g.MyRole != authz.RoleAdmin || *g.MemberCount != 1 || *g.AdminCount != 1 || g.Version != 1 {
		t.Fatalf("new group %+v", g)
	}
	if !strings.HasPrefix(g.Handle, "climate-action-") || !g.Can(string(authz.GroupEditSettings)) {
		t.Fatalf("handle %q actions %v", g.Handle, g.Actions)
	}
	if g.Permissions != authz.DefaultFlags(authz.Open) {
		t.Fatalf("flags %+v", g.Permissions)
	}
	if m := f.members(alice, g.ID); m[ap.ID] != authz.RoleAdmin || len(m) != 1 {
		t.Fatalf("members %v", m)
	}
	// Explicit handle taken → conflict on the field; derived handle gets a suffix.
	_, err := f.svc.Create(alice, group.CreateInput{Name: "Other", Handle: g.Handle})
	if !errors.Is(err, group.ErrHandleTaken) {
		t.Fatalf("taken handle: %v", err)
	}
	g2 := f.create(alice, "Climate Action "+f.tag, authz.Closed)
	if g2.Handle == g.Handle || !strings.HasPrefix(g2.Handle, "climate-action-") {
		t.Fatalf("derived handle %q", g2.Handle)
	}
	if byHandle, err := f.svc.ByHandle(anon(), strings.ToUpper(g.Handle)); err != nil || byHandle.ID != g.ID {
		t.Fatalf("by handle: %v", err)
	}
	// Permission overrides at creation.
	no := false
	g3, err := f.svc.Create(alice, group.CreateInput{Name: "Flags", Privacy: "open", Permissions: &group.FlagsPatch{MembersCanStartPolls: &no}})
	f.must(err)
	if g3.Permissions.MembersCanStartPolls || !g3.Permissions.MembersCanStartThreads {
		t.Fatalf("override %+v", g3.Permissions)
	}

	bad := []struct {
		in    group.CreateInput
		field string
	}{
		{group.CreateInput{Name: ""}, "name"},
		{group.CreateInput{Name: "   "}, "name"},
		{group.CreateInput{Name: strings.Repeat("x", 101)}, "name"},
		{group.CreateInput{Name: "\x00\x07"}, "name"},
		{group.CreateInput{Name: "\u200b\u200b"}, "name"},
		{group.CreateInput{Name: "\u202e\u2066\ufeff"}, "name"},
		{group.CreateInput{Name: "bad \xff utf8"}, "name"},
		{group.CreateInput{Name: "ok", Handle: "Ab"}, "handle"},
		{group.CreateInput{Name: "ok", Handle: "has space"}, "handle"},
		{group.CreateInput{Name: "ok", Handle: "postmaster"}, "handle"},
		{group.CreateInput{Name: "ok", Handle: "-dash"}, "handle"},
		{group.CreateInput{Name: "ok", Privacy: "public"}, "privacy"},
		{group.CreateInput{Name: "ok", Description: strings.Repeat("d", 5001)}, "description"},
	}
	for _, b := range bad {
		_, err := f.svc.Create(alice, b.in)
		var de *domain.Error
		if !errors.As(err, &de) || de.Code != domain.Invalid || len(de.Fields) == 0 || de.Fields[0].Field != b.field {
			t.Errorf("%+v: %v", b.in, err)
		}
	}
	if _, err := f.svc.Create(anon(), group.CreateInput{Name: "x"}); code(err) != domain.Unauthorized {
		t.Fatalf("anonymous create: %v", err)
	}
	mine, err := f.svc.Mine(alice, "", 10)
	f.must(err)
	if len(mine.Items) != 3 {
		t.Fatalf("mine: %d", len(mine.Items))
	}
}

func TestSubgroupRules(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice")
	bob, _ := f.user("Bob")
	carol, _ := f.user("Carol")
	parent := f.create(alice, "Parent", authz.Open)
	_, err := f.svc.Join(bob, parent.ID)
	f.must(err)
	sub, err := f.svc.Create(alice, group.CreateInput{Name: "Sub", ParentID: parent.ID, Privacy: "closed"})
	f.must(err)
	if sub.ParentID != parent.ID || sub.MyRole != authz.RoleAdmin {
		t.Fatalf("sub %+v", sub)
	}
	if _, err := f.svc.Create(bob, group.CreateInput{Name: "Bob's sub", ParentID: parent.ID}); code(err) != domain.Forbidden {
		t.Fatalf("member creating subgroup: %v", err)
	}
	if _, err := f.svc.Create(alice, group.CreateInput{Name: "Subsub", ParentID: sub.ID}); code(err) != domain.Forbidden {
		t.Fatalf("sub-subgroup: %v", err)
	}
	secretSub, err := f.svc.Create(alice, group.CreateInput{Name: "Hidden sub", ParentID: parent.ID, Privacy: "secret"})
	f.must(err)
	list, err := f.svc.Subgroups(bob, parent.ID)
	f.must(err)
	if len(list) != 1 || list[0].ID != sub.ID {
		t.Fatalf("bob sees subgroups %v", list)
	}
	list, err = f.svc.Subgroups(alice, parent.ID)
	f.must(err)
	if len(list) != 2 {
		t.Fatalf("alice sees %d subgroups", len(list))
	}
	if _, err := f.svc.Get(carol, secretSub.ID); code(err) != domain.NotFound {
		t.Fatalf("secret subgroup visible: %v", err)
	}
	secretParent := f.create(alice, "Secret parent", authz.Secret)
	if _, err := f.svc.Create(alice, group.CreateInput{Name: "Open sub", ParentID: secretParent.ID, Privacy: "open"}); code(err) != domain.Invalid {
		t.Fatalf("open subgroup of secret group: %v", err)
	}
	closedSub, err := f.svc.Create(alice, group.CreateInput{Name: "Closed sub", ParentID: secretParent.ID, Privacy: "closed"})
	f.must(err)
	if _, err := f.svc.Get(carol, closedSub.ID); code(err) != domain.NotFound {
		t.Fatalf("closed subgroup of a secret parent visible to outsider: %v", err)
	}
	if _, err := f.svc.Create(carol, group.CreateInput{Name: "x", ParentID: secretParent.ID}); code(err) != domain.NotFound {
		t.Fatalf("subgroup of invisible parent: %v", err)
	}
}

func TestSecretGroupIsNotFoundForNonMembers(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice")
	eve, _ := f.user("Eve")
	g := f.create(alice, "Secret "+f.tag, authz.Secret)
	for _, ctx := range []context.Context{eve, anon()} {
		_, errGet := f.svc.Get(ctx, g.ID)
		_, errMissing := f.svc.Get(ctx, "doesnotexist1")
		if code(errGet) != domain.NotFound || domain.ErrorMessage(errGet) != domain.ErrorMessage(errMissing) {
			t.Fatalf("secret get %v vs missing %v", errGet, errMissing)
		}
		checks := map[string]error{}
		_, checks["members"] = f.svc.Members(ctx, g.ID, "", 10)
		_, checks["join"] = f.svc.Join(ctx, g.ID)
		checks["request"] = f.svc.RequestMembership(ctx, g.ID, "")
		_, checks["invite"] = f.svc.Invite(ctx, g.ID, group.InviteInput{Emails: []string{"x@example.org"}})
		_, checks["subgroups"] = f.svc.Subgroups(ctx, g.ID)
		_, checks["joinlink"] = f.svc.JoinLink(ctx, g.ID)
		checks["leave"] = f.svc.Leave(ctx, g.ID)
		_, checks["update"] = f.svc.Update(ctx, g.ID, group.UpdateInput{Version: 1})
		_, checks["handle"] = f.svc.ByHandle(ctx, g.Handle)
		for name, err := range checks {
			if code(err) != domain.NotFound {
				t.Errorf("%s on a secret group: %v", name, err)
			}
		}
	}
}

func TestInvitationFlow(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice")
	bob, bp := f.user("Bob")
	eve, _ := f.user("Eve")
	g := f.create(alice, "Closed "+f.tag, authz.Closed)

	res, err := f.svc.Invite(alice, g.ID, group.InviteInput{Emails: []string{strings.ToUpper(bp.Email), bp.Email}, Message: "Join us!"})
	f.must(err)
	if len(res) != 1 || res[0].Status != "invited" || res[0].Invitation.Email != bp.Email {
		t.Fatalf("invite result %+v", res)
	}
	token := f.inviteToken(bp.Email, "")
	if !strings.HasPrefix(token, g.ID+".") {
		t.Fatalf("token %q", token)
	}
	// The stored item never holds the secret.
	scan, err := f.env.Clients.DynamoDB.Scan(context.Background(), &dynamodb.ScanInput{TableName: &f.env.Config.Table})
	f.must(err)
	secret := token[strings.LastIndex(token, ".")+1:]
	if strings.Contains(fmt.Sprint(scan.Items), secret) {
		t.Fatal("invitation secret stored in plaintext")
	}

	preview, err := f.svc.PreviewInvitation(anon(), token)
	f.must(err)
	if preview.Group.Name != g.Name || preview.InviterName != "Alice" || preview.EmailMatches {
		t.Fatalf("preview %+v", preview)
	}
	if _, err := f.svc.AcceptInvitation(anon(), token); code(err) != domain.Unauthorized {
		t.Fatalf("anonymous accept: %v", err)
	}
	if _, err := f.svc.AcceptInvitation(eve, token); !errors.Is(err, group.ErrWrongEmail) {
		t.Fatalf("wrong email accept: %v", err)
	}
	tampered := token[:len(token)-2] + "xx"
	if _, err := f.svc.AcceptInvitation(bob, tampered); code(err) != domain.NotFound {
		t.Fatalf("tampered: %v", err)
	}
	for _, junk := range []string{"", "a.b", "nonsense", g.ID + ".x.y", strings.Repeat("a", 400), "é.é.é", "../../etc"} {
		if _, err := f.svc.AcceptInvitation(bob, junk); code(err) != domain.NotFound {
			t.Fatalf("junk token %q: %v", junk, err)
		}
	}
	got, err := f.svc.AcceptInvitation(bob, token)
	f.must(err)
	if got.MyRole != authz.RoleMember {
		t.Fatalf("after accept %+v", got)
	}
	if m, a := f.counts(g.ID); m != 2 || a != 1 {
		t.Fatalf("counts %d %d", m, a)
	}
	if _, err := f.svc.AcceptInvitation(bob, token); code(err) != domain.Gone {
		t.Fatalf("reuse: %v", err)
	}
	// Inviting a member reports it.
	res, err = f.svc.Invite(alice, g.ID, group.InviteInput{Emails: []string{bp.Email}})
	f.must(err)
	if res[0].Status != "already_member" {
		t.Fatalf("member invite %+v", res)
	}

	// Resend rotates the secret; revoke kills the link.
	carolEmail := "carol." + f.tag + "@example.org"
	res, err = f.svc.Invite(alice, g.ID, group.InviteInput{Emails: []string{carolEmail}})
	f.must(err)
	first := f.inviteToken(carolEmail, "")
	again, err := f.svc.Invite(alice, g.ID, group.InviteInput{Emails: []string{carolEmail}})
	f.must(err)
	if again[0].Status != "resent" || again[0].Invitation.ID != res[0].Invitation.ID || again[0].Invitation.SentCount != 2 {
		t.Fatalf("re-invite %+v", again[0])
	}
	second := f.inviteToken(carolEmail, first)
	if _, err := f.svc.PreviewInvitation(anon(), first); code(err) != domain.NotFound {
		t.Fatalf("old token after resend: %v", err)
	}
	if _, err := f.svc.PreviewInvitation(anon(), second); err != nil {
		t.Fatalf("new token: %v", err)
	}
	list, err := f.svc.Invitations(alice, g.ID, "", 10)
	f.must(err)
	if len(list.Items) != 2 {
		t.Fatalf("invitations %+v", list.Items)
	}
	if _, err := f.svc.Invitations(bob, g.ID, "", 10); code(err) != domain.Forbidden {
		t.Fatalf("member listing invitations in a closed group: %v", err)
	}
	f.must(f.svc.RevokeInvitation(alice, g.ID, res[0].Invitation.ID))
	if _, err := f.svc.PreviewInvitation(anon(), second); code(err) != domain.NotFound {
		t.Fatalf("revoked: %v", err)
	}
	if err := f.svc.RevokeInvitation(alice, g.ID, res[0].Invitation.ID); code(err) != domain.NotFound {
		t.Fatalf("revoke twice: %v", err)
	}

	// Expiry.
	daveCtx, dp := f.user("Dave")
	_, err = f.svc.Invite(alice, g.ID, group.InviteInput{Emails: []string{dp.Email}, Role: "admin"})
	f.must(err)
	dtoken := f.inviteToken(dp.Email, "")
	f.clock.Add(group.InviteTTL + time.Minute)
	if _, err := f.svc.AcceptInvitation(daveCtx, dtoken); code(err) != domain.Gone {
		t.Fatalf("expired: %v", err)
	}
	f.clock.Add(-(group.InviteTTL + time.Minute))
	joined, err := f.svc.AcceptInvitation(daveCtx, dtoken)
	f.must(err)
	if joined.MyRole != authz.RoleAdmin {
		t.Fatalf("admin invitation gave %q", joined.MyRole)
	}
	if m, a := f.counts(g.ID); m != 3 || a != 2 {
		t.Fatalf("counts %d %d", m, a)
	}

	// Bad input.
	for _, in := range []group.InviteInput{
		{}, {Emails: []string{"not an email"}}, {Emails: []string{"a@b.c"}, Role: "owner"},
		{Emails: make([]string, 21)}, {Emails: []string{"x@example.org"}, Message: strings.Repeat("m", 1001)},
		{Emails: []string{"Name <x@example.org>"}}, {Emails: []string{"x@example.org\r\nBcc: y@example.org"}},
	} {
		if _, err := f.svc.Invite(alice, g.ID, in); code(err) != domain.Invalid {
			t.Errorf("invite %+v: %v", in, err)
		}
	}
	if _, err := f.svc.Invite(bob, g.ID, group.InviteInput{Emails: []string{"z@example.org"}}); code(err) != domain.Forbidden {
		t.Fatalf("member inviting in a closed group: %v", err)
	}
}

func TestJoinLinkAndReset(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice")
	bob, _ := f.user("Bob")
	carol, _ := f.user("Carol")
	g := f.create(alice, "Secret "+f.tag, authz.Secret)
	link, err := f.svc.JoinLink(alice, g.ID)
	f.must(err)
	token := link[strings.LastIndex(link, "/")+1:]
	p, err := f.svc.PreviewJoinLink(bob, token)
	f.must(err)
	if p.Group.Name != g.Name || p.Group.MemberCount != nil {
		t.Fatalf("preview %+v", p.Group)
	}
	_, err = f.svc.JoinViaLink(bob, token)
	f.must(err)
	if _, err := f.svc.JoinViaLink(bob, token); code(err) != domain.Conflict {
		t.Fatalf("join twice: %v", err)
	}
	if _, err := f.svc.JoinLink(bob, g.ID); code(err) != domain.Forbidden {
		t.Fatalf("member sees join link of secret group: %v", err)
	}
	if _, err := f.svc.ResetJoinLink(bob, g.ID); code(err) != domain.Forbidden {
		t.Fatalf("member resets: %v", err)
	}
	newLink, err := f.svc.ResetJoinLink(alice, g.ID)
	f.must(err)
	if newLink == link {
		t.Fatal("reset kept the link")
	}
	if _, err := f.svc.JoinViaLink(carol, token); code(err) != domain.NotFound {
		t.Fatalf("old link after reset: %v", err)
	}
	if _, err := f.svc.JoinViaLink(anon(), newLink[strings.LastIndex(newLink, "/")+1:]); code(err) != domain.Unauthorized {
		t.Fatalf("anonymous join: %v", err)
	}
	_, err = f.svc.JoinViaLink(carol, newLink[strings.LastIndex(newLink, "/")+1:])
	f.must(err)
	if m, a := f.counts(g.ID); m != 3 || a != 1 {
		t.Fatalf("counts %d %d", m, a)
	}
}

func TestMembershipRequests(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice")
	bob, bp := f.user("Bob")
	carol, cp := f.user("Carol")
	closed := f.create(alice, "Closed "+f.tag, authz.Closed)
	open := f.create(alice, "Open "+f.tag, authz.Open)

	if _, err := f.svc.Join(bob, closed.ID); code(err) != domain.Forbidden {
		t.Fatalf("join closed: %v", err)
	}
	if err := f.svc.RequestMembership(bob, open.ID, ""); code(err) != domain.Forbidden {
		t.Fatalf("request open: %v", err)
	}
	if err := f.svc.RequestMembership(anon(), closed.ID, ""); code(err) != domain.Unauthorized {
		t.Fatalf("anonymous request: %v", err)
	}
	f.must(f.svc.RequestMembership(bob, closed.ID, "Please let me in"))
	if err := f.svc.RequestMembership(bob, closed.ID, "again"); code(err) != domain.Conflict {
		t.Fatalf("duplicate request: %v", err)
	}
	f.must(f.svc.RequestMembership(carol, closed.ID, ""))
	if g, _ := f.svc.Get(bob, closed.ID); !g.RequestPending {
		t.Fatal("request not pending")
	}
	reqs, err := f.svc.Requests(alice, closed.ID, "", 10)
	f.must(err)
	if len(reqs.Items) != 2 {
		t.Fatalf("requests %+v", reqs)
	}
	if _, err := f.svc.Requests(bob, closed.ID, "", 10); code(err) != domain.Forbidden {
		t.Fatalf("non-member listing requests: %v", err)
	}
	f.must(f.svc.ApproveRequest(alice, closed.ID, bp.ID))
	f.must(f.svc.DenyRequest(alice, closed.ID, cp.ID))
	if err := f.svc.ApproveRequest(alice, closed.ID, cp.ID); code(err) != domain.NotFound {
		t.Fatalf("approve denied request: %v", err)
	}
	if m := f.members(alice, closed.ID); m[bp.ID] != authz.RoleMember || len(m) != 2 {
		t.Fatalf("members %v", m)
	}
	if mc, _ := f.counts(closed.ID); mc != 2 {
		t.Fatalf("count %d", mc)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := (mail.Emulator{URL: f.env.Config.SESEndpoint}).WaitFor(ctx, bp.Email, func(m mail.StoredMessage) bool {
		return strings.Contains(m.Subject, "member of")
	}); err != nil {
		t.Fatal(err)
	}
	// Open group: join directly, then leave.
	_, err = f.svc.Join(carol, open.ID)
	f.must(err)
	f.must(f.svc.Leave(carol, open.ID))
	if err := f.svc.Leave(carol, open.ID); code(err) != domain.Forbidden {
		t.Fatalf("leave twice: %v", err)
	}
	if mc, _ := f.counts(open.ID); mc != 1 {
		t.Fatalf("open count %d", mc)
	}
}

func TestRolesAndLastAdmin(t *testing.T) {
	f := newFixture(t)
	alice, ap := f.user("Alice")
	bob, bp := f.user("Bob")
	g := f.create(alice, "Open "+f.tag, authz.Open)
	_, err := f.svc.Join(bob, g.ID)
	f.must(err)

	if err := f.svc.Leave(alice, g.ID); !errors.Is(err, group.ErrLastAdmin) {
		t.Fatalf("last admin leaves: %v", err)
	}
	if _, err := f.svc.SetRole(alice, g.ID, ap.ID, authz.RoleMember); !errors.Is(err, group.ErrLastAdmin) {
		t.Fatalf("last admin demotes self: %v", err)
	}
	if _, err := f.svc.SetRole(bob, g.ID, bp.ID, authz.RoleAdmin); code(err) != domain.Forbidden {
		t.Fatalf("member promotes self: %v", err)
	}
	if _, err := f.svc.SetRole(alice, g.ID, bp.ID, "owner"); code(err) != domain.Invalid {
		t.Fatalf("bad role: %v", err)
	}
	if _, err := f.svc.SetRole(alice, g.ID, "nobody", authz.RoleAdmin); code(err) != domain.NotFound {
		t.Fatalf("non-member: %v", err)
	}
	_, err = f.svc.SetRole(alice, g.ID, bp.ID, authz.RoleAdmin)
	f.must(err)
	if _, a := f.counts(g.ID); a != 2 {
		t.Fatalf("admins %d", a)
	}

	// Both admins demote themselves at the same time: exactly one wins.
	for round := 0; round < 3; round++ {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, c := range []struct {
			ctx context.Context
			id  string
		}{{alice, ap.ID}, {bob, bp.ID}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = f.svc.SetRole(c.ctx, g.ID, c.id, authz.RoleMember)
			}()
		}
		wg.Wait()
		ok := 0
		for _, e := range errs {
			if e == nil {
				ok++
			} else if code(e) != domain.Conflict {
				t.Fatalf("unexpected error %v", e)
			}
		}
		if _, a := f.counts(g.ID); ok != 1 || a != 1 {
			t.Fatalf("round %d: %d demotions succeeded, admin count %d (%v)", round, ok, a, errs)
		}
		roles := f.members(authz.WithActor(context.Background(), authz.Actor{Kind: authz.User, UserID: ap.ID}), g.ID)
		admins := 0
		var admin string
		for id, r := range roles {
			if r == authz.RoleAdmin {
				admins++
				admin = id
			}
		}
		if admins != 1 {
			t.Fatalf("round %d: %d admins", round, admins)
		}
		// Promote the other back for the next round.
		adminCtx := authz.WithActor(context.Background(), authz.Actor{Kind: authz.User, UserID: admin})
		other := ap.ID
		if admin == ap.ID {
			other = bp.ID
		}
		_, err := f.svc.SetRole(adminCtx, g.ID, other, authz.RoleAdmin)
		f.must(err)
	}

	// Removing: admins only; the removed person's count goes.
	carol, cp := f.user("Carol")
	_, err = f.svc.Join(carol, g.ID)
	f.must(err)
	if err := f.svc.RemoveMember(carol, g.ID, bp.ID); code(err) != domain.Forbidden {
		t.Fatalf("member removes: %v", err)
	}
	f.must(f.svc.RemoveMember(alice, g.ID, cp.ID))
	if err := f.svc.RemoveMember(alice, g.ID, cp.ID); code(err) != domain.NotFound {
		t.Fatalf("remove twice: %v", err)
	}
	if m, a := f.counts(g.ID); m != 2 || a != 2 {
		t.Fatalf("counts %d %d", m, a)
	}
}

func TestConcurrentJoinsKeepCountsExact(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice")
	g := f.create(alice, "Busy "+f.tag, authz.Open)
	const n = 8
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		ctx, _ := f.user(fmt.Sprintf("Joiner%d", i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.svc.Join(ctx, g.ID); err != nil {
				t.Error(err)
			}
			// A second join is a conflict that must not count.
			if _, err := f.svc.Join(ctx, g.ID); code(err) != domain.Conflict {
				t.Errorf("double join: %v", err)
			}
		}()
	}
	wg.Wait()
	if m, a := f.counts(g.ID); m != n+1 || a != 1 {
		t.Fatalf("counts %d %d", m, a)
	}
	if got := len(f.members(alice, g.ID)); got != n+1 {
		t.Fatalf("members %d", got)
	}
}

func TestUpdateSettings(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice")
	bob, _ := f.user("Bob")
	g := f.create(alice, "Team "+f.tag, authz.Closed)
	_, err := f.svc.JoinViaLink(bob, mustToken(t, f, alice, g.ID))
	f.must(err)
	if _, err := f.svc.Invite(bob, g.ID, group.InviteInput{Emails: []string{"x." + f.tag + "@example.org"}}); code(err) != domain.Forbidden {
		t.Fatalf("before flag: %v", err)
	}
	yes := true
	name := "Renamed"
	handle := "renamed-" + f.tag
	up, err := f.svc.Update(alice, g.ID, group.UpdateInput{Version: g.Version, Name: &name, Handle: &handle,
		Permissions: &group.FlagsPatch{MembersCanAddMembers: &yes}})
	f.must(err)
	if up.Name != "Renamed" || up.Handle != handle || up.Version != g.Version+1 || !up.Permissions.MembersCanAddMembers {
		t.Fatalf("updated %+v", up)
	}
	if m, _ := f.counts(g.ID); m != 2 {
		t.Fatalf("update lost the count: %d", m)
	}
	// The member now may invite.
	if _, err := f.svc.Invite(bob, g.ID, group.InviteInput{Emails: []string{"x." + f.tag + "@example.org"}}); err != nil {
		t.Fatalf("after flag: %v", err)
	}
	// ... but not as an admin: that gives the admin role, which only those
	// who may change roles give (group.members.role, the capability the
	// invitations page asks before offering the choice).
	if _, err := f.svc.Invite(bob, g.ID, group.InviteInput{Emails: []string{"y." + f.tag + "@example.org"}, Role: "admin"}); code(err) != domain.Forbidden {
		t.Fatalf("member invites an admin: %v", err)
	}
	if bg, err := f.svc.Get(bob, g.ID); err != nil || bg.Can(string(authz.GroupChangeRole)) || !bg.Can(string(authz.GroupInvite)) {
		t.Fatalf("member's capabilities: %v %v", bg.Actions, err)
	}
	if ag, err := f.svc.Get(alice, g.ID); err != nil || !ag.Can(string(authz.GroupChangeRole)) {
		t.Fatalf("admin's capabilities: %v %v", ag.Actions, err)
	}
	// Stale version → conflict; the old handle is free again.
	if _, err := f.svc.Update(alice, g.ID, group.UpdateInput{Version: g.Version, Name: &name}); code(err) != domain.Conflict {
		t.Fatalf("stale version: %v", err)
	}
	if _, err := f.svc.Create(alice, group.CreateInput{Name: "Reuse", Handle: g.Handle}); err != nil {
		t.Fatalf("old handle not freed: %v", err)
	}
	if _, err := f.svc.Update(bob, g.ID, group.UpdateInput{Version: up.Version, Name: &name}); code(err) != domain.Forbidden {
		t.Fatalf("member edits settings: %v", err)
	}
	bad := "x\xff"
	if _, err := f.svc.Update(alice, g.ID, group.UpdateInput{Version: up.Version, Name: &bad}); code(err) != domain.Invalid {
		t.Fatalf("bad name: %v", err)
	}
	priv := "secret"
	up2, err := f.svc.Update(alice, g.ID, group.UpdateInput{Version: up.Version, Privacy: &priv})
	f.must(err)
	if up2.Privacy != authz.Secret {
		t.Fatalf("privacy %s", up2.Privacy)
	}
	if _, err := f.svc.Get(anon(), g.ID); code(err) != domain.NotFound {
		t.Fatalf("now secret: %v", err)
	}
}

func mustToken(t *testing.T, f *fixture, ctx context.Context, gid string) string {
	t.Helper()
	link, err := f.svc.JoinLink(ctx, gid)
	f.must(err)
	return link[strings.LastIndex(link, "/")+1:]
}

// Handles are unique across all groups, so a secret group's handle carries a
// random suffix: choosing the same handle for another group succeeds and
// reveals nothing about the secret group.
func TestSecretGroupHandleDoesNotRevealExistence(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice")
	mallory, _ := f.user("Mallory")
	base := "board-" + f.tag
	secret, err := f.svc.Create(alice, group.CreateInput{Name: "Board", Handle: base, Privacy: "secret"})
	f.must(err)
	if !strings.HasPrefix(secret.Handle, base+"-") || len(secret.Handle) != len(base)+9 || len(secret.Handle) > 40 {
		t.Fatalf("secret handle %q", secret.Handle)
	}
	public, err := f.svc.Create(mallory, group.CreateInput{Name: "Board", Handle: base, Privacy: "open"})
	if err != nil || public.Handle != base {
		t.Fatalf("the plain handle must stay available to others: %+v %v", public.Handle, err)
	}
	// Renaming the secret group's handle keeps it unguessable.
	cur, err := f.svc.Get(alice, secret.ID)
	f.must(err)
	h := "council-" + f.tag
	upd, err := f.svc.Update(alice, secret.ID, group.UpdateInput{Version: cur.Version, Handle: &h})
	f.must(err)
	if !strings.HasPrefix(upd.Handle, h+"-") {
		t.Fatalf("updated secret handle %q", upd.Handle)
	}
	if _, err := f.svc.Create(mallory, group.CreateInput{Name: "Council", Handle: h, Privacy: "open"}); err != nil {
		t.Fatalf("the plain handle must stay available after a rename: %v", err)
	}
	// A secret group named in a script without Latin letters still gets a valid handle.
	g, err := f.svc.Create(alice, group.CreateInput{Name: "理事会", Privacy: "secret"})
	f.must(err)
	if !strings.HasPrefix(g.Handle, "group-") {
		t.Fatalf("handle %q", g.Handle)
	}
}
