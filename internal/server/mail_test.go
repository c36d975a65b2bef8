package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/account"
	qapp "github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/mailpref"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

// mailHarness is the whole application (internal/app, as the API function
// wires it) seen through its accounts and email preferences.
type mailHarness struct {
	*app
	prefs    *mailpref.Service
	accounts *account.Service
}

func newMailHarness(t *testing.T) *mailHarness {
	t.Helper()
	env := testcloud.Fast(t)
	logs := &syncBuffer{}
	a, err := qapp.NewAPIWith(context.Background(), env.Config, env.Clients, logging.New(logs, "debug"))
	if err != nil {
		t.Fatal(err)
	}
	return &mailHarness{app: &app{h: a.Server, srv: a.Server, emu: mail.Emulator{URL: env.Config.SESEndpoint}, logs: logs},
		prefs: a.MailPrefs, accounts: a.Accounts}
}

// person signs a new person in (a session minted by the account core) and returns their account and session cookie.
func (h *mailHarness) person(t *testing.T, name string) (*account.User, string) {
	t.Helper()
	p := testkit.NewPerson(t, h.accounts, name)
	return p.User, p.Session
}

func (h *mailHarness) route(t *testing.T, u *account.User, gid, tid string) mailpref.Route {
	t.Helper()
	r, err := h.prefs.Route(context.Background(), u.ID, u.Email, gid, tid)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// pathOf is the path of an absolute unsubscribe URL.
func pathOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Path == "" {
		t.Fatalf("bad link %q", link)
	}
	return u.Path
}

const oneClickBody = "List-Unsubscribe=One-Click"

// A mail provider's one-click POST: no session, no CSRF token, no Origin or
// Sec-Fetch-Site. The next notification is skipped; the GET before it
// changed nothing; undo brings it back.
func TestOneClickUnsubscribeWithoutSession(t *testing.T) {
	h := newMailHarness(t)
	u, _ := h.person(t, "Una")
	path := pathOf(t, h.prefs.UnsubscribeURL(u.ID, mailpref.Scope{Kind: "thread", ID: "thr1"}))

	// Link scanners prefetch: GET shows what would stop and changes nothing.
	for i := 0; i < 2; i++ {
		rec := h.do(req{method: "GET", path: path})
		body := rec.Body.String()
		if rec.Code != 200 || !strings.Contains(body, "email about this thread") || !strings.Contains(body, `action="`+path+`"`) ||
			!strings.Contains(body, `name="List-Unsubscribe" value="One-Click"`) {
			t.Fatalf("GET %s: %d %s", path, rec.Code, body)
		}
	}
	if r := h.route(t, u, "grp1", "thr1"); r.Action != mailpref.Send {
		t.Fatalf("GET unsubscribed: %+v", r)
	}

	rec := h.do(req{method: "POST", path: path, body: oneClickBody, ctype: "application/x-www-form-urlencoded"})
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, "You are unsubscribed") || !strings.Contains(body, `action="`+path+`/undo"`) ||
		!strings.Contains(body, `href="/settings/email-preferences"`) {
		t.Fatalf("one-click POST: %d %s", rec.Code, body)
	}
	if r := h.route(t, u, "grp1", "thr1"); r.Action != mailpref.Skip || r.Reason != mailpref.ReasonUnsubscribedThread {
		t.Fatalf("next notification after one-click: %+v", r)
	}
	if r := h.route(t, u, "grp1", "thr2"); r.Action != mailpref.Send {
		t.Fatalf("other threads must still send: %+v", r)
	}
	// Again (providers retry): still 200, still unsubscribed.
	if rec := h.do(req{method: "POST", path: path, body: oneClickBody, ctype: "application/x-www-form-urlencoded"}); rec.Code != 200 {
		t.Fatalf("second one-click POST: %d", rec.Code)
	}

	// Undo from the confirmation page (a same-origin browser form).
	// Post/Redirect/Get: the undo answers with the page that says so.
	rec = h.do(req{method: "POST", path: path + "/undo", headers: map[string]string{"Sec-Fetch-Site": "same-origin"}})
	if rec.Code != 303 || rec.Header().Get("Location") != path+"?done=resumed" {
		t.Fatalf("undo: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if rec = h.do(req{method: "GET", path: path + "?done=resumed"}); rec.Code != 200 || !strings.Contains(rec.Body.String(), "Email is back on") {
		t.Fatalf("the page after the undo: %d %s", rec.Code, rec.Body)
	}
	if r := h.route(t, u, "grp1", "thr1"); r.Action != mailpref.Send {
		t.Fatalf("after undo: %+v", r)
	}

	// RFC 8058 prefers multipart/form-data; that works too, for all mail.
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	_ = mw.WriteField("List-Unsubscribe", "One-Click")
	_ = mw.Close()
	allPath := pathOf(t, h.prefs.UnsubscribeURL(u.ID, mailpref.Scope{Kind: "all"}))
	rec = h.do(req{method: "POST", path: allPath, body: mp.String(), ctype: mw.FormDataContentType()})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "all email from Quorum") {
		t.Fatalf("multipart one-click: %d %s", rec.Code, rec.Body)
	}
	if r := h.route(t, u, "", ""); r.Reason != mailpref.ReasonUnsubscribedAll {
		t.Fatalf("after unsubscribing from all: %+v", r)
	}
}

