// Package e2e holds Quorum's browser tests: the real application (accounts,
// groups, pages) on the local cloud, driven through Debian's Chromium the way
// people use it, with keyboard-reachable, labelled controls only.
package e2e

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/stream"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

// browserParallel is how many browser tests run at once unless -parallel
// says otherwise. Each test has its own site (table, server) and its own
// browser contexts in the package's one Chromium, and spends much of its
// time waiting for pages (measured on the stand-ins: a serial run used
// under half a core of a 2-core machine), so more than GOMAXPROCS of them
// overlap well.
const browserParallel = 4

func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		_ = flag.Set("test.parallel", strconv.Itoa(browserParallel))
	}
	code := testcloud.Run(m)
	browsertest.StopShared()
	os.Exit(code)
}

// site is one running Quorum (own table) and the package's Chromium
// (browsertest.Shared: every person is a browser context of their own).
type site struct {
	t       *testing.T
	URL     string // http://localhost:<port>, where the __Host- cookie works
	prefix  string
	env     *testcloud.Env // the site's table, buckets and AWS clients
	mail    mail.Emulator
	browser *browsertest.Browser
	app     *app.API // the application the site serves

	mu      sync.Mutex
	seen    map[string]bool // emulator message ids already read
	audited []string        // pages audit checked
}

// newSite serves the whole application on localhost and starts a browser.
// The site's table is memdb with a stream, S3 and SES the in-memory doubles
// (testcloud.FastStream): what the browser tests prove is the product's
// pages, scripts and journeys, and the stores behind them are proven by
// their own suites (memdb's contract suite against DynamoDB Local, the
// doubles' tests in internal/testcloud). newRealSite serves it on the
// stand-ins for what only they show.
func newSite(t *testing.T) *site {
	t.Helper()
	skipShort(t)
	s, _ := serveSite(t, testcloud.FastStream(t))
	return s
}

// newRealSite is newSite on the local cloud's stand-ins (DynamoDB Local and
// its stream, versitygw, the SES emulator): for what the in-memory doubles
// do not do (the bucket's CORS rule as a browser meets it) and to keep one
// journey end to end on the real services.
func newRealSite(t *testing.T) *site {
	t.Helper()
	skipShort(t)
	s, _ := serveSite(t, testcloud.New(t))
	return s
}

// skipShort skips a browser test under -short (the fast tier, which starts
// no browser) before its site is built.
func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test (headless Chromium): runs in `make test`, not with -short")
	}
}

// serveSite serves the application on env and starts the fan-out behind
// its table's stream and a browser.
func serveSite(t *testing.T, env *testcloud.Env) (*site, *app.API) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	// Chrome keeps Secure cookies on http://localhost but not on
	// http://127.0.0.1, so the browser (and every emailed link) uses localhost.
	base := fmt.Sprintf("http://localhost:%d", port)
	cfg := env.Config
	cfg.BaseURL, _ = url.Parse(base)
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.NewAPIWith(context.Background(), cfg, env.Clients, log)
	if err != nil {
		t.Fatalf("build app: %v", err)
	}
	ts := httptest.NewUnstartedServer(a.Handler())
	ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	t.Cleanup(ts.Close)
	// The fan-out of notifications runs behind the table's stream, as
	// functions/mailer does in a deployment (and make dev locally): a new
	// thread or poll reaches the group within a second, not in its request.
	env.Follow(t, stream.New(nil, stream.Named{Name: "fanout", Consumer: notify.FanoutConsumer{Fanouts: a.Fanouts}}))
	return &site{t: t, URL: base, prefix: env.Prefix, env: env, mail: mail.Emulator{URL: env.Config.SESEndpoint},
		browser: browsertest.Shared(t), app: a, seen: map[string]bool{}}, a
}

// seesNotifications opens the person's notifications until they show
// wants: the fan-out runs beside the request, so it may take a moment
// (bounded: browsertest.StepTimeout).
func (p *person) seesNotifications(wants ...string) {
	p.t.Helper()
	p.seesAt("/notifications", wants...)
}

