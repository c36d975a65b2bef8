package server

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/mail"
)

// mailDiscPeople adapts the test people to discussion.People with their
// addresses (accepting an invitation compares them).
type mailDiscPeople struct{ p *testPeople }

func (d mailDiscPeople) UserByID(ctx context.Context, id string) (discussion.Person, error) {
	v, err := d.p.UserByID(ctx, id)
	return discussion.Person{ID: v.ID, Name: v.Name, Email: v.Email}, err
}

func (d mailDiscPeople) UserIDByEmail(ctx context.Context, email string) (string, bool, error) {
	return d.p.UserIDByEmail(ctx, email)
}

// newGuestHarness is the discussion harness with email invitations (the
// SES emulator).
func newGuestHarness(t *testing.T) *groupHarness {
	t.Helper()
	return newHarness(t, harness{guestMail: true, routes: func(s *Server) []Route { return append(s.groupRoutes(), s.discussionRoutes()...) }})
}

var threadInviteRe = regexp.MustCompile(`/thread-invitations/([A-Za-z0-9._-]+)`)

// guestInvitation waits for the invitation email to addr and returns it with its token.
func (g *groupHarness) guestInvitation(addr string) (mail.StoredMessage, string) {
	g.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msg, err := mail.Emulator{URL: g.env.Config.SESEndpoint}.WaitFor(ctx, addr, func(m mail.StoredMessage) bool {
		return threadInviteRe.MatchString(m.Body.Text)
	})
	if err != nil {
		g.t.Fatal(err)
	}
	return msg, threadInviteRe.FindStringSubmatch(msg.Body.Text)[1]
}

func (g *groupHarness) expect(rec interface{ Result() *http.Response }, body string, want int, has ...string) {
	g.t.Helper()
	code := rec.Result().StatusCode
	if code != want {
		g.t.Fatalf("status %d, want %d: %s", code, want, body)
	}
	for _, h := range has {
		if !strings.Contains(body, h) {
			g.t.Fatalf("%q missing from:\n%s", h, body)
		}
	}
}

