package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
)

// The CSP holds in the browser: every page is sent with the policy, uses no
// inline script, loads nothing from another origin, reports no violation and
// still gets its stylesheet; and the watch is not blind: an injected inline
// script and an image from another origin are blocked and reported.
func TestCSPInTheBrowser(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	cat := s.person(t, "cat", "Cat Policy")

	for _, path := range []string{"/", "/signup", "/login"} {
		resp := browsertest.Get(cat.Session, "open "+path, chromedp.NavigateResponse(s.URL+path))
		csp, _ := resp.Headers["Content-Security-Policy"].(string)
		if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "default-src 'none'") {
			t.Fatalf("%s: Content-Security-Policy %q", path, csp)
		}
		cat.checkCSP(path)
		// The stylesheet from 'self' applies.
		if b := browsertest.Get(cat.Session, "computed style", chromedp.Evaluate[string](`getComputedStyle(document.querySelector("header.site")).borderBottomStyle`)); b != "solid" {
			t.Fatalf("%s: stylesheet not applied", path)
		}
	}
	cat.signInWithCode(true)
	cat.open("/groups/new")
	cat.fill("Name", "Policy Wonks")
	cat.submit("Create group")
	groupPath := cat.path()
	for _, link := range []string{"Invite people", "Members", "Settings"} {
		cat.follow(link)
		cat.checkCSP(link)
		cat.open(groupPath)
	}
	cat.checkCSP("after sign-in")

	// The recorder sees what the policy blocks.
	ran := browsertest.Get(cat.Session, "inject", chromedp.Evaluate[bool](`(() => {
  const s = document.createElement("script");
  s.textContent = "window.__inlineRan = true";
  document.head.append(s);
  const img = new Image();
  img.src = "http://127.0.0.1:9/elsewhere.png";
  document.body.append(img);
  return window.__inlineRan === true;
})()`))
	if ran {
		t.Fatal("an injected inline script ran despite the CSP")
	}
	var got []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		got = browsertest.Get(cat.Session, "violations", chromedp.Evaluate[[]string](`window.__cspViolations`))
		if len(got) >= 2 {
			break
		}
	}
	t.Logf("violations seen: %q", got)
	all := strings.Join(got, "\n")
	if !strings.Contains(all, "script-src") || !strings.Contains(all, "img-src") {
		t.Fatalf("the violation recorder missed blocked content; saw %v", got)
	}
}
