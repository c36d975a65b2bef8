package app_test

// Fixtures of the authorization matrix (matrix_test.go): the real
// application from app.NewAPI, people with real sessions and API tokens,
// one group per privacy preset plus a subgroup under a secret parent, and
// the machinery that restores a group to its baseline after a case changed
// it, so every case meets the same world.
//
// Secrets that normally travel by email (sign-in codes and links, email
// change links, invitation tokens) are produced by a second account service
// and a second group service built over the same table and signing key with
// a mailbox that keeps messages in memory; the application's own services
// accept them because they are the same items under the same keys. Only the
// actors' requests under test go through the HTTP handler.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quorum-app/quorum/infra/facts"
	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/cores"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/ratelimit"
	"github.com/quorum-app/quorum/internal/server"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

var (
	codeRe       = regexp.MustCompile(`Your code: (\d{6})`)
	loginLinkRe  = regexp.MustCompile(`/login/verify\?token=(\S+)`)
	emailLinkRe  = regexp.MustCompile(`/settings/email/confirm\?token=(\S+)`)
	inviteLinkRe = regexp.MustCompile(`/invitations/([A-Za-z0-9_.-]+)`)
)

// ---- the world ----

// person is a user with a live browser session (cookie) of their own,
// minted through internal/testkit (the session a sign-in makes, without
// the emailed code).
type person struct {
	user                 *account.User
	key, id, email, name string
	cookie               string // session token (the cookie value)
	sessionID            string
	ctx                  context.Context // acting as that session
}

// actor is one row of the matrix: who sends the request and how.
type actor struct {
	name   string
	user   *person // the signed-in person; for bots the token's owner; nil when anonymous
	bot    bool
	bearer string
}

func (a *actor) session() bool { return a.user != nil && !a.bot }

// fixture is one group (one resource column of the matrix) and the real
// things its path parameters refer to.
type fixture struct {
	kind     string // open, closed, secret, sub
	id       string
	name     string
	handle   string
	privacy  authz.Privacy
	parent   *fixture
	flags    authz.Flags
	thread   string // the thread the guest has a grant for
	invite   string // token of a pending invitation to the non-member's address
	inviteID string
	join     string // the join-link token
	nonce    string // the join-link nonce join was made with
	resendID string // a pending invitation to resend
	revokeID string // a pending invitation to revoke (replaced when revoked)
	// ext holds ids of resources other areas create in the group through
	// fixtureHooks (a thread, a poll, ...), by name.
	ext map[string]string
}

// fixtureHooks let each area (discussions, decisions, ...) create its own
// resources in every group fixture from its own matrix_<area>_test.go, in
// an init function, storing their ids in fixture.ext. They run after the
// group and its members exist and before the baseline is recorded.
var fixtureHooks []func(w *world, f *fixture)

type world struct {
	t        *testing.T
	env      *testcloud.Env
	a        *app.API
	h        http.Handler
	box      *testkit.Mailbox // the mail of mintAcc and mintGrp
	mintAcc  *account.Service // same table and keys as a.Accounts; mail to box
	mintGrp  *group.Service   // same table and keys as a.Groups; mail to box
	tag      string
	seq      atomic.Int64
	ip       atomic.Int64
	people   map[string]*person
	actors   []*actor
	fixtures []*fixture
	parent   *fixture // the secret parent of the subgroup
	pw       *person  // has a password, for the password sign-in routes
	pwSecret string
	ec       *person // changes their email address once per confirm case
	compared int     // hidden-vs-missing comparisons made
	// calls counts the requests sent to the table (DynamoDB Local's cost).
	calls *testkit.CountingDB
	// phases: requests to the table of the cases, by what they were for.
	phases   [4]int
	perRoute map[string]*[4]int
	// kept: what keep made, by group and key, and the table's write count
	// right after it was made.
	kept map[string]keptThing
	// adminCalls: the admin's request of each route and group, which the
	// cross-origin checks send again from another site.
	adminCalls map[string]call
	mu         sync.Mutex // compared, phases, perRoute
}

type keptThing struct {
	id     string
	writes int
}