// seesAt opens path until it shows every want (what a fan-out job writes
// arrives within seconds of the request), for at most browsertest.StepTimeout.
func (p *person) seesAt(path string, wants ...string) {
	p.t.Helper()
	deadline := time.Now().Add(browsertest.StepTimeout)
	for {
		p.open(path)
		txt, all := p.Text(), true
		for _, w := range wants {
			all = all && strings.Contains(txt, w)
		}
		if all || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	p.sees(wants...)
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// email is a unique address for this run (the SES emulator is shared).
func (s *site) email(who string) string { return who + "-" + s.prefix + "@example.com" }

// person is one browser context: a separate person with their own cookies.
type person struct {
	*browsertest.Session
	t     *testing.T
	site  *site
	Email string
	Name  string
	seen  *observed
}

func (s *site) person(t *testing.T, who, name string) *person {
	p := &person{Session: s.browser.NewSession(t), t: t, site: s, Email: s.email(who), Name: name}
	p.watch()
	return p
}

// nextMail waits for a message to addr, not read before, whose text
// contains want, and marks it read.
func (s *site) nextMail(addr, want string) mail.StoredMessage {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), browsertest.StepTimeout)
	defer cancel()
	m, err := s.mail.WaitFor(ctx, addr, func(m mail.StoredMessage) bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return !s.seen[m.MessageID] && strings.Contains(m.Body.Text, want)
	})
	if err != nil {
		s.t.Fatalf("mail to %s containing %q: %v", addr, want, err)
	}
	s.mu.Lock()
	s.seen[m.MessageID] = true
	s.mu.Unlock()
	return m
}

var (
	codeRe = regexp.MustCompile(`Your code: ([0-9]{6})`)
	linkRe = regexp.MustCompile(`https?://[^\s"<>]+`)
)

// loginCode reads the 6-digit code from the newest sign-in email.
func (s *site) loginCode(addr string) (code, link string) {
	s.t.Helper()
	m := s.nextMail(addr, "Your code:")
	c := codeRe.FindStringSubmatch(m.Body.Text)
	if c == nil {
		s.t.Fatalf("no code in the sign-in email: %q", m.Body.Text)
	}
	return c[1], s.linkIn(m, "/login/verify")
}

// linkIn returns the first link in the message's text whose path starts
// with path; it must point at this site.
func (s *site) linkIn(m mail.StoredMessage, path string) string {
	s.t.Helper()
	for _, l := range linkRe.FindAllString(m.Body.Text, -1) {
		if strings.HasPrefix(l, s.URL+path) {
			return l
		}
	}
	s.t.Fatalf("no %s%s link in the email %q: %q", s.URL, path, m.Subject, m.Body.Text)
	return ""
}

// ---- browser steps ----

// open navigates and waits for the page to load, returning the status.
func (p *person) open(path string) int64 {
	p.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = p.site.URL + path
	}
	resp := browsertest.Get(p.Session, "open "+path, chromedp.NavigateResponse(u))
	if resp == nil {
		return 0
	}
	return resp.Status
}

// press clicks the element and waits for the page it leads to; it returns
// the HTTP status of that page (0 when there was no new document).
func (p *person) press(step string, sel chromedp.CSS) int64 {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, browsertest.StepTimeout)
	defer cancel()
	name := browsertest.Get(p.Session, "read the control's name", chromedp.Evaluate[string](fmt.Sprintf(`(e => e ? e.name || "" : "")(document.querySelector(%q))`, string(sel))))
	mark := p.seen.docMark()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(sel))
	if err != nil {
		u, _ := chromedp.Run(p.Ctx, chromedp.Location())
		p.t.Fatalf("%s: %v (at %s)", step, err, u)
	}
	p.checkPRG(step, mark, resp, name)
	return status(resp)
}

