package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

// testLogWriter sends server logs to the test log (shown on failure).
type testLogWriter struct{ t *testing.T }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// testPeople is the harnesses' people directory (testkit.Directory: the
// account service as the group and discussion cores see it).
type testPeople = testkit.Directory

// groupHarness serves the group routes with the actor named by the test
// header X-Test-User (the accounts engineer's middleware does this for real
// from cookies and tokens).
type groupHarness struct {
	t      *testing.T
	env    *testcloud.Env
	h      http.Handler
	people *testPeople
	tag    string
	audit  *audit.Service
	// fan expands the fan-out jobs requests leave (the stream's consumer
	// in a deployment); drain runs them.
	fan *notify.Fanouts
}

// drain expands every pending fan-out job now, as the stream's consumer
// would within seconds (the scheduler's sweep with its clock ahead).
func (g *groupHarness) drain() {
	g.t.Helper()
	if _, err := g.fan.Sweep(context.Background(), time.Now().Add(time.Hour), 1000); err != nil {
		g.t.Fatal(err)
	}
}

func newGroupHarness(t *testing.T) *groupHarness {
	t.Helper()
	return newHarness(t, harness{routes: func(s *Server) []Route { return s.groupRoutes() }})
}

func (g *groupHarness) user(name string) string {
	_, p := g.people.User(name, g.tag)
	return p.ID
}

func (g *groupHarness) email(uid string) string {
	p, _ := g.people.Get(uid)
	return p.Email
}

