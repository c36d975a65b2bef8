package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
)

// The poll form's card preview shows the details as the card will (issue
// 15, poll forms): Markdown typed in Details appears formatted (bold, a
// list, a link), never as its source (no "**", no tags), for each poll
// type's form; with JavaScript off there is no live preview and nothing
// breaks: the Preview button shows the same card with a page load, and
// the poll starts. Checked with axe-core (light and dark) and for sideways
// scrolling at 390 px; screenshots in both schemes with QUORUM_SCREENSHOTS.
func TestPollPreviewMarkdownAndNoScript(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ada.signedUp() // a minted session: signing in is other tests' subject
	ada.open("/groups/new")
	ada.fill("Name", "Food Co-op")
	if st := ada.submit("Create group"); st != 200 {
		t.Fatalf("create group: %d", st)
	}
	gid := strings.TrimPrefix(ada.path(), "/groups/")
	const details = "Read **the budget** first.\n\n- bulk oats\n- <b>local</b> honey"
	// card waits for the preview card to hold want (the script waits for
	// a pause in typing) and returns its details' HTML. What it waits for
	// is the last words of the details (a loaded machine can pause longer
	// than the script mid-typing, and the card then shows the details cut
	// short for a moment).
	const typed = "honey</li>"
	card := func(want string) string {
		t.Helper()
		deadline := time.Now().Add(browsertest.StepTimeout)
		got := ""
		for time.Now().Before(deadline) {
			got = browsertest.Get(ada.Session, "read the preview's details", chromedp.Evaluate[string](
				`(document.querySelector("#poll-preview-slot .poll-card .poll-details") || {}).innerHTML || ""`))
			if strings.Contains(got, want) {
				return got
			}
			time.Sleep(150 * time.Millisecond)
		}
		t.Fatalf("the preview's details do not show %q: %q", want, got)
		return ""
	}
	both := func(name string) {
		t.Helper()
		for _, scheme := range []string{"", "dark"} {
			ada.colorScheme(scheme)
			for _, w := range []int64{1280, 390} {
				ada.at(w, "pollpreview-md-"+name+map[string]string{"": "", "dark": "-dark"}[scheme])
			}
		}
		ada.colorScheme("")
	}
	formatted := func(typ, html string) {
		t.Helper()
		for _, want := range []string{"<strong>the budget</strong>", "<li>bulk oats</li>"} {
			if !strings.Contains(html, want) {
				t.Errorf("%s: the preview's details lack %s: %q", typ, want, html)
			}
		}
		text := browsertest.Get(ada.Session, "read the preview's text", chromedp.Evaluate[string](
			`(document.querySelector("#poll-preview-slot .poll-card") || {}).textContent || ""`))
		for _, raw := range []string{"**", "<b>", "</b>"} {
			if strings.Contains(text, raw) {
				t.Errorf("%s: the preview shows the source's %q: %q", typ, raw, text)
			}
		}
	}

	// With JavaScript: every type's form, the card follows the details.
	for _, typ := range []string{"proposal", "poll", "ranked_choice", "score", "dot_vote", "check", "count", "question"} {
		ada.open("/groups/" + gid + "/polls/new?type=" + typ)
		ada.fill("Title", "Preview of a "+typ)
		if typ == "poll" || typ == "ranked_choice" || typ == "score" || typ == "dot_vote" {
			ada.fill("Options, one per line", "Oats\nHoney\nLentils")
		}
		ada.fill("Details", details)
		formatted(typ, card(typed))
		if typ == "proposal" {
			ada.audit("proposal form previewing Markdown details")
			both("live")
		}
	}

	// While a form was half filled in (a title, no options yet) the script
	// may have asked for a preview, answered 400 (the form's errors, not
	// shown): the only console errors allowed, as in TestPollPreviewFollowsTyping.
	_, errs := ada.seen.take()
	for _, e := range errs {
		if !strings.Contains(e, "status of 400") || !strings.HasSuffix(e, "/groups/"+gid+"/polls") {
			t.Errorf("console error while typing: %s", e)
		}
	}

	// Without JavaScript: no live card; Preview shows it with a page load;
	// the poll starts.
	scripts := func(on bool) {
		t.Helper()
		if _, err := chromedp.Call(ada.Ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on}); err != nil {
			t.Fatal(err)
		}
	}
	scripts(false)
	ada.open("/groups/" + gid + "/polls/new?type=proposal")
	ada.fill("Title", "Join the bulk order?")
	ada.fill("Details", details)
	time.Sleep(800 * time.Millisecond) // longer than the script's pause: it would have asked by now
	if n := countOf(ada, "#poll-preview-slot .poll-card"); n != 0 {
		t.Fatalf("a card without JavaScript before Preview (%d)", n)
	}
	if st := ada.submit("Preview"); st != 200 {
		t.Fatalf("preview without JavaScript: %d", st)
	}
	formatted("proposal without JavaScript", card(typed))
	// axe-core is a script: allowed again for the checks, the page as it
	// loaded without app.js.
	scripts(true)
	ada.audit("proposal form previewed without JavaScript")
	both("nojs")
	scripts(false)
	if st := ada.submit("Start poll"); st != 200 {
		t.Fatalf("start the poll without JavaScript: %d", st)
	}
	ada.sees("Join the bulk order?", "the budget")
	scripts(true)
	pg, err := a.Decisions.List(actingAs(t, a, ada.Email), gid, "", 10)
	if err != nil || len(pg.Items) != 1 {
		t.Fatalf("after Start poll: %v, %d polls", err, len(pg.Items))
	}
}
