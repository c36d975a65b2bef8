package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
)

// The poll form's live preview (issue 15, poll forms): as Ada types a
// title and options, the card beside the form follows, without a page
// load and without any press of Preview; the card is the one Quorum
// renders for the Preview button (one renderer), fetched from the same
// form step. Nothing is saved. At 390 px the card sits below the form.
func TestPollPreviewFollowsTyping(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ada.signedUp()
	ada.open("/groups/new")
	ada.fill("Name", "Hall Committee")
	if st := ada.submit("Create group"); st != 200 {
		t.Fatalf("create group: %d", st)
	}
	gid := strings.TrimPrefix(ada.path(), "/groups/")

	// card is the preview card's text, once it says want (at most
	// StepTimeout: the script waits for a pause in typing).
	card := func(want string) string {
		t.Helper()
		deadline := time.Now().Add(browsertest.StepTimeout)
		got := ""
		for time.Now().Before(deadline) {
			got = browsertest.Get(ada.Session, "read the preview", chromedp.Evaluate[string](
				`(document.querySelector("#poll-preview-slot .poll-card") || {}).textContent || ""`))
			if strings.Contains(strings.Join(strings.Fields(got), " "), want) {
				return got
			}
			time.Sleep(150 * time.Millisecond)
		}
		t.Fatalf("the preview does not show %q; it shows %q", want, got)
		return ""
	}
	samePage := func(step string) {
		t.Helper()
		if !browsertest.Get(ada.Session, "still the same page", chromedp.Evaluate[bool](`window.__samePage === true`)) {
			t.Fatalf("%s: the page was loaded again", step)
		}
	}

	// A proposal: the card appears with the title, then follows it.
	ada.open("/groups/" + gid + "/polls/new?type=proposal")
	if n := countOf(ada, "#poll-preview-slot .poll-card"); n != 0 {
		t.Fatalf("a new form shows a card before anything is typed (%d)", n)
	}
	browsertest.Get(ada.Session, "mark the page", chromedp.Evaluate[bool](`window.__samePage = true`))
	ada.fill("Title", "Repaint the hall")
	card("Repaint the hall")
	ada.Do("type more", chromedp.SendKeys(ada.field("Title"), " in blue?"))
	got := card("Repaint the hall in blue?")
	for _, option := range []string{"Agree", "Disagree"} {
		if !strings.Contains(got, option) {
			t.Errorf("the proposal card lacks %q: %q", option, got)
		}
	}
	ada.fill("Details", "Two coats, before the spring fair.")
	card("Two coats, before the spring fair.")
	samePage("proposal")
	ada.audit("proposal form with its live preview")
	ada.at(1280, "pollpreview-proposal")
	ada.at(390, "pollpreview-proposal")
	// Beside the form at 1280 px, below it at 390 px.
	side := browsertest.Get(ada.Session, "where the card is", chromedp.Evaluate[bool](
		`(() => { const f = document.querySelector("form.poll-form").getBoundingClientRect(), c = document.getElementById("poll-preview-slot").getBoundingClientRect(); return c.left >= f.right; })()`))
	if !side {
		t.Errorf("at 1280 px the preview is not beside the form")
	}

	// A poll with options typed one per line: each appears on the card.
	ada.open("/groups/" + gid + "/polls/new?type=poll")
	browsertest.Get(ada.Session, "mark the page", chromedp.Evaluate[bool](`window.__samePage = true`))
	ada.fill("Title", "Which colour?")
	ada.fill("Options, one per line", "Sky blue\nSage green")
	card("Sage green")
	ada.Do("add an option", chromedp.SendKeys(ada.field("Options, one per line"), "\nButter yellow"))
	got = card("Butter yellow")
	if !strings.Contains(got, "Which colour?") || !strings.Contains(got, "Sky blue") {
		t.Errorf("the poll card: %q", got)
	}
	// Clearing the title cannot be previewed: the last card stays, and the
	// form shows no error while typing.
	browsertest.Get(ada.Session, "clear the title", chromedp.Evaluate[bool](`(e => { e.value = ""; e.dispatchEvent(new Event("input", {bubbles: true})); return true })(document.getElementById("title"))`))
	time.Sleep(1500 * time.Millisecond)
	card("Butter yellow")
	if n := countOf(ada, ".field-error"); n != 0 {
		t.Errorf("typing shows %d form errors", n)
	}
	samePage("poll")
	// While the form was half filled in (a title, no options yet) the
	// step may have answered 400 (the form's errors, not shown): the only
	// console errors allowed.
	_, errs := ada.seen.take()
	for _, e := range errs {
		if !strings.Contains(e, "status of 400") || !strings.HasSuffix(e, "/groups/"+gid+"/polls") {
			t.Errorf("console error while typing: %s", e)
		}
	}
	ada.audit("poll form with its live preview")
	ada.at(390, "pollpreview-poll")

	if pg, err := a.Decisions.List(actingAs(t, a, ada.Email), gid, "", 10); err != nil || len(pg.Items) != 0 {
		t.Fatalf("the live preview saved a poll: %v %d", err, len(pg.Items))
	}
}