func (g *groupHarness) do(as, method, path, body string, hdr ...string) *httptest.ResponseRecorder {
	g.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		if strings.HasPrefix(path, "/api/") {
			req.Header.Set("Content-Type", "application/json")
		} else {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if as != "" {
		req.Header.Set("X-Test-User", as)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	g.h.ServeHTTP(rec, req)
	return rec
}

func (g *groupHarness) json(rec *httptest.ResponseRecorder, want int, out any) {
	g.t.Helper()
	if rec.Code != want {
		g.t.Fatalf("status %d, want %d: %s", rec.Code, want, rec.Body)
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			g.t.Fatalf("decode %s: %v", rec.Body, err)
		}
	}
}

func (g *groupHarness) createGroup(as, name, privacy string) group.Group {
	g.t.Helper()
	var out group.Group
	body, _ := json.Marshal(map[string]string{"name": name, "privacy": privacy})
	g.json(g.do(as, "POST", "/api/v1/groups", string(body)), 201, &out)
	return out
}

func TestGroupRoutesDeclareAccess(t *testing.T) {
	s := &Server{}
	seen := map[string]bool{}
	for _, rt := range s.groupRoutes() {
		if rt.Access == "" || rt.Handler == nil || seen[rt.Pattern] {
			t.Errorf("route %q: access %q, duplicate %v", rt.Pattern, rt.Access, seen[rt.Pattern])
		}
		seen[rt.Pattern] = true
		path := strings.SplitN(rt.Pattern, " ", 2)[1]
		if strings.HasPrefix(path, "/api/") == rt.Page {
			t.Errorf("route %q: Page=%v", rt.Pattern, rt.Page)
		}
		// State-changing pages need a session; API writes a token or session.
		method := strings.SplitN(rt.Pattern, " ", 2)[0]
		if method != "GET" && rt.Access == Public {
			t.Errorf("route %q changes state but is public", rt.Pattern)
		}
	}
}

func TestGroupAPIFlow(t *testing.T) {
	g := newGroupHarness(t)
	alice, bob, eve := g.user("Alice"), g.user("Bob"), g.user("Eve")

	grp := g.createGroup(alice, "Garden "+g.tag, "closed")
	if grp.MyRole != authz.RoleAdmin || grp.Version != 1 {
		t.Fatalf("created %+v", grp)
	}
	var got group.Group
	g.json(g.do("", "GET", "/api/v1/groups/"+grp.ID, ""), 200, &got)
	if got.Name != grp.Name || got.MyRole != "" || got.Can("group.settings.edit") {
		t.Fatalf("anonymous view %+v", got)
	}
	// Members list: anonymous 401 with a Bearer challenge, outsider 403.
	rec := g.do("", "GET", "/api/v1/groups/"+grp.ID+"/members", "")
	if rec.Code != 401 || rec.Header().Get("WWW-Authenticate") == "" || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("anonymous members: %d %v", rec.Code, rec.Header())
	}
	g.json(g.do(eve, "GET", "/api/v1/groups/"+grp.ID+"/members", ""), 403, nil)

	// Invite → email → accept.
	var inv struct{ Items []group.InviteResult }
	g.json(g.do(alice, "POST", "/api/v1/groups/"+grp.ID+"/invitations", `{"emails":["`+g.email(bob)+`"],"message":"hi"}`), 201, &inv)
	if len(inv.Items) != 1 || inv.Items[0].Status != "invited" {
		t.Fatalf("invite %+v", inv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msg, err := mail.Emulator{URL: g.env.Config.SESEndpoint}.WaitFor(ctx, g.email(bob), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`/invitations/([A-Za-z0-9._-]+)`).FindStringSubmatch(msg.Body.Text)
	if m == nil || !strings.Contains(msg.Body.HTML, m[1]) {
		t.Fatalf("no link in %q", msg.Body.Text)
	}
	token := m[1]
	var preview group.InvitationPreview
	g.json(g.do("", "GET", "/api/v1/invitations/"+token, ""), 200, &preview)
	if preview.Group.Name != grp.Name || strings.Contains(preview.Email, "bob.") {
		t.Fatalf("preview %+v", preview)
	}
	g.json(g.do(eve, "POST", "/api/v1/invitations/"+token+"/accept", ""), 403, nil)
	g.json(g.do("", "POST", "/api/v1/invitations/"+token+"/accept", ""), 401, nil)
	g.json(g.do(bob, "POST", "/api/v1/invitations/"+token+"/accept", ""), 200, &got)
	if got.MyRole != authz.RoleMember || *got.MemberCount != 2 {
		t.Fatalf("accepted %+v", got)
	}
	g.json(g.do(bob, "POST", "/api/v1/invitations/"+token+"/accept", ""), 410, nil)
	g.json(g.do(bob, "POST", "/api/v1/invitations/"+token[:len(token)-3]+"abc/accept", ""), 404, nil)

	// Roles and the last admin.
	g.json(g.do(alice, "PATCH", "/api/v1/groups/"+grp.ID+"/members/"+alice, `{"role":"member"}`), 409, nil)
	g.json(g.do(bob, "PATCH", "/api/v1/groups/"+grp.ID+"/members/"+bob, `{"role":"admin"}`), 403, nil)
	var mem group.Member
	g.json(g.do(alice, "PATCH", "/api/v1/groups/"+grp.ID+"/members/"+bob, `{"role":"admin"}`), 200, &mem)
	if mem.Role != authz.RoleAdmin {
		t.Fatalf("promote %+v", mem)
	}

	// Settings with optimistic concurrency.
	g.json(g.do(alice, "PATCH", "/api/v1/groups/"+grp.ID, `{"version":1,"name":"Renamed","permissions":{"members_can_start_polls":false}}`), 200, &got)
	if got.Name != "Renamed" || got.Version != 2 || got.Permissions.MembersCanStartPolls {
		t.Fatalf("update %+v", got)
	}
	g.json(g.do(bob, "PATCH", "/api/v1/groups/"+grp.ID, `{"version":1,"name":"Mine"}`), 409, nil)

	// Join link and requests.
	var link struct{ URL string }
	g.json(g.do(alice, "GET", "/api/v1/groups/"+grp.ID+"/join-link", ""), 200, &link)
	g.json(g.do(eve, "POST", "/api/v1/groups/"+grp.ID+"/requests", `{"message":"me too"}`), 201, nil)
	var reqs struct{ Items []group.Request }
	g.json(g.do(alice, "GET", "/api/v1/groups/"+grp.ID+"/requests", ""), 200, &reqs)
	if len(reqs.Items) != 1 || reqs.Items[0].UserID != eve {
		t.Fatalf("requests %+v", reqs)
	}
	g.json(g.do(alice, "POST", "/api/v1/groups/"+grp.ID+"/requests/"+eve+"/deny", ""), 204, nil)
	g.json(g.do(alice, "POST", "/api/v1/groups/"+grp.ID+"/requests/"+eve+"/approve", ""), 404, nil)
	u, _ := url.Parse(link.URL)
	g.json(g.do(eve, "POST", "/api/v1/join/"+strings.TrimPrefix(u.Path, "/join/"), ""), 200, &got)
	var members struct {
		Items []group.Member
		Next  string
	}
	g.json(g.do(alice, "GET", "/api/v1/groups/"+grp.ID+"/members?limit=2", ""), 200, &members)
	if len(members.Items) != 2 || members.Next == "" || members.Items[0].Email == "" {
		t.Fatalf("members page %+v", members)
	}
	g.json(g.do(alice, "GET", "/api/v1/groups/"+grp.ID+"/members?limit=2&cursor="+url.QueryEscape(members.Next), ""), 200, &members)
	if len(members.Items) != 1 {
		t.Fatalf("second page %+v", members)
	}
	g.json(g.do(eve, "POST", "/api/v1/groups/"+grp.ID+"/leave", ""), 204, nil)
	g.json(g.do(alice, "DELETE", "/api/v1/groups/"+grp.ID+"/members/"+bob, ""), 204, nil)

	var mine struct{ Items []group.Group }
	g.json(g.do(alice, "GET", "/api/v1/groups", ""), 200, &mine)
	if len(mine.Items) != 1 || *mine.Items[0].MemberCount != 1 {
		t.Fatalf("mine %+v", mine)
	}
}

// Bad input is a 4xx with a problem body, never a 500.
func TestGroupAPIBadInput(t *testing.T) {
	g := newGroupHarness(t)
	alice := g.user("Alice")
	grp := g.createGroup(alice, "Input "+g.tag, "open")
	cases := []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/api/v1/groups", `{"name":"x","admin":true}`, 400},
		{"POST", "/api/v1/groups", "{\"name\":\"\xff\"}", 400},
		{"POST", "/api/v1/groups", `{"name":""}`, 400},
		{"POST", "/api/v1/groups", `{"name":"x","handle":"NOT VALID"}`, 400},
		{"POST", "/api/v1/groups", `{"name":"x","privacy":"public"}`, 400},
		{"POST", "/api/v1/groups", `{"name":"` + strings.Repeat("n", 2<<20) + `"}`, 413},
		{"POST", "/api/v1/groups", `[]`, 400},
		{"POST", "/api/v1/groups", `{"name":"x","parent_id":"../../x"}`, 404},
		{"PATCH", "/api/v1/groups/" + grp.ID, `{"name":"x"}`, 400},
		{"PATCH", "/api/v1/groups/" + grp.ID, `{"version":"one"}`, 400},
		{"PATCH", "/api/v1/groups/" + grp.ID + "/members/" + alice, `{"role":"owner"}`, 400},
		{"POST", "/api/v1/groups/" + grp.ID + "/invitations", `{"emails":["nope"]}`, 400},
		{"POST", "/api/v1/groups/" + grp.ID + "/invitations", `{"emails":"a@b.c"}`, 400},
		{"GET", "/api/v1/groups/" + grp.ID + "/members?limit=0", "", 400},
		{"GET", "/api/v1/groups/" + grp.ID + "/members?limit=abc", "", 400},
		{"GET", "/api/v1/groups/" + grp.ID + "/members?cursor=forged.cursor", "", 400},
		{"GET", "/api/v1/groups/%00", "", 404},
		{"GET", "/api/v1/invitations/" + strings.Repeat("x", 300), "", 404},
		{"GET", "/api/v1/invitations/a.b.c", "", 404},
		{"POST", "/api/v1/join/" + grp.ID + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "", 404},
		{"DELETE", "/api/v1/groups/" + grp.ID + "/invitations/nope", "", 404},
	}
	for _, c := range cases {
		rec := g.do(alice, c.method, c.path, c.body)
		if rec.Code != c.want || rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s: %d %s, want %d", c.method, c.path, rec.Code, rec.Body.String()[:min(200, rec.Body.Len())], c.want)
		}
	}
}

