package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/discussion"
)

// Issue 15, "Look and feel": the design-system page (/design) shows every
// component in every state, in the light and the dark scheme (Chromium's
// prefers-color-scheme emulation), at 1280 and 390 px, axe-core clean in
// both schemes, in the reader's language (Arabic: right to left). Then the
// pages no other browser test looks at on a phone: nothing wider than
// 390 px, and a table of records stacks its rows there.
func TestDesignSystemPage(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")

	// Signed out: the page is public and holds only made-up content.
	if st := ada.open("/design"); st != 200 {
		t.Fatalf("/design: status %d", st)
	}
	if h := ada.heading(); h != "Design system" {
		t.Fatalf("/design heading %q", h)
	}
	ada.sees("Colour roles", "Spacing scale", "Type scale", "Cards", "Menus", "Tabs", "Badges, tags and labels",
		"Avatars", "Empty states", "Notices", "Forms", "Tables", "--accent", "--space-4", "--text-xl", "--shadow-2")
	// Every component is on the page, in its states.
	counts := browsertest.Get(ada.Session, "components", chromedp.Evaluate[map[string]int](`Object.fromEntries(Object.entries({
  card: ".card", accent: ".card-accent", menu: "details.menu", menuOpen: "details.menu[open] .menu-items", tabs: "nav.tabs a[aria-current=page]",
  badge: ".badge", avatar: ".avatar", empty: ".empty", toast: ".flash.toast[role=status]", flash: ".flash", swatch: ".ds-swatch",
  stack: "table.stack td[data-label]"}).map(([k, sel]) => [k, document.querySelectorAll(sel).length]))`))
	for k, min := range map[string]int{"card": 3, "accent": 1, "menu": 2, "menuOpen": 1, "tabs": 1, "badge": 5, "avatar": 16,
		"empty": 2, "toast": 1, "flash": 4, "swatch": 14, "stack": 4} {
		if counts[k] < min {
			t.Errorf("/design shows %d of %s, want at least %d", counts[k], k, min)
		}
	}
	// The swatches are drawn from the tokens: the dark scheme changes them.
	swatch := func() string {
		return browsertest.Get(ada.Session, "page swatch", chromedp.Evaluate[string](
			`getComputedStyle(document.querySelector(".ds-role-page")).backgroundColor`))
	}
	light := swatch()
	ada.audit("design")
	ada.at(1280, "design")
	ada.at(390, "design")
	ada.colorScheme("dark")
	if dark := swatch(); dark == light {
		t.Errorf("the page swatch is %s in both schemes", dark)
	}
	if vs := ada.axeAgain(`{}`, "serious", "critical"); len(vs) > 0 {
		t.Errorf("accessibility violations on /design (dark scheme):%s", strings.Join(vs, ""))
	}
	ada.at(1280, "design-dark")
	ada.at(390, "design-dark")
	// On a phone the sample table is stacked: its rows are blocks, each cell labelled.
	ada.phone()
	if d := browsertest.Get(ada.Session, "stacked row", chromedp.Evaluate[string](
		`getComputedStyle(document.querySelector("table.stack tbody tr")).display`)); d != "block" {
		t.Errorf("at 390 px a stacked table's row is display %q, want block", d)
	}
	ada.Do("viewport 1280", chromedp.EmulateViewport(1280, 900))
	ada.colorScheme("")

	// In Arabic, right to left.
	acceptLanguage(t, ada, "ar")
	ada.open("/design")
	if got := browsertest.Get(ada.Session, "language", chromedp.Evaluate[string](
		`document.documentElement.lang + " " + document.documentElement.dir`)); got != "ar rtl" {
		t.Fatalf("/design in Arabic: <html lang dir> %q", got)
	}
	ada.sees("نظام التصميم")
	ada.notSees("⟦")
	ada.audit("design-ar")
	ada.at(1280, "design-ar")
	ada.at(390, "design-ar")
	acceptLanguage(t, ada, "en")

	// Pages no other test looks at on a phone, signed in with a group and a thread.
	ada.signedUp() // a minted session: signing in is other tests' subject
	ada.open("/groups/new")
	ada.fill("Name", "Garden Club")
	if st := ada.submit("Create group"); st != 200 {
		t.Fatalf("create group: %d", st)
	}
	gid := strings.TrimPrefix(ada.path(), "/groups/")
	th, err := a.Discussions.StartThread(actingAs(t, a, ada.Email), discussion.StartInput{GroupID: gid, Title: "Spring planting",
		Description: "What goes in the south bed this year?"})
	if err != nil {
		t.Fatal(err)
	}
	for _, pg := range []struct{ name, path string }{
		{"groups", "/groups"},
		{"group-new", "/groups/new"},
		{"group-members-page", "/groups/" + gid + "/members"},
		{"group-settings", "/groups/" + gid + "/settings"},
		{"group-invitations", "/groups/" + gid + "/invitations"},
		{"group-audit", "/groups/" + gid + "/audit"},
		{"group-tags", "/groups/" + gid + "/tags"},
		{"thread-new", "/groups/" + gid + "/threads/new"},
		{"thread-edit", "/threads/" + th.ID + "/edit"},
		{"settings", "/settings"},
		{"settings-sessions", "/settings/sessions"},
		{"settings-tokens", "/settings/tokens"},
		{"settings-mail", "/settings/email-preferences"},
		{"search-empty", "/search?q=nothing-matches-this"},
	} {
		if st := ada.open(pg.path); st != 200 {
			t.Errorf("%s: status %d", pg.name, st)
			continue
		}
		ada.at(390, pg.name)
	}
	// The group list and the members are records: stacked rows at 390 px, each cell named.
	for _, path := range []string{"/groups", "/groups/" + gid + "/members", "/settings/sessions"} {
		ada.open(path)
		ada.phone()
		got := browsertest.Get(ada.Session, "stacked "+path, chromedp.Evaluate[[]string](`(() => {
  const td = document.querySelector("table.stack td[data-label]");
  return td ? [getComputedStyle(td.closest("tr")).display, getComputedStyle(td, "::before").content] : ["no stacked table", ""];
})()`))
		if got[0] != "block" || got[1] == "none" || got[1] == "" {
			t.Errorf("%s at 390 px: row display %q, cell label %q; want a block row with its column's name", path, got[0], got[1])
		}
		ada.Do("viewport 1280", chromedp.EmulateViewport(1280, 900))
	}
}

// acceptLanguage makes the person's browser ask for a language (its
// Accept-Language header), as a signed-out reader's browser does.
func acceptLanguage(t *testing.T, p *person, code string) {
	t.Helper()
	if _, err := chromedp.Call(p.Ctx, network.SetExtraHTTPHeaders,
		network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": code}}); err != nil {
		t.Fatal(err)
	}
}