// Cross-site behaviour, documented in routes_mail.go and
// docs/email-preferences.md: the one-click POST keeps the server's
// cross-origin protection. What mail providers send (no Origin, no
// Sec-Fetch-Site) and our own page's form (same-origin) pass; a browser
// POST from another site is refused with 403 and changes nothing, like on
// every other state-changing route; the undo and the settings forms too.
func TestUnsubscribeCrossSiteBehaviour(t *testing.T) {
	h := newMailHarness(t)
	u, cookie := h.person(t, "Cross")
	path := pathOf(t, h.prefs.UnsubscribeURL(u.ID, mailpref.Scope{Kind: "group", ID: "grp1"}))
	crossSite := map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://webmail.example"}
	post := func(p string, hdr map[string]string, cookie string) int {
		return h.do(req{method: "POST", path: p, body: oneClickBody, ctype: "application/x-www-form-urlencoded", headers: hdr, cookie: cookie}).Code
	}

	for name, hdr := range map[string]map[string]string{
		"cross-site fetch metadata":  {"Sec-Fetch-Site": "cross-site"},
		"foreign Origin only":        {"Origin": "https://webmail.example"},
		"cross-site with the cookie": crossSite,
	} {
		c := ""
		if name == "cross-site with the cookie" {
			c = cookie
		}
		if code := post(path, hdr, c); code != 403 {
			t.Fatalf("%s: one-click POST answered %d, want 403", name, code)
		}
	}
	if r := h.route(t, u, "grp1", ""); r.Action != mailpref.Send {
		t.Fatalf("a refused cross-site POST unsubscribed: %+v", r)
	}
	// Our own page's button (same-origin), and a user-initiated navigation.
	for _, site := range []string{"same-origin", "none"} {
		if code := post(path, map[string]string{"Sec-Fetch-Site": site}, ""); code != 200 {
			t.Fatalf("Sec-Fetch-Site %s: %d", site, code)
		}
	}
	if r := h.route(t, u, "grp1", ""); r.Reason != mailpref.ReasonUnsubscribedGroup {
		t.Fatalf("after the same-origin POST: %+v", r)
	}
	// The undo and the settings forms from another site: refused too.
	if code := post(path+"/undo", crossSite, ""); code != 403 {
		t.Fatalf("cross-site undo: %d", code)
	}
	for _, p := range []string{"/settings/email-preferences", "/settings/email-preferences/reset-reply-addresses",
		"/settings/email-preferences/resume-delivery", "/settings/email-preferences/opt-outs/group/grp1/enable"} {
		if code := post(p, crossSite, cookie); code != 403 {
			t.Fatalf("cross-site POST %s: %d", p, code)
		}
	}
	if r := h.route(t, u, "grp1", ""); r.Reason != mailpref.ReasonUnsubscribedGroup || r.KeyGeneration != 0 {
		t.Fatalf("cross-site posts changed something: %+v", r)
	}
	// The one-click POST ignores any session: it acts for the token's owner only.
	other, otherCookie := h.person(t, "Other")
	if code := post(path, nil, otherCookie); code != 200 {
		t.Fatalf("one-click with another session: %d", code)
	}
	if r := h.route(t, other, "grp1", ""); r.Action != mailpref.Send {
		t.Fatalf("the session's owner was unsubscribed: %+v", r)
	}
}

