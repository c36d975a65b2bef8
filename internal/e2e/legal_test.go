package e2e

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
)

// Issue 16, "Terms and trust pages": the terms of service and the privacy
// policy are linked from every page's footer and read well at 1280 and
// 390 px; signing up accepts them (the form says so); and every request the
// main pages make goes to Quorum's own origin: no trackers, fonts or
// scripts from elsewhere (Resource Timing lists each one the page fetched;
// the CSP checks show nothing was attempted and blocked).
func TestTermsAndOwnOriginOnly(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	dee := s.person(t, "dee", "Dee Terms")
	own, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	onlyOwn := func(page string) {
		t.Helper()
		urls := browsertest.Get(dee.Session, "resources of "+page, chromedp.Evaluate[[]string](
			`[location.href, ...performance.getEntriesByType("resource").map(e => e.name)]`))
		if len(urls) < 2 {
			t.Errorf("%s: the page fetched no stylesheet? %v", page, urls)
		}
		for _, u := range urls {
			p, err := url.Parse(u)
			if err != nil || p.Scheme+"://"+p.Host != own.Scheme+"://"+own.Host {
				t.Errorf("%s fetched %s, which is not this service's origin %s", page, u, own.Host)
			}
		}
	}

	for _, path := range []string{"/login", "/terms", "/privacy"} {
		dee.open(path)
		onlyOwn(path)
	}
	dee.open("/login")
	dee.sees("Creating an account means accepting")
	dee.press("footer terms link", `footer.site a[href="/terms"]`)
	if h := dee.heading(); h != "Terms of service" {
		t.Fatalf("the footer's terms link opened %q", h)
	}
	dee.sees("Your account", "Version ")
	dee.audit("terms")
	dee.at(1280, "terms")
	dee.at(390, "terms")
	dee.press("footer privacy link", `footer.site a[href="/privacy"]`)
	if h := dee.heading(); h != "Privacy policy" {
		t.Fatalf("the privacy link opened %q", h)
	}
	dee.sees("What is kept, and why", "no trackers")
	dee.audit("privacy")
	dee.at(390, "privacy")
	dee.phone()
	// On a phone the header's links fold behind a Menu button that opens them.
	shown := func() [2]bool {
		return browsertest.Get(dee.Session, "header state", chromedp.Evaluate[[2]bool](
			`[document.querySelector("header.site .menu-toggle").offsetParent !== null, document.querySelector("header.site a[href='/login']").offsetParent !== null]`))
	}
	if got := shown(); got != [2]bool{true, false} {
		t.Fatalf("at 390 px: menu button shown, sign-in link shown = %v, want [true false]", got)
	}
	dee.Do("open the menu", chromedp.Click(chromedp.CSS(`header.site .menu-toggle`)))
	if got := shown(); got != [2]bool{true, true} {
		t.Fatalf("after opening the menu: %v", got)
	}
	if exp := browsertest.Get(dee.Session, "aria-expanded", chromedp.Evaluate[string](`document.querySelector("header.site .menu-toggle").getAttribute("aria-expanded")`)); exp != "true" {
		t.Fatalf("menu button aria-expanded=%q after opening", exp)
	}
	dee.audit("privacy, menu open at 390 px")
	dee.at(390, "menu-open")
	dee.at(1280, "privacy")
	if got := shown(); got != [2]bool{false, true} {
		t.Fatalf("at 1280 px: menu button shown, sign-in link shown = %v, want [false true]", got)
	}

	// Sign up: the code form names the version accepted.
	dee.open("/login")
	dee.fillIn(`form[action="/login"]`, "Email address", dee.Email)
	dee.submit("Email me a code")
	dee.sees("By signing in you accept the terms of service and the privacy policy (version ")
	dee.at(390, "login-code")
	code, _ := s.loginCode(dee.Email)
	dee.fill("Code from the email", code)
	dee.submit("Sign in")
	dee.fill("Your name", dee.Name)
	dee.submit("Continue")
	if !strings.Contains(dee.Text(), dee.Name) {
		t.Fatalf("not signed in after accepting the terms: %.300s", dee.Text())
	}

	// The signed-in pages fetch only from this origin too.
	for _, path := range []string{"/", "/groups/new", "/settings", "/notifications", "/terms"} {
		dee.open(path)
		onlyOwn(path)
	}
	dee.open("/groups/new")
	dee.fill("Name", "Trust circle")
	dee.submit("Create group")
	onlyOwn("group page")
}