func TestThreadGuestPages(t *testing.T) {
	g := newGuestHarness(t)
	alice, bob, eve := g.user("Alice"), g.user("Bob"), g.user("Eve")
	grp := g.createGroup(alice, "Choir "+g.tag, "secret")
	th := g.startThread(alice, grp.ID, "Rehearsals", "When?")
	form := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	page := func(as, path string, want int, has ...string) string {
		t.Helper()
		rec := g.do(as, "GET", path, "")
		g.expect(rec, rec.Body.String(), want, has...)
		return rec.Body.String()
	}
	post := func(as, path, body string, want int) string {
		t.Helper()
		if body == "" {
			body = "x=1" // a form, even without fields
		}
		rec := g.do(as, "POST", path, body)
		g.expect(rec, rec.Body.String(), want)
		return rec.Header().Get("Location")
	}

	// The thread page links the guest list for those who may add guests.
	page(alice, "/threads/"+th.ID, 200, `href="/threads/`+th.ID+`/guests"`, `action="/threads/`+th.ID+`/guests/invite"`)

	// Invite an address without an account, from the form.
	addr := "newcomer." + g.tag + "@example.org"
	loc := post(alice, "/threads/"+th.ID+"/guests/invite", form("email", addr), 303)
	if loc != "/threads/"+th.ID+"/guests?done=invited" {
		t.Fatalf("invite redirect %q", loc)
	}
	_, token := g.guestInvitation(addr)
	page(alice, loc, 200, "The invitation was emailed", addr, "Revoke the invitation to "+addr, "No guests yet.")
	// A malformed address is shown next to the field.
	page(alice, "/threads/"+th.ID+"/guests", 200)
	rec := g.do(alice, "POST", "/threads/"+th.ID+"/guests/invite", form("email", "nope"))
	g.expect(rec, rec.Body.String(), 400, "is not an email address", `aria-invalid="true"`)

	// Only those who may add guests see the list: an outsider of the secret
	// group gets 404, and so does anonymous (this harness skips the Session
	// check that sends them to sign in first; the matrix covers it).
	page(eve, "/threads/"+th.ID+"/guests", 404)
	if rec := g.do("", "GET", "/threads/"+th.ID+"/guests", ""); rec.Code != 404 || strings.Contains(rec.Body.String(), addr) {
		t.Fatalf("anonymous guest list: %d", rec.Code)
	}

	// The invitation page: signed out, it offers sign-in and sign-up and comes back.
	body := page("", "/thread-invitations/"+token, 200, "Rehearsals", "Alice", "/login?next=", "/signup?next=")
	if strings.Contains(body, "Choir "+g.tag) || strings.Contains(body, addr) {
		t.Fatalf("the invitation page names the secret group or the full address:\n%s", body)
	}
	// Someone else signed in: refused with the reason.
	page(bob, "/thread-invitations/"+token, 200, "signed in with another email address")
	rec = g.do(bob, "POST", "/thread-invitations/"+token+"/accept", "x=1")
	g.expect(rec, rec.Body.String(), 403, "sign in with the invited address")

	// The invitee signs up and accepts: to the thread; a second click goes there too.
	newcomer := "unewcomer" + g.tag
	g.people.Add(group.Person{ID: newcomer, Name: "Newcomer", Email: addr})
	page(newcomer, "/thread-invitations/"+token, 200, "Accept and open the thread")
	if loc := post(newcomer, "/thread-invitations/"+token+"/accept", "", 303); loc != "/threads/"+th.ID {
		t.Fatalf("accept redirect %q", loc)
	}
	post(newcomer, "/thread-invitations/"+token+"/accept", "", 303)
	page(newcomer, "/threads/"+th.ID, 200, "Rehearsals")
	page("", "/thread-invitations/"+token, 410)

	// The guest does not see the guest list; the admin sees the guest and removes them.
	page(newcomer, "/threads/"+th.ID+"/guests", 403)
	page(alice, "/threads/"+th.ID+"/guests", 200, "Newcomer", "Remove Newcomer", "No pending invitations.")
	loc = post(alice, "/threads/"+th.ID+"/guests/"+newcomer+"/remove", "", 303)
	page(alice, loc, 200, "The guest was removed", "No guests yet.")
	page(newcomer, "/threads/"+th.ID, 404)

	// Revoke from the list.
	addr2 := "other." + g.tag + "@example.org"
	var res discussion.GuestInviteResult
	g.json(g.do(alice, "POST", "/api/v1/threads/"+th.ID+"/guests/invitations", `{"email":"`+addr2+`"}`), 201, &res)
	if res.Status != "invited" || res.Invitation == nil {
		t.Fatalf("API invite %+v", res)
	}
	loc = post(alice, "/threads/"+th.ID+"/guests/invitations/"+res.Invitation.ID+"/revoke", "", 303)
	page(alice, loc, 200, "The invitation was revoked", "No pending invitations.")
	post(eve, "/threads/"+th.ID+"/guests/invitations/"+res.Invitation.ID+"/revoke", "", 404)
}