// checkPRG fails the test when the press since mark sent a form (a POST
// of the page itself) whose answer is a page rather than a redirect to
// one: Post/Redirect/Get everywhere, so that a refresh, Back or a shared
// link never sends the form again. The one exception is a 4xx answer:
// the form shown again with its errors, where nothing was written, so
// that a refresh sending it again is harmless (it fails the same way).
// The other exception is a draft control (draftControls): a button that
// saves nothing and brings the form back as typed, one step further (a
// poll form's preview, a vote-share row added, a ranked option moved
// without JavaScript); a refresh sends the same draft again and changes
// nothing, and a redirect would have to carry the whole draft in the URL.
// submitter is the name of the control pressed.
func (p *person) checkPRG(step string, mark int, resp *network.Response, submitter string) {
	p.t.Helper()
	if resp == nil || draftControls[submitter] { // no new document (a script's fetch, a download)
		return
	}
	docs := p.seen.docsSince(mark)
	var post *docRequest
	for i := range docs {
		if docs[i].Method == "POST" && docs[i].RedirectStatus == 0 {
			post = &docs[i]
			break
		}
	}
	if post == nil {
		return
	}
	if resp.Status >= 400 && resp.Status < 500 {
		return
	}
	for _, d := range docs {
		if d.ID == post.ID && (d.RedirectStatus == 303 || d.RedirectStatus == 302) && d.Method == "GET" {
			return
		}
	}
	p.t.Errorf("%s: POST %s answered %d with a page, not a 303 to a GET (Post/Redirect/Get: a refresh would send the form again)", step, post.URL, resp.Status)
}

// draftControls are the names of the submit buttons that save nothing
// (see checkPRG): the poll form's form_action (preview, add a rule) and
// the ranked-choice vote form's move (Up, Down, keep this order).
var draftControls = map[string]bool{"form_action": true, "move": true}

// focusedName is the name of the focused control (what Enter submits with).
func (p *person) focusedName() string {
	p.t.Helper()
	return browsertest.Get(p.Session, "read the focused control's name", chromedp.Evaluate[string](`document.activeElement && document.activeElement.name || ""`))
}

func status(r *network.Response) int64 {
	if r == nil {
		return 0
	}
	return r.Status
}

// button is the selector of the submit button whose visible text is text.
// It fails unless exactly one such button is on the page.
func (p *person) button(text string) chromedp.CSS {
	p.t.Helper()
	return p.mark("button", text, `[...document.querySelectorAll("button")].filter(b => b.textContent.trim().replace(/\s+/g, " ") === text && b.type === "submit")`)
}

// link is the selector of the link whose visible text is text.
func (p *person) link(text string) chromedp.CSS {
	p.t.Helper()
	return p.mark("link", text, `[...document.querySelectorAll("a[href]")].filter(a => a.textContent.trim().replace(/\s+/g, " ") === text)`)
}

// field is the selector of the form control labelled label (the text of
// its <label>, without an "(optional)" note).
func (p *person) field(label string) chromedp.CSS {
	p.t.Helper()
	return p.fieldIn("body", label)
}

// fieldIn is field within the first element matching scope.
func (p *person) fieldIn(scope, label string) chromedp.CSS {
	p.t.Helper()
	// A label's name is what a screen reader reads: without aria-hidden
	// parts (an avatar's initials beside a person's name).
	const visibleText = `((c => (c.querySelectorAll('[aria-hidden="true"]').forEach(e => e.remove()), c.textContent))(l.cloneNode(true)))`
	return p.mark("field", label, `[...document.querySelector(`+fmt.Sprintf("%q", scope)+`).querySelectorAll("label")].filter(l => l.control && `+visibleText+`.replace(/\(optional\)/, "").trim().replace(/\s+/g, " ") === text).map(l => l.control)`)
}

var markN atomic.Int64