// A secret group is indistinguishable from a missing one on every group
// route, for anonymous visitors, signed-in outsiders and their bots: the
// same status and never its name or member count.
func TestSecretGroupNeverLeaksOverHTTP(t *testing.T) {
	g := newGroupHarness(t)
	alice, eve := g.user("Alice"), g.user("Eve")
	grp := g.createGroup(alice, "Hush "+g.tag, "secret")
	s := &Server{}
	for _, rt := range s.groupRoutes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if !strings.Contains(path, "{id}") {
			continue
		}
		for _, id := range []string{grp.ID, "missing" + g.tag} {
			p := strings.NewReplacer("{id}", id, "{uid}", alice, "{iid}", "inv1").Replace(path)
			body := ""
			if method != "GET" && method != "DELETE" {
				if rt.Page {
					body = "x=1"
				} else {
					body = "{}"
				}
			}
			for _, as := range []string{"", eve} {
				rec := g.do(as, method, p, body, "Accept", "text/html")
				if rec.Code != 404 && !(rt.Page && rec.Code == 303 && as == "") {
					t.Errorf("%s %s as %q: %d", method, p, as, rec.Code)
				}
				if strings.Contains(rec.Body.String(), "Hush") {
					t.Errorf("%s %s as %q leaks the name", method, p, as)
				}
			}
		}
	}
}