// keep returns what make made for an earlier case under the same key in
// group f, as long as nothing was written to the table since it was made;
// otherwise it makes a new one. The matrix makes a thing afresh for a case
// that may change or use it up (a thread to close, a poll to reopen, a
// session to end); when every case since was refused, they wrote nothing
// (runCase checks), so the thing is exactly as made and the next case meets
// what a new one would be. Any write (an allowed case, a builder's own
// step) makes the next case make a new one.
func (w *world) keep(f *fixture, key string, make func() string) string {
	k := kindOf(f) + " " + key
	n := w.calls.Writes()
	if th, ok := w.kept[k]; ok && th.writes == n {
		return th.id
	}
	id := make()
	if w.kept == nil {
		w.kept = map[string]keptThing{}
	}
	w.kept[k] = keptThing{id: id, writes: w.calls.Writes()}
	return id
}

// logCostliest logs the n (route, group) pairs whose cases sent the most
// requests to the table, by phase: where to look to make the matrix cheaper.
func (w *world) logCostliest(t *testing.T, n int) {
	type cell struct {
		name string
		by   [4]int
		sum  int
	}
	var cells []cell
	for name, by := range w.perRoute {
		cells = append(cells, cell{name, *by, by[0] + by[1] + by[2] + by[3]})
	}
	sort.Slice(cells, func(i, j int) bool {
		return cells[i].sum > cells[j].sum || cells[i].sum == cells[j].sum && cells[i].name < cells[j].name
	})
	for _, c := range cells[:min(n, len(cells))] {
		t.Logf("costliest: %-70s %5d requests (making %d, under test %d, missing group %d, restore %d)",
			c.name, c.sum, c.by[phaseBuild], c.by[phaseSend], c.by[phaseMissing], c.by[phaseCheck])
	}
}

// count adds n requests to the table to what route's cases spent in phase p.
func (w *world) count(route string, p, n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.phases[p] += n
	if w.perRoute == nil {
		w.perRoute = map[string]*[4]int{}
	}
	if w.perRoute[route] == nil {
		w.perRoute[route] = &[4]int{}
	}
	w.perRoute[route][p] += n
}

// What a case's requests to the table were for (world.phases).
const (
	phaseBuild   = iota // making the request: fresh sessions, threads, polls
	phaseSend           // the request under test
	phaseMissing        // the same request about a missing group
	phaseCheck          // restores after a case that wrote
)

// logWriter sends the application's warnings to the test log.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// newWorld builds the world on the in-memory table (the fast tier).
func newWorld(t *testing.T) *world {
	t.Helper()
	return newWorldOn(t, testcloud.Fast(t))
}

// newStreamWorld is newWorld whose table keeps a stream of its changes
// (startStream feeds it to the stream consumers).
func newStreamWorld(t *testing.T) *world {
	t.Helper()
	return newWorldOn(t, testcloud.FastStream(t))
}

// newRealWorld builds the world on DynamoDB Local, for what only the real
// store shows (its stream, which the search tests read).
func newRealWorld(t *testing.T) *world {
	t.Helper()
	w := newWorldOn(t, testcloud.New(t))
	t.Cleanup(func() { t.Logf("sent to DynamoDB Local: %s", w.calls) })
	return w
}

func newWorldOn(t *testing.T, env *testcloud.Env) *world {
	t.Helper()
	ctx := context.Background()
	calls := testkit.CountRequests(env)
	cfg := env.Config
	// Publish security facts as a deployment does, so /security answers.
	published, err := json.Marshal(facts.Of(facts.Defaults()))
	if err != nil {
		t.Fatal(err)
	}
	cfg.FactsJSON = string(published)
	a, err := app.NewAPIWith(ctx, cfg, env.Clients, logging.New(logWriter{t}, "warn"))
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, env: env, a: a, h: a.Handler(), box: &testkit.Mailbox{}, tag: env.Prefix, people: map[string]*person{}, calls: calls,
		adminCalls: map[string]call{}}
	relaxed := account.DefaultLimits()
	for _, r := range []*ratelimit.Rule{&relaxed.LoginPerEmail, &relaxed.LoginPerIP, &relaxed.VerifyPerIP, &relaxed.EmailChange} {
		r.Max = 1_000_000
	}
	w.mintAcc, err = account.New(account.Options{Store: a.Store, Mail: w.box, From: a.Config.MailFrom, BaseURL: a.Config.BaseURL,
		SigningKey: a.Config.SigningKey, Argon2: account.FastArgon2(), Limits: &relaxed})
	if err != nil {
		t.Fatal(err)
	}
	w.mintGrp = group.New(group.Config{Store: a.Store, People: cores.People{Accounts: a.Accounts}, Mail: w.box,
		MailFrom: a.Config.MailFrom, BaseURL: a.Config.BaseURL, SigningKey: a.Config.SigningKey})
	return w
}