// mark finds exactly one element with the JS filter (over `text`), tags it
// with a data attribute and returns a CSS selector for it.
func (p *person) mark(kind, text, filter string) chromedp.CSS {
	p.t.Helper()
	id := fmt.Sprintf("m%d", markN.Add(1))
	js := fmt.Sprintf(`(() => { const text = %q; const found = %s;
  if (found.length !== 1) return found.length;
  if (found[0].tabIndex < 0 || found[0].disabled) return -1; // not reachable with Tab
  // What sits in a closed panel is reached as a person would: by opening
  // the panel with its summary first.
  for (let d = found[0].closest("details:not([open])"); d; d = d.parentElement && d.parentElement.closest("details:not([open])")) {
    const s = d.querySelector(":scope > summary");
    if (s && !s.contains(found[0])) s.click();
  }
  // ... and on a phone, a header link by opening the menu first.
  const menu = found[0].closest("#site-menu"), toggle = document.querySelector("header.site .menu-toggle");
  if (menu && toggle && toggle.offsetParent !== null && toggle.getAttribute("aria-expanded") !== "true") toggle.click();
  found[0].setAttribute("data-e2e", %q); return 1; })()`, text, filter, id)
	n := browsertest.Get(p.Session, "find "+kind+" "+text, chromedp.Evaluate[int](js))
	if n == -1 {
		p.t.Fatalf("the %s %q on %s cannot be reached with the keyboard", kind, text, p.URL())
	}
	if n != 1 {
		p.t.Fatalf("%d %ss %q on %s, want exactly one; page text:\n%s", n, kind, text, p.URL(), p.Text())
	}
	return chromedp.CSS(fmt.Sprintf(`[data-e2e=%q]`, id))
}

// fill types into the control labelled label (clearing it first).
func (p *person) fill(label, value string) {
	p.t.Helper()
	p.fillIn("body", label, value)
}

// fillIn is fill within the first element matching scope.
func (p *person) fillIn(scope, label, value string) {
	p.t.Helper()
	sel := p.fieldIn(scope, label)
	browsertest.Get(p.Session, "clear "+label, chromedp.Evaluate[bool](fmt.Sprintf(`(e => { e.value = ""; return true })(document.querySelector(%q))`, string(sel))))
	p.Do("fill "+label, chromedp.SendKeys(sel, value))
}

// submit presses the submit button with that text and waits for the next page.
func (p *person) submit(text string) int64 {
	p.t.Helper()
	return p.press("press "+text, p.button(text))
}

// follow clicks the link with that text and waits for the next page.
func (p *person) follow(text string) int64 {
	p.t.Helper()
	return p.press("follow "+text, p.link(text))
}

// unfolds opens every folded section of the page (<details>, such as the
// poll form's "More settings"), as a person clicking them would, so that
// sees reads what they hold.
func (p *person) unfolds() {
	p.t.Helper()
	browsertest.Get(p.Session, "unfold the page's sections", chromedp.Evaluate[int](`(() => { const ds = document.querySelectorAll("details"); ds.forEach((d) => { d.open = true; }); return ds.length; })()`))
}

// sees fails unless the page's visible text contains every want.
func (p *person) sees(wants ...string) {
	p.t.Helper()
	txt := p.Text()
	for _, w := range wants {
		if !strings.Contains(txt, w) {
			p.t.Fatalf("%s does not show %q; page text:\n%s", p.URL(), w, txt)
		}
	}
}

// notSees fails if the page's visible text contains any of these.
func (p *person) notSees(unwanted ...string) {
	p.t.Helper()
	txt := p.Text()
	for _, w := range unwanted {
		if strings.Contains(txt, w) {
			p.t.Fatalf("%s shows %q; page text:\n%s", p.URL(), w, txt)
		}
	}
}

func (p *person) heading() string {
	p.t.Helper()
	return strings.TrimSpace(browsertest.Get(p.Session, "read h1", chromedp.Text(chromedp.CSS("main h1"))))
}

func (p *person) path() string {
	p.t.Helper()
	u, err := url.Parse(p.URL())
	if err != nil {
		p.t.Fatal(err)
	}
	return u.Path
}

// signInWithCode signs p up or in with the sign-in form of the current page:
// the email address, then the code from the email, then (the first time) a
// name. It ends on the page the sign-in continues to.
func (p *person) signInWithCode(firstTime bool) {
	p.t.Helper()
	p.fillIn(`form[action="/login"]`, "Email address", p.Email)
	if st := p.submit("Email me a code"); st != 200 {
		p.t.Fatalf("request code: status %d", st)
	}
	p.sees("Check your email", p.Email)
	code, _ := p.site.loginCode(p.Email)
	p.fill("Code from the email", code)
	p.submit("Sign in")
	if firstTime {
		if h := p.heading(); h != "Welcome to Quorum" {
			p.t.Fatalf("after the code: heading %q, want the welcome page", h)
		}
		p.fill("Your name", p.Name)
		p.submit("Continue")
	}
	// The header names the signed-in person.
	if got := strings.TrimSpace(browsertest.Get(p.Session, "account nav", chromedp.Text(chromedp.CSS("header.site .account-nav")))); !strings.Contains(got, p.Name) {
		p.t.Fatalf("after sign-in the header shows %q, want %q", got, p.Name)
	}
}