func TestInvalidUnsubscribeTokensAre404WithoutDetail(t *testing.T) {
	h := newMailHarness(t)
	u, _ := h.person(t, "Tamper")
	good := pathOf(t, h.prefs.UnsubscribeURL(u.ID, mailpref.Scope{Kind: "all"}))
	tok := strings.TrimPrefix(good, "/unsubscribe/")
	other, err := mailpref.New(mailpref.Config{Store: store.New(nil, "x", bytes.Repeat([]byte{1}, 32)), BaseURL: &url.URL{Scheme: "http", Host: "x"},
		SigningKey: bytes.Repeat([]byte{1}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	forged := pathOf(t, other.UnsubscribeURL(u.ID, mailpref.Scope{Kind: "all"}))
	for _, p := range []string{
		"/unsubscribe/" + tok[:len(tok)-2] + flipChar(tok[len(tok)-2]) + tok[len(tok)-1:],
		"/unsubscribe/" + strings.Replace(tok, u.ID, "someoneelse", 1),
		"/unsubscribe/garbage",
		forged,
	} {
		for _, m := range []string{"GET", "POST"} {
			rec := h.do(req{method: m, path: p, body: oneClickBody, ctype: "application/x-www-form-urlencoded"})
			body := rec.Body.String()
			if rec.Code != 404 || !strings.Contains(rec.Header().Get("Content-Type"), "text/html") {
				t.Fatalf("%s %s: %d %s", m, p, rec.Code, body)
			}
			if strings.Contains(body, u.ID) || strings.Contains(body, u.Email) || strings.Contains(body, "List-Unsubscribe") {
				t.Fatalf("%s %s: the 404 page leaks: %s", m, p, body)
			}
		}
	}
	if r := h.route(t, u, "", ""); r.Action != mailpref.Send {
		t.Fatalf("a rejected token changed something: %+v", r)
	}
}

func TestEmailPreferencesSettingsPage(t *testing.T) {
	h := newMailHarness(t)
	u, cookie := h.person(t, "Settings")
	same := map[string]string{"Sec-Fetch-Site": "same-origin"}
	form := func(path, body string) *httptest.ResponseRecorder {
		return h.do(req{method: "POST", path: path, cookie: cookie, body: body, ctype: "application/x-www-form-urlencoded", headers: same})
	}

	// Anonymous: sign in first; an API token is not a session.
	if rec := h.do(req{method: "GET", path: "/settings/email-preferences"}); rec.Code != 303 || !strings.HasPrefix(rec.Header().Get("Location"), "/login?next=") {
		t.Fatalf("anonymous settings: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	rec := h.do(req{method: "GET", path: "/settings/email-preferences", cookie: cookie})
	body := rec.Body.String()
	for _, want := range []string{"<legend>Notification email</legend>", `<label for="digest_hour">`, `<label for="time_zone">`,
		`value="immediate" aria-describedby="mode-immediate-hint" checked`, "Reset my reply addresses", "None. Every email"} {
		if !strings.Contains(body, want) {
			t.Fatalf("settings page lacks %q: %d %s", want, rec.Code, body)
		}
	}
	if strings.Contains(body, "We have stopped emailing") {
		t.Fatal("suppression notice without a suppression")
	}
	if rec := h.do(req{method: "GET", path: "/settings", cookie: cookie}); !strings.Contains(rec.Body.String(), `href="/settings/email-preferences"`) {
		t.Fatal("account settings do not link to email preferences")
	}

	// Invalid input: 400, the page again with each field's error.
	rec = form("/settings/email-preferences", "mode=hourly&digest_hour=25&time_zone=Mars%2FOlympus")
	body = rec.Body.String()
	if rec.Code != 400 || !strings.Contains(body, `id="mode-error"`) || !strings.Contains(body, `id="digest_hour-error"`) ||
		!strings.Contains(body, `id="time_zone-error"`) || !strings.Contains(body, `value="Mars/Olympus"`) {
		t.Fatalf("invalid form: %d %s", rec.Code, body)
	}
	rec = form("/settings/email-preferences", "mode=daily&digest_hour=7&time_zone=Europe%2FBerlin")
	if rec.Code != 303 || rec.Header().Get("Location") != "/settings/email-preferences?done=saved" {
		t.Fatalf("save: %d %s", rec.Code, rec.Body)
	}
	if r := h.route(t, u, "g", ""); r.Action != mailpref.Digest {
		t.Fatalf("after choosing daily: %+v", r)
	}
	rec = h.do(req{method: "GET", path: "/settings/email-preferences?done=saved", cookie: cookie})
	body = rec.Body.String()
	if !strings.Contains(body, "Your email preferences were saved.") || !strings.Contains(body, `<option value="7" selected>07:00</option>`) ||
		!strings.Contains(body, "Next digest:") || !strings.Contains(body, `value="Europe/Berlin"`) {
		t.Fatalf("saved page: %s", body)
	}

	// Scoped opt-outs are listed and re-enabled from here.
	if _, err := h.prefs.Unsubscribe(context.Background(), strings.TrimPrefix(pathOf(t, h.prefs.UnsubscribeURL(u.ID, mailpref.Scope{Kind: "thread", ID: "thr9"})), "/unsubscribe/")); err != nil {
		t.Fatal(err)
	}
	body = h.do(req{method: "GET", path: "/settings/email-preferences", cookie: cookie}).Body.String()
	if !strings.Contains(body, `action="/settings/email-preferences/opt-outs/thread/thr9/enable"`) {
		t.Fatalf("opt-out not listed: %s", body)
	}
	if rec := form("/settings/email-preferences/opt-outs/thread/thr9/enable", ""); rec.Code != 303 {
		t.Fatalf("enable: %d %s", rec.Code, rec.Body)
	}
	if r := h.route(t, u, "g", "thr9"); r.Action != mailpref.Digest {
		t.Fatalf("after re-enabling the thread: %+v", r)
	}

	// Reset reply addresses.
	if rec := form("/settings/email-preferences/reset-reply-addresses", ""); rec.Code != 303 {
		t.Fatalf("reset: %d %s", rec.Code, rec.Body)
	}
	if r := h.route(t, u, "", ""); r.KeyGeneration != 1 {
		t.Fatalf("after reset: %+v", r)
	}

	// Unsubscribed from all: the page says so and offers to resume.
	if _, err := h.prefs.Unsubscribe(context.Background(), strings.TrimPrefix(pathOf(t, h.prefs.UnsubscribeURL(u.ID, mailpref.Scope{Kind: "all"})), "/unsubscribe/")); err != nil {
		t.Fatal(err)
	}
	body = h.do(req{method: "GET", path: "/settings/email-preferences", cookie: cookie}).Body.String()
	if !strings.Contains(body, "You unsubscribed from all email") {
		t.Fatalf("all-off notice missing: %s", body)
	}
	if rec := form("/settings/email-preferences/resume-all", ""); rec.Code != 303 {
		t.Fatalf("resume all: %d", rec.Code)
	}
	if r := h.route(t, u, "", ""); r.Action == mailpref.Skip {
		t.Fatalf("after resuming: %+v", r)
	}
}

func TestSuppressionNoticeAndResume(t *testing.T) {
	h := newMailHarness(t)
	u, cookie := h.person(t, "Bounced")
	at := time.Date(2030, 5, 6, 7, 8, 0, 0, time.UTC)
	if err := h.prefs.Suppress(context.Background(), u.Email, mailpref.ReasonBounce, "fb", at); err != nil {
		t.Fatal(err)
	}
	body := h.do(req{method: "GET", path: "/settings/email-preferences", cookie: cookie}).Body.String()
	for _, want := range []string{"We have stopped emailing " + u.Email, "bounced", "6 May 2030, 07:08 UTC", `action="/settings/email-preferences/resume-delivery"`} {
		if !strings.Contains(body, want) {
			t.Fatalf("suppression notice lacks %q: %s", want, body)
		}
	}
	var p mailpref.Prefs
	rec := h.do(req{method: "GET", path: "/api/v1/me/email-preferences", cookie: cookie})
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Suppressed == nil || p.Suppressed.Reason != "bounce" {
		t.Fatalf("API: %d %s", rec.Code, rec.Body)
	}
	rec = h.do(req{method: "POST", path: "/settings/email-preferences/resume-delivery", cookie: cookie, headers: map[string]string{"Sec-Fetch-Site": "same-origin"}})
	if rec.Code != 303 {
		t.Fatalf("resume: %d %s", rec.Code, rec.Body)
	}
	if r := h.route(t, u, "", ""); r.Action != mailpref.Send {
		t.Fatalf("after resume: %+v", r)
	}
	body = h.do(req{method: "GET", path: "/settings/email-preferences?done=unsuppressed", cookie: cookie}).Body.String()
	if strings.Contains(body, "We have stopped emailing") || !strings.Contains(body, "We will try your address again") {
		t.Fatalf("after resume the page says: %s", body)
	}
}

func TestEmailPreferencesAPI(t *testing.T) {
	h := newMailHarness(t)
	u, cookie := h.person(t, "Api")
	if rec := h.do(req{method: "GET", path: "/api/v1/me/email-preferences"}); rec.Code != 401 {
		t.Fatalf("anonymous: %d", rec.Code)
	}
	var p mailpref.Prefs
	rec := h.do(req{method: "GET", path: "/api/v1/me/email-preferences", cookie: cookie})
	if err := json.Unmarshal(rec.Body.Bytes(), &p); rec.Code != 200 || err != nil || p.Mode != "immediate" || p.DigestHour != 8 || p.TimeZone != "UTC" || p.OptOuts == nil {
		t.Fatalf("GET: %d %s", rec.Code, rec.Body)
	}
	rec = h.do(req{method: "PUT", path: "/api/v1/me/email-preferences", cookie: cookie, body: `{"mode":"sometimes","digest_hour":-1,"time_zone":"Nowhere/Land"}`})
	var prob httpx.Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &prob); rec.Code != 400 || err != nil || rec.Header().Get("Content-Type") != "application/problem+json" || len(prob.Errors) != 3 {
		t.Fatalf("invalid PUT: %d %s", rec.Code, rec.Body)
	}
	if rec := h.do(req{method: "PUT", path: "/api/v1/me/email-preferences", cookie: cookie, body: `{"mode":"daily","colour":"blue"}`}); rec.Code != 400 ||
		!strings.Contains(rec.Body.String(), `"field":"colour"`) {
		t.Fatalf("unknown field: %d %s", rec.Code, rec.Body)
	}
	rec = h.do(req{method: "PUT", path: "/api/v1/me/email-preferences", cookie: cookie, body: `{"mode":"weekly","digest_hour":18,"time_zone":"America/Chicago"}`})
	if err := json.Unmarshal(rec.Body.Bytes(), &p); rec.Code != 200 || err != nil || p.Mode != "weekly" || p.DigestHour != 18 || !p.TimeZoneChosen || p.NextDigest == nil {
		t.Fatalf("PUT: %d %s", rec.Code, rec.Body)
	}
	if rec := h.do(req{method: "PUT", path: "/api/v1/me/email-preferences/opt-outs/group/grp7", cookie: cookie}); rec.Code != 204 {
		t.Fatalf("opt out: %d %s", rec.Code, rec.Body)
	}
	if r := h.route(t, u, "grp7", ""); r.Reason != mailpref.ReasonUnsubscribedGroup {
		t.Fatalf("after API opt-out: %+v", r)
	}
	if rec := h.do(req{method: "PUT", path: "/api/v1/me/email-preferences/opt-outs/all/x", cookie: cookie}); rec.Code != 404 {
		t.Fatalf("opt out of kind all: %d", rec.Code)
	}
	if rec := h.do(req{method: "DELETE", path: "/api/v1/me/email-preferences/opt-outs/group/grp7", cookie: cookie}); rec.Code != 204 {
		t.Fatalf("opt in: %d", rec.Code)
	}
	if r := h.route(t, u, "grp7", ""); r.Action != mailpref.Digest {
		t.Fatalf("after API opt-in: %+v", r)
	}
	// A personal API token may read and change preferences.
	ctx := h.actor(t, cookie)
	tok, err := h.accounts.CreateToken(ctx, "prefs bot")
	if err != nil {
		t.Fatal(err)
	}
	if rec := h.do(req{method: "PUT", path: "/api/v1/me/email-preferences", bearer: tok.Secret, body: `{"mode":"off"}`}); rec.Code != 200 {
		t.Fatalf("bot PUT: %d %s", rec.Code, rec.Body)
	}
	if r := h.route(t, u, "", ""); r.Reason != mailpref.ReasonOff {
		t.Fatalf("after bot turned mail off: %+v", r)
	}
	// ... but not the session-only settings forms.
	if rec := h.do(req{method: "POST", path: "/settings/email-preferences/resume-delivery", bearer: tok.Secret}); rec.Code != 403 {
		t.Fatalf("bot on a settings form: %d", rec.Code)
	}
}

func (h *mailHarness) actor(t *testing.T, cookie string) context.Context {
	t.Helper()
	a, err := h.accounts.AuthenticateSession(context.Background(), cookie)
	if err != nil {
		t.Fatal(err)
	}
	return authz.WithActor(context.Background(), a)
}

// flipChar returns a base64url character other than c.
func flipChar(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

// Post/Redirect/Get for the unsubscribe page's own buttons: a browser's
// navigation (Sec-Fetch-Mode: navigate) is answered with a 303 to the
// page, which says what was done, so a refresh does not post again; a
// mail client's one-click POST keeps its 200 (RFC 8058 forbids a
// redirect there, see the tests above).
func TestUnsubscribeButtonsRedirect(t *testing.T) {
	h := newMailHarness(t)
	u, _ := h.person(t, "Prg")
	path := pathOf(t, h.prefs.UnsubscribeURL(u.ID, mailpref.Scope{Kind: "all"}))
	nav := map[string]string{"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate"}
	rec := h.do(req{method: "POST", path: path, body: oneClickBody, ctype: "application/x-www-form-urlencoded", headers: nav})
	if rec.Code != 303 || rec.Header().Get("Location") != path+"?done=unsubscribed" {
		t.Fatalf("the page's unsubscribe button: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if r := h.route(t, u, "", ""); r.Reason != mailpref.ReasonUnsubscribedAll {
		t.Fatalf("after the button: %+v", r)
	}
	done := h.do(req{method: "GET", path: path + "?done=unsubscribed"})
	if done.Code != 200 || !strings.Contains(done.Body.String(), "all email from Quorum") || !strings.Contains(done.Body.String(), `action="`+path+`/undo"`) {
		t.Fatalf("the page after the redirect: %d %s", done.Code, done.Body)
	}
	rec = h.do(req{method: "POST", path: path + "/undo", ctype: "application/x-www-form-urlencoded", headers: nav})
	if rec.Code != 303 || rec.Header().Get("Location") != path+"?done=resumed" {
		t.Fatalf("undo: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if r := h.route(t, u, "", ""); r.Action != mailpref.Send {
		t.Fatalf("after the undo: %+v", r)
	}
	if again := h.do(req{method: "GET", path: path + "?done=resumed"}); again.Code != 200 {
		t.Fatalf("the page after the undo: %d", again.Code)
	}
}