func TestGroupPages(t *testing.T) {
	g := newGroupHarness(t)
	alice, bob := g.user("Alice"), g.user("Bob")

	rec := g.do(alice, "GET", "/groups/new", "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `<label for="name">`) {
		t.Fatalf("new page %d", rec.Code)
	}
	// Invalid form: re-rendered with errors next to fields and an alert summary.
	rec = g.do(alice, "POST", "/groups", "name=&handle=Bad+Handle&privacy=closed")
	body := rec.Body.String()
	if rec.Code != 400 || !strings.Contains(body, `role="alert"`) || !strings.Contains(body, `id="name-error"`) || !strings.Contains(body, `id="handle-error"`) {
		t.Fatalf("invalid form %d %s", rec.Code, body)
	}
	rec = g.do(alice, "POST", "/groups", "name=%FF%FE")
	if rec.Code != 400 {
		t.Fatalf("invalid UTF-8 form: %d", rec.Code)
	}
	rec = g.do(alice, "POST", "/groups", "name=Choir+"+g.tag+"&privacy=open&description=We+sing")
	if rec.Code != 303 || !strings.HasPrefix(rec.Header().Get("Location"), "/groups/") {
		t.Fatalf("create: %d %v", rec.Code, rec.Header())
	}
	loc := rec.Header().Get("Location")
	id := strings.TrimPrefix(strings.Split(loc, "?")[0], "/groups/")
	rec = g.do(alice, "GET", loc, "")
	body = rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, "Choir "+g.tag) || !strings.Contains(body, "Your group is ready") || !strings.Contains(body, "/settings") {
		t.Fatalf("group page %d %s", rec.Code, body)
	}
	// Bob sees a join button and joins.
	rec = g.do(bob, "GET", "/groups/"+id, "")
	if !strings.Contains(rec.Body.String(), `action="/groups/`+id+`/join"`) || strings.Contains(rec.Body.String(), "/settings") {
		t.Fatalf("bob's view %s", rec.Body)
	}
	if rec = g.do(bob, "POST", "/groups/"+id+"/join", ""); rec.Code != 303 {
		t.Fatalf("join %d", rec.Code)
	}
	// Every page renders.
	for _, p := range []string{"/groups", "/groups/" + id, "/groups/" + id + "/members", "/groups/" + id + "/invitations",
		"/groups/" + id + "/requests", "/groups/" + id + "/settings", "/groups/new?parent=" + id} {
		if rec := g.do(alice, "GET", p, ""); rec.Code != 200 || !strings.Contains(rec.Body.String(), "<main") {
			t.Errorf("GET %s: %d %s", p, rec.Code, rec.Body)
		}
	}
	if rec := g.do(bob, "GET", "/groups/"+id+"/settings", ""); rec.Code != 403 {
		t.Errorf("member settings page: %d", rec.Code)
	}
	// The invitations page offers inviting as admin to whoever may change
	// roles (the core's capability), not to a member who may only invite.
	if rec := g.do(alice, "GET", "/groups/"+id+"/invitations", ""); !strings.Contains(rec.Body.String(), `<select id="role"`) {
		t.Errorf("admin's invitations page has no role choice")
	}
	if rec := g.do(bob, "GET", "/groups/"+id+"/invitations", ""); rec.Code != 200 || strings.Contains(rec.Body.String(), `<select id="role"`) {
		t.Errorf("member's invitations page: %d, role choice shown: %v", rec.Code, strings.Contains(rec.Body.String(), `<select id="role"`))
	}
	// Settings: turn off starting polls; stale version is a conflict shown on the form.
	rec = g.do(alice, "POST", "/groups/"+id+"/settings", "version=1&name=Choir&handle=choir-"+g.tag+"&privacy=open&members_can_start_threads=1")
	if rec.Code != 303 {
		t.Fatalf("settings: %d %s", rec.Code, rec.Body)
	}
	var got group.Group
	g.json(g.do(bob, "GET", "/api/v1/groups/"+id, ""), 200, &got)
	if got.Can("poll.start") || !got.Can("thread.start") || got.Name != "Choir" {
		t.Fatalf("member after flag change: %+v", got.Actions)
	}
	rec = g.do(alice, "POST", "/groups/"+id+"/settings", "version=1&name=Again&handle=choir-"+g.tag+"&privacy=open")
	if rec.Code != 409 || !strings.Contains(rec.Body.String(), `role="alert"`) {
		t.Fatalf("stale settings: %d", rec.Code)
	}
	// Invite from the page; the last admin cannot demote themselves.
	rec = g.do(alice, "POST", "/groups/"+id+"/invitations", "emails=carol."+g.tag+"%40example.org%2C+not-an-email&role=member")
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "emails-error") {
		t.Fatalf("bad invite form: %d", rec.Code)
	}
	// Post/Redirect/Get: the invitations page the redirect leads to says
	// what happened to each address (carried by the once cookie, never the
	// URL), once.
	rec = g.do(alice, "POST", "/groups/"+id+"/invitations", "emails=carol."+g.tag+"%40example.org&role=member")
	var once *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == httpx.OnceCookie {
			once = c
		}
	}
	loc = rec.Header().Get("Location")
	if rec.Code != 303 || loc != "/groups/"+id+"/invitations?done=invited" || once == nil || !once.HttpOnly || strings.Contains(loc, "carol") {
		t.Fatalf("invite form: %d %q %+v", rec.Code, loc, once)
	}
	rec = g.do(alice, "GET", loc, "", "Cookie", once.Name+"="+once.Value)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "carol."+g.tag+"@example.org</bdi>: invitation sent") {
		t.Fatalf("the invitations page after the redirect: %d %s", rec.Code, rec.Body)
	}
	if rec = g.do(alice, "GET", loc, ""); strings.Contains(rec.Body.String(), "</bdi>: invitation sent") {
		t.Fatalf("the results shown again without the cookie")
	}
	rec = g.do(alice, "POST", "/groups/"+id+"/members/"+alice+"/role", "role=member")
	if rec.Code != 409 || !strings.Contains(rec.Body.String(), "at least one admin") {
		t.Fatalf("last admin: %d", rec.Code)
	}
	// Join link page for an anonymous visitor links to sign-in and back.
	var link struct{ URL string }
	g.json(g.do(alice, "GET", "/api/v1/groups/"+id+"/join-link", ""), 200, &link)
	u, _ := url.Parse(link.URL)
	rec = g.do("", "GET", u.Path, "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "/login?next="+url.QueryEscape(u.Path)) {
		t.Fatalf("join page: %d %s", rec.Code, rec.Body)
	}
	rec = g.do("", "GET", "/invitations/not.a.token", "")
	if rec.Code != 404 {
		t.Fatalf("bad invitation page: %d", rec.Code)
	}
	// Anonymous on a session page is sent to sign in.
	if rec := g.do("", "GET", "/groups", ""); rec.Code != 303 || !strings.HasPrefix(rec.Header().Get("Location"), "/login?next=") {
		t.Fatalf("anonymous list: %d", rec.Code)
	}
}