// signedUp gives p an account named p.Name and the browser a session the
// account core minted (account.MintSession, the session a sign-in makes),
// without the pages of the emailed code: for a test whose subject is not
// signing in, which the tests that call signInWithCode prove. It saves a
// browser four page loads and a wait for the mail per person: measured on
// the two tests of newGardenThread, ~1.1 s of CPU per person (23.3 s → 16.3 s
// for the two, Chromium included).
func (p *person) signedUp() {
	p.t.Helper()
	tp := testkit.NewPersonWithEmail(p.t, p.site.app.Accounts, p.Name, p.Email)
	on := true
	if _, err := chromedp.Call(p.Ctx, network.SetCookie, network.SetCookieParams{Name: httpx.SessionCookie, Value: tp.Session,
		URL: p.site.URL + "/", Path: "/", Secure: &on, HTTPOnly: &on, SameSite: network.CookieSameSiteLax}); err != nil {
		p.t.Fatalf("session cookie for %s: %v", p.Name, err)
	}
}

// checked reports whether the checkbox or radio button is checked.
func (p *person) checked(sel chromedp.CSS) bool {
	p.t.Helper()
	return browsertest.Get(p.Session, "read checked", chromedp.JavascriptAttribute[bool](sel, "checked"))
}

// ---- what the browser saw: requests, CSP violations, console errors ----