func (w *world) next() int64 { return w.seq.Add(1) }

// uniqueIP gives every sign-in a client address of its own, so the per-IP
// limits of the real service never interfere with the matrix.
func (w *world) uniqueIP() string {
	n := w.ip.Add(1)
	return fmt.Sprintf("10.%d.%d.%d", (n>>16)&255, (n>>8)&255, n&255)
}

func (w *world) email(prefix string) string {
	return fmt.Sprintf("%s-%d-%s@example.org", prefix, w.next(), w.tag)
}

// loginSecrets asks for a sign-in by email and returns the code and the link token.
func (w *world) loginSecrets(addr string) (code, link string) {
	w.t.Helper()
	if _, err := w.mintAcc.RequestLogin(context.Background(), account.Client{IP: w.uniqueIP()}, addr); err != nil {
		w.t.Fatal(err)
	}
	return w.box.Find(w.t, addr, codeRe), w.box.Find(w.t, addr, loginLinkRe)
}

func (w *world) newPerson(key, name string) *person {
	w.t.Helper()
	tp := testkit.NewPersonWithEmail(w.t, w.a.Accounts, name, w.email(strings.ToLower(key)))
	p := &person{user: tp.User, key: key, id: tp.ID, email: tp.Email, name: name, cookie: tp.Session,
		sessionID: authz.ActorFrom(tp.Ctx).SessionID, ctx: tp.Ctx}
	w.people[key] = p
	return p
}

// freshSession starts another session of p (for routes that end the
// session they are called with), minted as testkit does.
func (w *world) freshSession(p *person) (token, id string) {
	w.t.Helper()
	tp := testkit.SignIn(w.t, w.a.Accounts, p.user)
	return tp.Session, authz.ActorFrom(tp.Ctx).SessionID
}

// token creates a personal API token of p.
func (w *world) token(p *person, name string) *account.NewToken {
	w.t.Helper()
	nt, err := w.a.Accounts.CreateToken(p.ctx, name)
	if err != nil {
		w.t.Fatal(err)
	}
	return nt
}

// emailChangeSecret starts an email change of w.ec and returns the confirmation secret.
func (w *world) emailChangeSecret() string {
	w.t.Helper()
	addr := w.email("changed")
	if err := w.mintAcc.RequestEmailChange(w.ec.ctx, addr); err != nil {
		w.t.Fatal(err)
	}
	return w.box.Find(w.t, addr, emailLinkRe)
}

// ---- people and groups ----

// The people of the matrix. O creates every group and restores them; A is
// the admin actor, M the member actor, N the non-member, P a member of the
// subgroup's parent only, G a guest of one thread per group, T a member
// that admins promote and remove, R a person with a pending request.
func (w *world) setUp() {
	t := w.t
	for _, k := range []struct{ key, name string }{
		{"O", "Olga Owner"}, {"A", "Ada Admin"}, {"M", "Milo Member"}, {"N", "Nora Outsider"},
		{"P", "Pia Parent"}, {"G", "Gus Guest"}, {"T", "Tim Target"}, {"R", "Rae Requester"},
		{"PW", "Pat Password"}, {"EC", "Eve Changer"},
	} {
		w.newPerson(k.key, k.name)
	}
	w.pw, w.ec = w.people["PW"], w.people["EC"]
	w.pwSecret = "Tangerine-Quartz-Harbor-" + w.tag
	if err := w.mintAcc.SetPassword(w.pw.ctx, "", w.pwSecret); err != nil {
		t.Fatal(err)
	}
	botM := w.token(w.people["M"], "member's bot")
	botN := w.token(w.people["N"], "outsider's bot")
	w.actors = []*actor{
		{name: "anonymous"},
		{name: "non-member", user: w.people["N"]},
		{name: "member", user: w.people["M"]},
		{name: "admin", user: w.people["A"]},
		{name: "parent-member", user: w.people["P"]},
		{name: "guest", user: w.people["G"]},
		{name: "member's bot", user: w.people["M"], bot: true, bearer: botM.Secret},
		{name: "non-member's bot", user: w.people["N"], bot: true, bearer: botN.Secret},
	}

	// The secret parent of the subgroup: O (admin), P and R are members.
	w.parent = w.createGroup("parent", authz.Secret, nil)
	for _, k := range []string{"P", "R"} {
		w.joinVia(w.people[k], w.parent)
	}
	for _, k := range []struct {
		kind    string
		privacy authz.Privacy
		parent  *fixture
	}{{"open", authz.Open, nil}, {"closed", authz.Closed, nil}, {"secret", authz.Secret, nil}, {"sub", authz.Closed, w.parent}} {
		f := w.createGroup(k.kind, k.privacy, k.parent)
		f.thread = "th" + strings.ToLower(f.id)
		f.ext = map[string]string{}
		w.grantGuest(w.people["G"], f)
		for _, hook := range fixtureHooks {
			hook(w, f)
		}
		w.restore(f)
		w.fixtures = append(w.fixtures, f)
	}
}

