package server_test

// Tests of the held inbound mail pages and API (routes_inbox.go) on the
// real application (qapp.NewAPI on the local cloud): held items are made
// by the application's own inbox service from real messages.

import (
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/render/rendertest"
	"github.com/quorum-app/quorum/internal/replyaddr"

	qapp "github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/inbound"
	"github.com/quorum-app/quorum/internal/inbox"
	"github.com/quorum-app/quorum/internal/server"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
	"github.com/quorum-app/quorum/internal/web"
)

type inbPerson struct {
	id, email, name, cookie string
	ctx                     context.Context
}

// inbEnv: the application, and a closed group of Olga (admin) with Milo
// and Nina as members and a thread of Olga's.
type inbEnv struct {
	t          *testing.T
	a          *qapp.API
	h          http.Handler
	tag        string
	olga, milo *inbPerson
	nina       *inbPerson
	gid        string
	handle     string
	tid        string
}

func newInbEnv(t *testing.T) *inbEnv {
	t.Helper()
	env := testcloud.Fast(t)
	a, err := qapp.NewAPIWith(context.Background(), env.Config, env.Clients, logging.New(io.Discard, "error"))
	if err != nil {
		t.Fatal(err)
	}
	e := &inbEnv{t: t, a: a, h: a.Handler(), tag: env.Prefix}
	e.olga, e.milo, e.nina = e.person("Olga"), e.person("Milo"), e.person("Nina")
	e.handle = "mailgarden-" + strings.ToLower(e.tag)
	g, err := a.Groups.Create(e.olga.ctx, group.CreateInput{Name: "Mail garden " + e.tag, Handle: e.handle, Privacy: "closed"})
	if err != nil {
		t.Fatal(err)
	}
	e.gid, e.handle = g.ID, g.Handle
	link, err := a.Groups.JoinLink(e.olga.ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	tok := link[strings.LastIndex(link, "/join/")+len("/join/"):]
	for _, p := range []*inbPerson{e.milo, e.nina} {
		if _, err := a.Groups.JoinViaLink(p.ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	th, err := a.Discussions.StartThread(e.olga.ctx, discussion.StartInput{GroupID: e.gid, Title: "Spring planting"})
	if err != nil {
		t.Fatal(err)
	}
	e.tid = th.ID
	return e
}

func (e *inbEnv) person(name string) *inbPerson {
	e.t.Helper()
	p := testkit.NewPerson(e.t, e.a.Accounts, name)
	return &inbPerson{id: p.ID, email: p.Email, name: name, cookie: p.Session, ctx: p.Ctx}
}

type inbResp struct {
	code     int
	body     string
	location string
}

// do sends a request as p (nil: anonymous) from a same-origin browser:
// a form for pages, JSON for /api/.
func (e *inbEnv) do(p *inbPerson, method, path string, form url.Values) inbResp {
	e.t.Helper()
	var rd io.Reader = http.NoBody
	r := httptest.NewRequest(method, path, rd)
	if form != nil {
		r = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if strings.HasPrefix(path, "/api/") {
		r.Header.Set("Accept", "application/json")
	} else {
		r.Header.Set("Accept", "text/html")
	}
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	if p != nil {
		r.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: p.cookie})
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, r)
	if rec.Code >= 500 {
		e.t.Errorf("%s %s: %d %s", method, path, rec.Code, rec.Body.String())
	}
	return inbResp{code: rec.Code, body: rec.Body.String(), location: rec.Header().Get("Location")}
}

func (e *inbEnv) must(r inbResp, want int, what string) inbResp {
	e.t.Helper()
	if r.code != want {
		e.t.Fatalf("%s: status %d, want %d: %.800s", what, r.code, want, r.body)
	}
	return r
}

func inbEML(from, to, subject, body string) []byte {
	return []byte(fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: Mon, 23 Nov 2026 18:40:10 +0000\r\n"+
		"Message-ID: <%d@mail.example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		from, to, subject, time.Now().UnixNano(), strings.ReplaceAll(body, "\n", "\r\n")))
}

// heldReply holds a reply of p to the thread: its From is p's own
// address, but its SPF/DKIM/DMARC fail.
func (e *inbEnv) heldReply(p *inbPerson, subject, body string) string {
	e.t.Helper()
	to, err := replyaddr.NewTokens(e.a.Config.SigningKey, e.a.Config.MailDomain).Mint(replyaddr.Token{UserID: p.id,
		Kind: replyaddr.KindThread, ThreadID: e.tid, Expires: time.Now().Add(7 * 24 * time.Hour)})
	if err != nil {
		e.t.Fatal(err)
	}
	out, err := e.a.Inbox.Inject(context.Background(), inbEML(p.email, to, subject, body), []string{to}, inbox.FailingVerdicts())
	if err != nil || out.Result != inbox.HeldMail || out.HeldID == "" {
		e.t.Fatalf("reply not held: %+v %v", out, err)
	}
	return out.HeldID
}

// toGroup delivers mail to the group's address.
func (e *inbEnv) toGroup(from, subject, body string, v inbound.Verdicts) inbox.Outcome {
	e.t.Helper()
	to := e.handle + "@" + e.a.Inbox.Domain()
	out, err := e.a.Inbox.Inject(context.Background(), inbEML(from, to, subject, body), []string{to}, v)
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *inbEnv) comments() []discussion.Item {
	e.t.Helper()
	pg, err := e.a.Discussions.Page(e.olga.ctx, e.tid, "", 0)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []discussion.Item
	for _, it := range pg.Items {
		if it.Kind == discussion.KindComment {
			out = append(out, it)
		}
	}
	return out
}

var inbRequestID = regexp.MustCompile(`[0-9a-f]{24}`)

// The confirmation page shows the held reply to its user only; confirming
// posts it once, however often it is clicked.
func TestHeldReplyConfirmOnce(t *testing.T) {
	e := newInbEnv(t)
	hid := e.heldReply(e.milo, "Re: Spring planting", "Let's plant **beans**.\n\nMilo")
	path := "/mail/held/" + hid

	// Signed out: the normal sign-in redirect, back to the page.
	r := e.must(e.do(nil, "GET", path, nil), http.StatusSeeOther, "anonymous GET")
	if r.location != "/login?next="+url.QueryEscape(path) {
		t.Fatalf("anonymous GET redirects to %q", r.location)
	}

	// Its user sees what was received and why it was held.
	r = e.must(e.do(e.milo, "GET", path, nil), 200, "owner GET")
	for _, want := range []string{e.milo.email, "Re: Spring planting", "Spring planting", "<strong>beans</strong>",
		`action="/mail/held/` + hid + `/confirm"`, `action="/mail/held/` + hid + `/discard"`, "Why it was held", "/threads/" + e.tid} {
		if !strings.Contains(r.body, want) {
			t.Errorf("held page lacks %q", want)
		}
	}

	// Anyone else, and a missing or malformed id: the same 404 page.
	for _, p := range []*inbPerson{e.nina, e.olga} {
		missing := e.must(e.do(p, "GET", "/mail/held/"+strings.Repeat("a", 24), nil), 404, "missing id")
		if bad := e.do(p, "GET", "/mail/held/not-an-id", nil); bad.code != 404 {
			t.Errorf("malformed id: %d", bad.code)
		}
		other := e.must(e.do(p, "GET", path, nil), 404, "non-owner GET")
		if inbRequestID.ReplaceAllString(other.body, "") != inbRequestID.ReplaceAllString(missing.body, "") {
			t.Errorf("a held item of someone else answers differently from a missing one:\n%s\n---\n%s", other.body, missing.body)
		}
		if strings.Contains(other.body, "beans") || strings.Contains(other.body, e.milo.email) {
			t.Error("the 404 page shows the held message")
		}
		e.must(e.do(p, "POST", path+"/confirm", url.Values{}), 404, "non-owner confirm")
		e.must(e.do(p, "POST", path+"/discard", url.Values{}), 404, "non-owner discard")
	}
	e.must(e.do(e.nina, "GET", "/api/v1/mail/held/"+hid, nil), 404, "non-owner API GET")
	if n := len(e.comments()); n != 0 {
		t.Fatalf("%d comments before confirmation", n)
	}

	// Confirm: posted, to the thread; a second click posts nothing more.
	r = e.must(e.do(e.milo, "POST", path+"/confirm", url.Values{}), http.StatusSeeOther, "confirm")
	if !strings.HasPrefix(r.location, "/threads/"+e.tid+"?comment=") || !strings.Contains(r.location, "&done=commented#c-") {
		t.Errorf("confirm redirects to %q", r.location)
	}
	r = e.must(e.do(e.milo, "POST", path+"/confirm", url.Values{}), http.StatusSeeOther, "second confirm")
	if r.location != path+"?done=gone" {
		t.Errorf("second confirm redirects to %q", r.location)
	}
	e.must(e.do(e.milo, "POST", "/api/v1/mail/held/"+hid+"/confirm", nil), http.StatusConflict, "API confirm after")
	cs := e.comments()
	if len(cs) != 1 || cs[0].ActorID != e.milo.id || !strings.Contains(cs[0].Body, "beans") {
		t.Fatalf("after confirming twice: %+v", cs)
	}
	r = e.must(e.do(e.milo, "GET", path+"?done=gone", nil), 200, "GET after")
	if !strings.Contains(r.body, "This email was posted") || strings.Contains(r.body, "/confirm\"") {
		t.Errorf("the page of a posted message: %.600s", r.body)
	}
}

// Discarding posts nothing, and a discarded message cannot be confirmed.
func TestHeldReplyDiscard(t *testing.T) {
	e := newInbEnv(t)
	hid := e.heldReply(e.milo, "Re: Spring planting", "Forged?")
	r := e.must(e.do(e.milo, "POST", "/mail/held/"+hid+"/discard", url.Values{}), http.StatusSeeOther, "discard")
	if r.location != "/mail/held/"+hid+"?done=discarded" {
		t.Fatalf("discard redirects to %q", r.location)
	}
	r = e.must(e.do(e.milo, "GET", r.location, nil), 200, "after discard")
	if !strings.Contains(r.body, "was discarded") {
		t.Errorf("discarded page: %.500s", r.body)
	}
	e.must(e.do(e.milo, "POST", "/mail/held/"+hid+"/confirm", url.Values{}), http.StatusSeeOther, "confirm after discard")
	if n := len(e.comments()); n != 0 {
		t.Fatalf("a discarded message was posted (%d comments)", n)
	}

	// The API: a token-less JSON client with the session works the same way.
	hid = e.heldReply(e.milo, "Re: Spring planting", "By API")
	r = e.must(e.do(e.milo, "GET", "/api/v1/mail/held/"+hid, nil), 200, "API GET")
	if !strings.Contains(r.body, `"status":"pending"`) || !strings.Contains(r.body, `"text":"By API"`) {
		t.Errorf("API held: %s", r.body)
	}
	e.must(e.do(e.milo, "POST", "/api/v1/mail/held/"+hid+"/discard", nil), http.StatusNoContent, "API discard")
	e.must(e.do(e.milo, "POST", "/api/v1/mail/held/"+hid+"/discard", nil), http.StatusConflict, "API discard again")
}

// Admins allow held group mail, remembering the address as a member's:
// it is posted as that member, and their later authenticated mail from
// the address starts threads directly.
func TestGroupHeldAllowWithAlias(t *testing.T) {
	e := newInbEnv(t)
	alt := fmt.Sprintf("milo.private-%s@elsewhere.example", e.tag)
	out := e.toGroup("Milo <"+alt+">", "Seed swap", "Who has tomato seeds?", inbox.PassingVerdicts())
	if out.Result != inbox.HeldMail {
		t.Fatalf("mail from an unknown address: %+v", out)
	}
	list := "/groups/" + e.gid + "/held-mail"

	// Members who are not admins are refused like on the settings page.
	settings := e.do(e.milo, "GET", "/groups/"+e.gid+"/settings", nil)
	r := e.do(e.milo, "GET", list, nil)
	if r.code != settings.code || r.code != http.StatusForbidden {
		t.Fatalf("member: held mail %d, settings %d", r.code, settings.code)
	}
	e.must(e.do(e.milo, "POST", list+"/"+out.HeldID+"/allow", url.Values{}), http.StatusForbidden, "member allows")

	// The admin sees it, with the group's address and a member picker.
	r = e.must(e.do(e.olga, "GET", list, nil), 200, "admin list")
	for _, want := range []string{e.handle + "@" + e.a.Inbox.Domain(), "Seed swap", alt, "Who has tomato seeds?",
		`action="` + list + "/" + out.HeldID + `/allow"`, `<option value="` + e.milo.id + `">`, `/block"`, `/discard"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("held mail page lacks %q", want)
		}
	}
	// The settings page links to it.
	if s := e.must(e.do(e.olga, "GET", "/groups/"+e.gid+"/settings", nil), 200, "settings"); !strings.Contains(s.body, `href="`+list+`"`) {
		t.Error("the settings page does not link to the held mail")
	}

	r = e.must(e.do(e.olga, "POST", list+"/"+out.HeldID+"/allow", url.Values{"alias": {e.milo.id}}), http.StatusSeeOther, "allow")
	if r.location != list+"?done=allowed" {
		t.Fatalf("allow redirects to %q", r.location)
	}
	threads, err := e.a.Discussions.Threads(e.olga.ctx, e.gid, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	posted := false
	for _, th := range threads.Items {
		if th.Title == "Seed swap" {
			posted = th.AuthorID == e.milo.id
		}
	}
	if !posted {
		t.Fatalf("the allowed mail is not a thread of Milo's: %+v", threads.Items)
	}
	r = e.must(e.do(e.olga, "GET", list, nil), 200, "list after")
	if strings.Contains(r.body, "Who has tomato seeds?") || !strings.Contains(r.body, "Belongs to Milo") {
		t.Errorf("after allow: %.1500s", r.body)
	}
	// Milo's later mail from the address (authenticated) is his.
	if out := e.toGroup(alt, "Seed swap 2", "More seeds", inbox.PassingVerdicts()); out.Result != inbox.Started {
		t.Fatalf("mail from the remembered address: %+v", out)
	}

	// An alias must be a member.
	out = e.toGroup(fmt.Sprintf("x-%s@elsewhere.example", e.tag), "Hi", "Hi", inbox.PassingVerdicts())
	r = e.must(e.do(e.olga, "POST", list+"/"+out.HeldID+"/allow", url.Values{"alias": {"notamember"}}), http.StatusBadRequest, "alias of a stranger")
	if !strings.Contains(r.body, "must be a member") {
		t.Errorf("alias error: %.500s", r.body)
	}
}

// Blocking drops the held message and later mail from the address;
// removing the block lets it be held again. The API answers the same.
func TestGroupHeldBlock(t *testing.T) {
	e := newInbEnv(t)
	spam := fmt.Sprintf("spam-%s@elsewhere.example", e.tag)
	first := e.toGroup(spam, "Cheap pills", "Buy now", inbox.PassingVerdicts())
	second := e.toGroup(spam, "Cheap pills again", "Buy now", inbox.PassingVerdicts())
	list := "/groups/" + e.gid + "/held-mail"
	r := e.must(e.do(e.olga, "POST", list+"/"+first.HeldID+"/block", url.Values{}), http.StatusSeeOther, "block")
	if r.location != list+"?done=blocked" {
		t.Fatalf("block redirects to %q", r.location)
	}
	r = e.must(e.do(e.olga, "GET", "/api/v1/groups/"+e.gid+"/held-mail", nil), 200, "API list")
	if strings.Contains(r.body, second.HeldID) {
		t.Errorf("the sender's other held mail is still listed: %s", r.body)
	}
	if out := e.toGroup(spam, "Pills", "Buy", inbox.PassingVerdicts()); out.Result != inbox.Dropped {
		t.Fatalf("mail from a blocked sender: %+v", out)
	}
	r = e.must(e.do(e.olga, "GET", "/api/v1/groups/"+e.gid+"/held-mail/senders", nil), 200, "API senders")
	m := regexp.MustCompile(`"id":"(block-[0-9a-f]{64})","kind":"block","address":"` + regexp.QuoteMeta(spam) + `"`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("senders: %s", r.body)
	}
	e.must(e.do(e.milo, "DELETE", "/api/v1/groups/"+e.gid+"/held-mail/senders/"+m[1], nil), http.StatusForbidden, "member unblocks")
	e.must(e.do(e.olga, "DELETE", "/api/v1/groups/"+e.gid+"/held-mail/senders/"+m[1], nil), http.StatusNoContent, "unblock")
	e.must(e.do(e.olga, "DELETE", "/api/v1/groups/"+e.gid+"/held-mail/senders/"+m[1], nil), http.StatusNotFound, "unblock again")
	third := e.toGroup(spam, "Pills", "Buy", inbox.PassingVerdicts())
	if third.Result != inbox.HeldMail {
		t.Fatalf("after unblocking: %+v", third)
	}
	// Discard through the API: gone from the list, the sender not blocked.
	e.must(e.do(e.olga, "POST", "/api/v1/groups/"+e.gid+"/held-mail/"+third.HeldID+"/discard", nil), http.StatusNoContent, "API discard")
	e.must(e.do(e.olga, "POST", "/api/v1/groups/"+e.gid+"/held-mail/"+third.HeldID+"/block", nil), http.StatusConflict, "block after discard")
	if out := e.toGroup(spam, "Pills", "Buy", inbox.PassingVerdicts()); out.Result != inbox.HeldMail {
		t.Fatalf("a discard blocked the sender: %+v", out)
	}
}

// What a sender wrote is inert on the pages: the subject, the claimed name
// and the text come from the corpus of filter-evasion payloads.
func TestHeldMailEscapesSenderText(t *testing.T) {
	e := newInbEnv(t)
	payloads := rendertest.XSSCorpus(t)
	if len(payloads) < 5 {
		t.Fatalf("corpus: %d payloads", len(payloads))
	}
	img := "<img src=x onerror=alert(1)>"
	found := false
	for _, p := range payloads {
		found = found || p == img
	}
	if !found {
		t.Fatalf("the corpus lacks %q", img)
	}
	body := strings.Join(payloads[:5], "\n\n") + "\n\n" + img
	hid := e.heldReply(e.milo, "<script>alert('subject')</script>", body)
	group := e.toGroup(fmt.Sprintf("\"<svg/onload=alert(1)>\" <evil-%s@elsewhere.example>", e.tag), img, body, inbox.PassingVerdicts())
	for _, c := range []struct {
		who  *inbPerson
		path string
	}{{e.milo, "/mail/held/" + hid}, {e.olga, "/groups/" + e.gid + "/held-mail"}} {
		r := e.must(e.do(c.who, "GET", c.path, nil), 200, c.path)
		for _, bad := range []string{"<script>alert", "<img", "<svg", "<iframe", "<object", "<body onload", "<math", `href="javascript:`} {
			if strings.Contains(strings.ToLower(r.body), strings.ToLower(bad)) {
				t.Errorf("%s shows %q unescaped", c.path, bad)
			}
		}
		if !strings.Contains(r.body, "&lt;script&gt;alert") && !strings.Contains(r.body, "&lt;img src=x onerror=alert(1)&gt;") {
			t.Errorf("%s does not show the escaped text", c.path)
		}
		// No inline script or style: the CSP forbids them.
		for _, inline := range []string{"<script>", " style=", "<style"} {
			if strings.Contains(r.body, inline) {
				t.Errorf("%s has inline %q", c.path, inline)
			}
		}
	}
	if group.Result != inbox.HeldMail {
		t.Fatalf("group mail: %+v", group)
	}
}

// The templates of these pages carry no inline script, style or event handler.
func TestInboxTemplatesCSPSafe(t *testing.T) {
	inline := regexp.MustCompile(`(?i)<script|<style|\sstyle=|\son[a-z]+=|javascript:`)
	for _, name := range []string{"held_reply.html", "group_held_mail.html", "dev_mail.html"} {
		raw, err := os.ReadFile(filepath.Join("..", "web", "templates", name))
		if err != nil {
			t.Fatal(err)
		}
		if m := inline.Find(raw); m != nil {
			t.Errorf("%s: inline %q", name, m)
		}
	}
}

// /dev/mail delivers a raw message on a local installation; in the cloud
// the route does not exist.
func TestDevMailOnlyLocal(t *testing.T) {
	e := newInbEnv(t)
	if !e.a.Config.Local() {
		t.Fatal("the test configuration is expected to be local")
	}
	r := e.must(e.do(e.olga, "GET", "/dev/mail", nil), 200, "local GET")
	if !strings.Contains(r.body, `enctype="multipart/form-data"`) || !strings.Contains(r.body, `<label for="verdicts"`) {
		t.Errorf("dev page: %.600s", r.body)
	}
	if r := e.do(nil, "GET", "/dev/mail", nil); r.code != http.StatusSeeOther || !strings.HasPrefix(r.location, "/login?next=") {
		t.Errorf("anonymous: %d %s", r.code, r.location)
	}

	// Upload a file to the group's address with failing verdicts: held for the admins.
	var buf strings.Builder
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "hello.eml")
	_, _ = fw.Write(inbEML(e.milo.email, e.handle+"@"+e.a.Inbox.Domain(), "Dev hello", "From the dev page"))
	_ = mw.WriteField("verdicts", "fail")
	_ = mw.Close()
	req := httptest.NewRequest("POST", "/dev/mail", strings.NewReader(buf.String()))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: e.olga.cookie})
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Outcome: held") || !strings.Contains(rec.Body.String(), "/groups/"+e.gid+"/held-mail") {
		t.Fatalf("upload: %d %.1500s", rec.Code, rec.Body.String())
	}
	// Pasted, to a thread's reply address with passing verdicts: posted.
	to, err := replyaddr.NewTokens(e.a.Config.SigningKey, e.a.Config.MailDomain).Mint(replyaddr.Token{UserID: e.milo.id,
		Kind: replyaddr.KindThread, ThreadID: e.tid, Expires: time.Now().Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	r = e.must(e.do(e.olga, "POST", "/dev/mail", url.Values{"eml": {string(inbEML(e.milo.email, "x@example.org", "Re", "Pasted reply"))}, "to": {to}}), 200, "paste")
	if !strings.Contains(r.body, "Outcome: posted") {
		t.Errorf("paste: %.1500s", r.body)
	}
	e.must(e.do(e.olga, "POST", "/dev/mail", url.Values{"eml": {""}}), http.StatusBadRequest, "empty")

	// The cloud: the same service, no route.
	wr, err := web.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	cloud, err := server.New(server.Deps{Web: wr, Accounts: e.a.Accounts, Groups: e.a.Groups, Inbox: e.a.Inbox, Local: false})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"GET", "POST"} {
		req := httptest.NewRequest(m, "/dev/mail", strings.NewReader("eml=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: e.olga.cookie})
		rec := httptest.NewRecorder()
		cloud.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotFound {
			t.Errorf("cloud %s /dev/mail: %d", m, rec.Code)
		}
	}
	for _, rt := range cloud.Routes() {
		if strings.Contains(rt.Pattern, "/dev/") {
			t.Errorf("cloud route %s", rt.Pattern)
		}
	}
}

// The group's settings page names the group's full email address, isolated
// from the page's direction (<bdi>: Arabic pages run right to left).
func TestGroupSettingsShowsMailAddress(t *testing.T) {
	e := newInbEnv(t)
	r := e.must(e.do(e.olga, "GET", "/groups/"+e.gid+"/settings", nil), 200, "settings")
	want := e.handle + "@" + e.a.Inbox.Domain()
	if !strings.Contains(r.body, "<strong><bdi>"+want+"</bdi></strong>") {
		t.Errorf("settings page does not show %s", want)
	}
}
