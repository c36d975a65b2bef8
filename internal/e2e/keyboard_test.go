package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/quorum-app/quorum/internal/browsertest"
)

// focused describes document.activeElement: "tag#id" or "tag:text".
func (p *person) focused() string {
	p.t.Helper()
	return browsertest.Get(p.Session, "read focus", chromedp.Evaluate[string](`(() => {
  const e = document.activeElement;
  if (!e || e === document.body) return "body";
  const tag = e.tagName.toLowerCase();
  return e.id ? tag + "#" + e.id : tag + ":" + e.textContent.trim().replace(/\s+/g, " ");
})()`))
}

// focusVisible reports whether the focused element shows a focus outline
// and lies inside the viewport.
func (p *person) focusVisible() bool {
	p.t.Helper()
	return browsertest.Get(p.Session, "read focus style", chromedp.Evaluate[bool](`(() => {
  const e = document.activeElement, s = getComputedStyle(e), r = e.getBoundingClientRect();
  return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2 &&
    r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight;
})()`))
}

func (p *person) key(keys string) {
	p.t.Helper()
	p.Do("press "+strings.ReplaceAll(strings.ReplaceAll(keys, "\t", "Tab"), "\r", "Enter"), chromedp.KeyEvent(keys))
}

// Keyboard alone: from the top of the sign-in page Tab reaches the email
// field and then its submit button, each with a visible focus outline; the
// skip link is the first stop, shows itself and moves focus to the main
// content; and a whole sign-in works with typing, Tab and Enter only.
func TestKeyboard(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	kay := s.person(t, "kay", "Kay Keys")

	kay.open("/login")
	var stops []string
	for i := 0; i < 12 && kay.focused() != "input#email"; i++ {
		kay.key(kb.Tab)
		stops = append(stops, kay.focused())
		if !kay.focusVisible() {
			t.Errorf("focus on %s has no visible outline", kay.focused())
		}
	}
	if kay.focused() != "input#email" {
		t.Fatalf("Tab never reached the email field; stops: %v", stops)
	}
	if stops[0] != "a:Skip to content" {
		t.Errorf("the first Tab stop is %s, want the skip link; stops: %v", stops[0], stops)
	}
	kay.key(kb.Tab)
	if f := kay.focused(); f != "button:Email me a code" {
		t.Fatalf("Tab after the email field reaches %s, want the submit button", f)
	}
	t.Logf("Tab order to the form: %s", strings.Join(append(stops, kay.focused()), " → "))

	// The skip link: first Tab stop, visible when focused, and Enter moves
	// focus to the main content, from where Tab goes to the form.
	kay.open("/login")
	kay.key(kb.Tab)
	if f := kay.focused(); f != "a:Skip to content" {
		t.Fatalf("first Tab stop %s", f)
	}
	if !kay.focusVisible() {
		t.Fatal("the focused skip link is not visible on screen")
	}
	kay.key(kb.Enter)
	if f := kay.focused(); f != "main#main" {
		t.Fatalf("after the skip link focus is on %s, want main", f)
	}
	if !strings.HasSuffix(kay.URL(), "#main") {
		t.Fatalf("skip link went to %s", kay.URL())
	}
	kay.key(kb.Tab)
	if f := kay.focused(); f != "input#email" {
		t.Fatalf("Tab from the main content reaches %s, want the email field", f)
	}

	// A form sent with a mistake comes back with focus on the error summary,
	// whose link points at the field, which is the next Tab stop.
	pressKey(t, kay, kb.Enter)
	kay.sees("Please correct the following")
	if f := kay.focused(); f != "div#form-errors" {
		t.Fatalf("after a form error focus is on %s, want the error summary", f)
	}
	kay.key(kb.Tab)
	if f := kay.focused(); !strings.HasPrefix(f, "a:Email address:") {
		t.Fatalf("Tab from the error summary reaches %s, want its link to the field", f)
	}
	if href := browsertest.Get(kay.Session, "error link", chromedp.Evaluate[string](`document.activeElement.getAttribute("href")`)); href != "#email" {
		t.Fatalf("the error summary links to %q, want #email", href)
	}
	kay.key(kb.Tab)
	if f := kay.focused(); f != "input#email" {
		t.Fatalf("Tab after the error summary reaches %s, want the email field", f)
	}

	// Sign in by keyboard: type, Enter; the code field has focus on arrival.
	kay.key(kay.Email)
	pressKey(t, kay, kb.Enter)
	kay.sees("Check your email")
	if f := kay.focused(); f != "input#code" {
		t.Fatalf("on the code page focus is on %s, want the code field", f)
	}
	code, _ := s.loginCode(kay.Email)
	kay.key(code)
	pressKey(t, kay, kb.Enter)
	if h := kay.heading(); h != "Welcome to Quorum" {
		t.Fatalf("after the code: %q", h)
	}
	// Welcome: Tab to the name field (no autofocus needed), type, Enter.
	for i := 0; i < 12 && kay.focused() != "input#name"; i++ {
		kay.key(kb.Tab)
	}
	if kay.focused() != "input#name" {
		t.Fatal("Tab never reached the name field on the welcome page")
	}
	kay.key(kay.Name)
	pressKey(t, kay, kb.Enter)
	kay.sees("Kay Keys", "Get started")
}

// pressKey sends keys that submit a form and waits for the next page.
func pressKey(t *testing.T, p *person, keys string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, browsertest.StepTimeout)
	defer cancel()
	name, mark := p.focusedName(), p.seen.docMark()
	resp, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(keys))
	if err != nil {
		t.Fatalf("press %q: %v", keys, err)
	}
	p.checkPRG("press "+keys, mark, resp, name)
}

// Without JavaScript: the whole sign-up (email, code, name) and creating a
// group work with script execution disabled in the page.
func TestWithoutJavaScript(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	nora := s.person(t, "nora", "Nora Noscript")
	if _, err := chromedp.Call(nora.Ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	nora.open("/login")
	if !browsertest.Get(nora.Session, "scripting media", chromedp.Evaluate[bool](`matchMedia("(scripting: none)").matches`)) {
		t.Fatal("scripting is still enabled in the page")
	}
	nora.signInWithCode(true)
	nora.sees("Dashboard", "Get started")
	nora.open("/groups/new")
	nora.fill("Name", "Quiet Readers")
	nora.submit("Create group")
	nora.sees("Your group is ready", "Quiet Readers")
	nora.follow("Settings")
	setFlag(t, nora, "Members can start polls", false)
}