func (w *world) createGroup(kind string, privacy authz.Privacy, parent *fixture) *fixture {
	w.t.Helper()
	// Distinctive names and handles: the leak checks look for them in responses.
	f := &fixture{kind: kind, privacy: privacy, parent: parent,
		name:   fmt.Sprintf("Zq %s Quokka %s", strings.ToUpper(kind[:1])+kind[1:], w.tag),
		handle: fmt.Sprintf("zq-%s-%s", kind, w.tag)}
	in := group.CreateInput{Name: f.name, Handle: f.handle, Privacy: string(privacy)}
	if parent != nil {
		in.ParentID = parent.id
	}
	g, err := w.a.Groups.Create(w.people["O"].ctx, in)
	if err != nil {
		w.t.Fatalf("create %s group: %v", kind, err)
	}
	// A secret group's handle gets a random suffix: track the real one.
	f.id, f.flags, f.handle = g.ID, g.Permissions, g.Handle
	w.refreshJoinLink(f)
	return f
}

func (w *world) refreshJoinLink(f *fixture) {
	w.t.Helper()
	link, err := w.a.Groups.JoinLink(w.people["O"].ctx, f.id)
	if err != nil {
		w.t.Fatal(err)
	}
	f.join = link[strings.LastIndex(link, "/join/")+len("/join/"):]
}

func (w *world) joinVia(p *person, f *fixture) {
	w.t.Helper()
	if _, err := w.a.Groups.JoinViaLink(p.ctx, f.join); err != nil {
		w.t.Fatalf("%s joins %s: %v", p.key, f.kind, err)
	}
}

func (w *world) grantGuest(p *person, f *fixture) {
	w.t.Helper()
	// The grant as the group core builds it (internal/group/guests.go), put
	// directly: the guest actor is a signed-in person whose only relation
	// to the group is access to one thread.
	it := group.NewThreadGuest(f.id, f.thread, p.id, "", time.Time{})
	if err := w.a.Store.Table().Put(it).Run(context.Background()); err != nil {
		w.t.Fatal(err)
	}
	// The grant is real to the policy: the guest may read and comment in that thread.
	target := authz.Target{Kind: "thread", ID: f.thread}
	for _, action := range []authz.Action{authz.ThreadView, authz.ThreadComment} {
		if err := w.a.Groups.Authorize(p.ctx, f.id, action, target); err != nil {
			w.t.Fatalf("guest grant in %s group not effective for %s: %v", f.kind, action, err)
		}
	}
	if err := w.a.Groups.Authorize(p.ctx, f.id, authz.ThreadComment, authz.Target{Kind: "thread", ID: "other"}); err == nil {
		w.t.Fatalf("guest of one thread may comment in another thread of the %s group", f.kind)
	}
}

// baseline roles of every group: O and A admins, M and T members.
func (w *world) baselineRoles() map[string]authz.Role {
	p := w.people
	return map[string]authz.Role{p["O"].id: authz.RoleAdmin, p["A"].id: authz.RoleAdmin,
		p["M"].id: authz.RoleMember, p["T"].id: authz.RoleMember}
}

func (w *world) byID(id string) *person {
	for _, p := range w.people {
		if p.id == id {
			return p
		}
	}
	return nil
}

// groupRow is any stored item of a group's partition (the group itself,
// memberships, requests, invitations), as far as restore needs it.
type groupRow struct {
	SK         string        `dynamo:"SK"`
	UserID     string        `dynamo:"UserID"`
	Role       authz.Role    `dynamo:"Role"`
	ID         string        `dynamo:"ID"`
	AcceptedAt int64         `dynamo:"AcceptedAt"`
	ExpiresAt  time.Time     `dynamo:"ExpiresAt"`
	Name       string        `dynamo:"Name"`
	Handle     string        `dynamo:"Handle"`
	Privacy    authz.Privacy `dynamo:"Privacy"`
	Flags      authz.Flags   `dynamo:"Flags"`
	JoinNonce  string        `dynamo:"JoinNonce"`
	DeletingAt *time.Time    `dynamo:"DeletingAt"`
}