func TestThreadGuestAPI(t *testing.T) {
	g := newGuestHarness(t)
	alice, bob, eve := g.user("Alice"), g.user("Bob"), g.user("Eve")
	grp := g.createGroup(alice, "Band "+g.tag, "closed")
	th := g.startThread(alice, grp.ID, "Gigs", "")

	// An address with an account is added; one without is invited; again: resent.
	var res discussion.GuestInviteResult
	g.json(g.do(alice, "POST", "/api/v1/threads/"+th.ID+"/guests/invitations", `{"email":"`+g.email(bob)+`"}`), 201, &res)
	if res.Status != "added" || res.UserID != bob {
		t.Fatalf("add %+v", res)
	}
	addr := "fan." + g.tag + "@example.org"
	g.json(g.do(alice, "POST", "/api/v1/threads/"+th.ID+"/guests/invitations", `{"email":"`+addr+`"}`), 201, &res)
	if res.Status != "invited" {
		t.Fatalf("invite %+v", res)
	}
	g.json(g.do(alice, "POST", "/api/v1/threads/"+th.ID+"/guests/invitations", `{"email":"`+addr+`"}`), 200, &res)
	if res.Status != "resent" {
		t.Fatalf("resend %+v", res)
	}
	g.json(g.do(eve, "POST", "/api/v1/threads/"+th.ID+"/guests/invitations", `{"email":"x.`+g.tag+`@example.org"}`), 403, nil)
	g.json(g.do("", "POST", "/api/v1/threads/"+th.ID+"/guests/invitations", `{"email":"x@example.org"}`), 401, nil)

	var guests struct{ Items []discussion.Guest }
	g.json(g.do(alice, "GET", "/api/v1/threads/"+th.ID+"/guests", ""), 200, &guests)
	if len(guests.Items) != 1 || guests.Items[0].Name != "Bob" {
		t.Fatalf("guests %+v", guests)
	}
	g.json(g.do(bob, "GET", "/api/v1/threads/"+th.ID+"/guests", ""), 403, nil)
	var invs struct{ Items []discussion.GuestInvitation }
	g.json(g.do(alice, "GET", "/api/v1/threads/"+th.ID+"/guests/invitations", ""), 200, &invs)
	if len(invs.Items) != 1 || invs.Items[0].Email != addr || invs.Items[0].SentCount != 2 {
		t.Fatalf("invitations %+v", invs)
	}

	// Preview (anyone with the token) and accept (the invited address only).
	_, token := g.guestInvitation(addr)
	var p discussion.GuestInvitationPreview
	rec := g.do("", "GET", "/api/v1/thread-invitations/"+token, "")
	g.json(rec, 200, &p)
	if p.ThreadTitle != "Gigs" || p.GroupName != grp.Name || p.InviterName != "Alice" {
		t.Fatalf("preview %+v", p)
	}
	g.json(g.do("", "POST", "/api/v1/thread-invitations/"+token+"/accept", ""), 401, nil)
	g.json(g.do(eve, "POST", "/api/v1/thread-invitations/"+token+"/accept", ""), 403, nil)
	fan := g.user("Fan")
	g.people.Update(fan, func(p *group.Person) { p.Email = addr })
	var got struct{ Thread discussion.Thread }
	g.json(g.do(fan, "POST", "/api/v1/thread-invitations/"+token+"/accept", ""), 200, &got)
	if got.Thread.ID != th.ID {
		t.Fatalf("accepted %+v", got)
	}
	g.json(g.do(fan, "POST", "/api/v1/thread-invitations/"+token+"/accept", ""), 410, nil)
	g.json(g.do(fan, "GET", "/api/v1/threads/"+th.ID, ""), 200, nil)

	// Revoke.
	addr2 := "late." + g.tag + "@example.org"
	g.json(g.do(alice, "POST", "/api/v1/threads/"+th.ID+"/guests/invitations", `{"email":"`+addr2+`"}`), 201, &res)
	rec = g.do(alice, "DELETE", "/api/v1/threads/"+th.ID+"/guests/invitations/"+res.Invitation.ID, "")
	if rec.Code != 204 {
		t.Fatalf("revoke %d %s", rec.Code, rec.Body)
	}
	g.json(g.do(alice, "DELETE", "/api/v1/threads/"+th.ID+"/guests/invitations/"+res.Invitation.ID, ""), 404, nil)
	var prob map[string]any
	g.json(g.do("", "GET", "/api/v1/thread-invitations/nonsense", ""), 404, &prob)
}

// A hostile thread title is inert in the invitation email and pages.
func TestThreadGuestXSSTitle(t *testing.T) {
	g := newGuestHarness(t)
	alice := g.user("Alice")
	grp := g.createGroup(alice, "Open "+g.tag, "open")
	var title string
	for _, p := range xssCorpus(t) {
		if !strings.Contains(p, "\n") && len(title)+len(p) < 190 {
			title += p + " "
		}
	}
	th := g.startThread(alice, grp.ID, title, "")
	addr := "target." + g.tag + "@example.org"
	var res discussion.GuestInviteResult
	g.json(g.do(alice, "POST", "/api/v1/threads/"+th.ID+"/guests/invitations", `{"email":"`+addr+`"}`), 201, &res)
	msg, token := g.guestInvitation(addr)
	for name, h := range map[string]string{
		"email":           msg.Body.HTML,
		"invitation page": g.do("", "GET", "/thread-invitations/"+token, "").Body.String(),
		"guest list":      g.do(alice, "GET", "/threads/"+th.ID+"/guests", "").Body.String(),
	} {
		low := strings.ToLower(h)
		for _, bad := range []string{"<script>alert", "<img", "<svg", "<iframe", "<body onload"} {
			if strings.Contains(low, bad) {
				t.Fatalf("%s holds %s:\n%s", name, bad, h)
			}
		}
		if !strings.Contains(h, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Fatalf("%s does not show the escaped title:\n%s", name, h)
		}
	}
}