// watch records every request the person's tab makes, every console error
// and every CSP violation the page reports. The recorder is installed
// through DevTools, so the page's CSP does not apply to it.
func (p *person) watch() {
	p.t.Helper()
	p.seen = &observed{}
	if err := chromedp.Listen(p.Ctx, func(ev any) {
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			p.seen.add(&p.seen.requests, e.Request.URL)
			if e.Type == network.ResourceTypeDocument {
				d := docRequest{ID: string(e.RequestID), Method: e.Request.Method, URL: e.Request.URL}
				if e.RedirectResponse != nil {
					d.RedirectStatus = e.RedirectResponse.Status
				}
				p.seen.mu.Lock()
				p.seen.docs = append(p.seen.docs, d)
				p.seen.mu.Unlock()
			}
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError {
				p.seen.add(&p.seen.errors, string(e.Entry.Source)+": "+e.Entry.Text+" "+e.Entry.URL)
			}
		case *runtime.EventExceptionThrown:
			p.seen.add(&p.seen.errors, "exception: "+e.ExceptionDetails.Text)
		}
	}); err != nil {
		p.t.Fatal(err)
	}
	_, err := chromedp.Call(p.Ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", e =>
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber));`,
	})
	if err != nil {
		p.t.Fatal(err)
	}
}

type observed struct {
	mu               sync.Mutex
	requests, errors []string
	docs             []docRequest // every page (document) request, in order
}

// docRequest is one request for a page: a redirect is the same request
// (ID) sent again, with the status of the redirect that led to it.
type docRequest struct {
	ID, Method, URL string
	RedirectStatus  int64
}

// docMark is where the page requests made from now on begin.
func (o *observed) docMark() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.docs)
}

// docsSince returns the page requests made since mark.
func (o *observed) docsSince(mark int) []docRequest {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]docRequest(nil), o.docs[mark:]...)
}

func (o *observed) add(to *[]string, s string) {
	o.mu.Lock()
	*to = append(*to, s)
	o.mu.Unlock()
}

func (o *observed) take() (requests, errors []string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	requests, errors = o.requests, o.errors
	o.requests, o.errors = nil, nil
	return
}

// checkCSP fails the test if the current page has inline script, loaded
// anything from another origin, or reported a CSP violation or console error
// since the last check.
func (p *person) checkCSP(pageName string) {
	p.t.Helper()
	type pageFacts struct {
		Inline     int      `json:"inline"`
		Handlers   int      `json:"handlers"`
		Resources  []string `json:"resources"`
		Violations []string `json:"violations"`
		Origin     string   `json:"origin"`
		Location   string   `json:"location"`
	}
	f := browsertest.Get(p.Session, "page facts", chromedp.Evaluate[pageFacts](`({
  inline: document.querySelectorAll("script:not([src])").length,
  handlers: [...document.querySelectorAll("*")].filter(e => [...e.attributes].some(a => a.name.startsWith("on"))).length,
  resources: performance.getEntriesByType("resource").map(e => e.name),
  violations: window.__cspViolations || ["(recorder missing)"],
  origin: location.origin,
  location: location.href,
})`))
	if f.Inline != 0 || f.Handlers != 0 {
		p.t.Errorf("%s: %d inline scripts and %d inline event handlers", pageName, f.Inline, f.Handlers)
	}
	if f.Origin != p.site.URL {
		p.t.Errorf("%s: page origin %s, want %s", pageName, f.Origin, p.site.URL)
	}
	requests, errs := p.seen.take()
	for _, u := range append(requests, f.Resources...) {
		if !strings.HasPrefix(u, p.site.URL+"/") && !strings.HasPrefix(u, "data:") {
			p.t.Errorf("%s: request to another origin: %s", pageName, u)
		}
	}
	if len(f.Violations) > 0 {
		p.t.Errorf("%s: CSP violations: %v", pageName, f.Violations)
	}
	// A page answered with an error status logs "Failed to load resource"
	// for itself; the tests check such statuses directly.
	self := "network: Failed to load resource: the server responded with a status of "
	var real []string
	for _, e := range errs {
		if !(strings.HasPrefix(e, self) && strings.HasSuffix(e, " "+f.Location)) {
			real = append(real, e)
		}
	}
	if len(real) > 0 {
		p.t.Errorf("%s: console errors: %v", pageName, real)
	}
}

// audit runs axe-core and the CSP checks on the current page.
func (p *person) audit(pageName string) {
	p.t.Helper()
	p.RequireAccessible(pageName)
	// The stylesheet has a dark scheme too: check its contrast as well, with
	// the axe-core that RequireAccessible left in the page.
	p.colorScheme("dark")
	if vs := p.axeAgain(`{runOnly: ["color-contrast"]}`, "serious", "critical"); len(vs) > 0 {
		p.t.Errorf("accessibility violations on %s (dark scheme):%s", pageName, strings.Join(vs, ""))
	}
	p.colorScheme("")
	if os.Getenv("E2E_AXE_ALL") != "" { // while working on pages: the lesser findings too
		if vs := p.axeAgain(`{}`, "moderate", "minor"); len(vs) > 0 {
			p.t.Logf("moderate and minor axe findings on %s:%s", pageName, strings.Join(vs, ""))
		}
	}
	p.checkCSP(pageName)
	p.site.audited = append(p.site.audited, pageName)
}

// colorScheme emulates prefers-color-scheme ("" resets it).
func (p *person) colorScheme(scheme string) {
	p.t.Helper()
	params := emulation.SetEmulatedMediaParams{}
	if scheme != "" {
		params.Features = []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}
	}
	if _, err := chromedp.Call(p.Ctx, emulation.SetEmulatedMedia, params); err != nil {
		p.t.Fatal(err)
	}
}

// axeAgain runs axe-core (already injected by RequireAccessible) with the
// options and returns the violations of the given impacts, one per line.
func (p *person) axeAgain(options string, impacts ...string) []string {
	p.t.Helper()
	js := fmt.Sprintf(`(async () => {
  if (typeof axe === "undefined") return ["axe-core is not in the page"];
  const impacts = %s;
  const r = await axe.run(document, Object.assign(%s, {resultTypes: ["violations"]}));
  return r.violations.filter(v => impacts.includes(v.impact)).map(v =>
    "\n  " + v.id + " (" + v.impact + "): " + v.help + " " + v.nodes.map(n => n.target.join(" ")).join(", "));
})()`, jsonList(impacts), options)
	return browsertest.Get(p.Session, "run axe-core again", chromedp.Evaluate[[]string](js, chromedp.EvalAwaitPromise))
}

func jsonList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ",") + "]"
}