func (w *world) rows(f *fixture) []groupRow {
	w.t.Helper()
	var rows []groupRow
	if err := w.a.Store.Table().Get("PK", "GROUP#"+f.id).Consistent(true).All(context.Background(), &rows); err != nil {
		w.t.Fatal(err)
	}
	return rows
}

// restore brings group f back to its baseline: memberships and roles, R's
// pending request (and no other), a pending invitation to N with a known
// token, invitations to resend and revoke, the current join link, and
// unchanged settings. It returns what it had to repair.
func (w *world) restore(f *fixture) []string {
	t := w.t
	t.Helper()
	ctxO := w.people["O"].ctx
	var fixed []string
	have := map[string]authz.Role{}
	requests := map[string]bool{}
	pending := map[string]bool{}
	var g *groupRow
	rows := w.rows(f)
	for i, r := range rows {
		switch {
		case r.SK == "GROUP":
			g = &rows[i]
		case strings.HasPrefix(r.SK, "MEMBER#"):
			have[r.UserID] = r.Role
		case strings.HasPrefix(r.SK, "REQUEST#"):
			requests[r.UserID] = true
		case strings.HasPrefix(r.SK, "INVITE#"):
			if r.AcceptedAt == 0 && time.Now().Before(r.ExpiresAt) {
				pending[r.ID] = true
			}
		}
	}
	if g == nil {
		t.Fatalf("the %s group is gone", f.kind)
	}
	// Settings never change (the matrix sends them back as they are).
	if g.Name != f.name || g.Handle != f.handle || g.Privacy != f.privacy || g.Flags != f.flags {
		t.Fatalf("settings of the %s group changed: %+v", f.kind, *g)
	}
	if g.JoinNonce != f.nonce {
		w.refreshJoinLink(f)
		f.nonce = g.JoinNonce
	}
	// A deleted group (in its grace period) is restored (#16).
	if g.DeletingAt != nil {
		if _, err := w.a.Groups.Restore(ctxO, f.id); err != nil {
			t.Fatalf("restore %s: undelete: %v", f.kind, err)
		}
		fixed = append(fixed, "undeleted")
	}

	// Memberships.
	want := w.baselineRoles()
	for uid := range have {
		if _, ok := want[uid]; !ok {
			if err := w.a.Groups.RemoveMember(ctxO, f.id, uid); err != nil {
				t.Fatalf("restore %s: remove %s: %v", f.kind, uid, err)
			}
			fixed = append(fixed, "removed "+w.byID(uid).key)
		}
	}
	for uid, role := range want {
		p := w.byID(uid)
		if have[uid] == authz.RoleNone {
			w.joinVia(p, f)
			have[uid] = authz.RoleMember
			fixed = append(fixed, "re-added "+p.key)
		}
		if have[uid] != role {
			if _, err := w.a.Groups.SetRole(ctxO, f.id, uid, role); err != nil {
				t.Fatalf("restore %s: role of %s: %v", f.kind, p.key, err)
			}
			fixed = append(fixed, "role of "+p.key)
		}
	}

	// Requests: R's only.
	for uid := range requests {
		if uid == w.people["R"].id {
			continue
		}
		if err := w.a.Groups.DenyRequest(ctxO, f.id, uid); err != nil {
			t.Fatal(err)
		}
		fixed = append(fixed, "denied request of "+w.byID(uid).key)
	}
	if !requests[w.people["R"].id] {
		w.requestAsR(f)
		fixed = append(fixed, "request of R")
	}

	// Invitations.
	if f.inviteID == "" || !pending[f.inviteID] {
		res := w.invite(f, w.people["N"].email)
		f.inviteID = res.Invitation.ID
		f.invite = w.box.Find(t, w.people["N"].email, inviteLinkRe)
		if !strings.HasPrefix(f.invite, f.id+"."+f.inviteID+".") {
			t.Fatalf("invitation token %q is not for %s", f.invite, f.inviteID)
		}
		fixed = append(fixed, "invitation of N")
	}
	if f.resendID == "" || !pending[f.resendID] {
		f.resendID = w.invite(f, w.email("resend")).Invitation.ID
		fixed = append(fixed, "invitation to resend")
	}
	if f.revokeID == "" || !pending[f.revokeID] {
		f.revokeID = w.invite(f, w.email("revoke")).Invitation.ID
		fixed = append(fixed, "invitation to revoke")
	}
	return fixed
}

func (w *world) invite(f *fixture, addr string) group.InviteResult {
	w.t.Helper()
	res, err := w.mintGrp.Invite(w.people["O"].ctx, f.id, group.InviteInput{Emails: []string{addr}})
	if err != nil || len(res) != 1 || res[0].Invitation == nil {
		w.t.Fatalf("invite %s to %s: %v %+v", addr, f.kind, err, res)
	}
	return res[0]
}

// requestAsR files R's membership request. Requests exist only for closed
// groups, so an open or secret group is closed for the moment it takes.
func (w *world) requestAsR(f *fixture) {
	t := w.t
	t.Helper()
	ctxO := w.people["O"].ctx
	setPrivacy := func(p authz.Privacy) {
		g, err := w.a.Groups.Get(ctxO, f.id)
		if err != nil {
			t.Fatal(err)
		}
		s := string(p)
		if _, err := w.a.Groups.Update(ctxO, f.id, group.UpdateInput{Version: g.Version, Privacy: &s}); err != nil {
			t.Fatal(err)
		}
	}
	if f.privacy != authz.Closed {
		setPrivacy(authz.Closed)
	}
	if err := w.a.Groups.RequestMembership(w.people["R"].ctx, f.id, "please let me in"); err != nil {
		t.Fatalf("request of R to %s: %v", f.kind, err)
	}
	if f.privacy != authz.Closed {
		setPrivacy(f.privacy)
	}
}

// ---- requests ----

// call is one HTTP request of a case.
type call struct {
	method, path string
	json         string     // API body
	form         url.Values // page body
	// upload is a page body's file ("archive"), sent as multipart/form-data.
	upload []byte
	// capability is the group whose invitation or join-link token is in the
	// path: its name may be shown to whoever holds the token.
	capability *fixture
}

type sent struct {
	code     int
	location string
	body     string
}

// send serves c through the application's handler as the actor: a session
// cookie (with same-origin browser headers) or a bearer token.
func (w *world) send(c call, act *actor, cookie string, hdr map[string]string) sent {
	w.t.Helper()
	var body io.Reader = http.NoBody
	ctype := ""
	switch {
	case c.json != "":
		body, ctype = strings.NewReader(c.json), "application/json"
	case c.upload != nil:
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, _ := mw.CreateFormFile("archive", "export.zip")
		_, _ = fw.Write(c.upload)
		_ = mw.Close()
		body, ctype = &b, mw.FormDataContentType()
	case c.form != nil:
		body, ctype = strings.NewReader(c.form.Encode()), "application/x-www-form-urlencoded"
	}
	r := httptest.NewRequest(c.method, c.path, body)
	r.RemoteAddr = w.uniqueIP() + ":40000"
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	if strings.HasPrefix(c.path, "/api/") || c.path == "/healthz" {
		r.Header.Set("Accept", "application/json")
	} else {
		r.Header.Set("Accept", "text/html")
	}
	switch {
	case act != nil && act.bot:
		r.Header.Set("Authorization", "Bearer "+act.bearer)
	default:
		// A browser: same-origin fetch metadata, and the cookie when signed in.
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		if cookie != "" {
			r.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: cookie})
		}
	}
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, r)
	return sent{code: rec.Code, location: rec.Header().Get("Location"), body: rec.Body.String()}
}

// Outcome letters of the matrix.
const (
	allowed  = 'A' // 2xx, or 3xx anywhere but the sign-in page
	signIn   = 'S' // 401, or a redirect to /login?next=
	denied   = 'F' // 403
	hidden   = 'H' // 404
	conflict = 'C' // 409
)

func classify(s sent) byte {
	switch {
	case s.code >= 200 && s.code < 300:
		return allowed
	case s.code >= 300 && s.code < 400:
		if strings.HasPrefix(s.location, "/login?next=") {
			return signIn
		}
		return allowed
	case s.code == 401:
		return signIn
	case s.code == 403:
		return denied
	case s.code == 404:
		return hidden
	case s.code == 409:
		return conflict
	case s.code == 400:
		return 'V'
	case s.code == 410:
		return 'G'
	case s.code == 429:
		return 'R'
	case s.code >= 500:
		return 'E'
	}
	return '?'
}
