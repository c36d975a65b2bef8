package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/poll"
)

// The browser test of issue 15's poll cards: the decision happens in the
// thread. Ben votes on a proposal from its card in one click, with a
// reason, and lands back at the card; Cy's vote without the reason another
// proposal requires is refused on its card, his choice kept; once the
// poll closes, its card shows the final chart and the outcome. Every state
// is checked with axe-core and the CSP checks, at 1280 and 390 px
// (screenshots with QUORUM_SCREENSHOTS).
func TestPollCardsInThread(t *testing.T) {
	t.Parallel()
	g := newGardenThread(t, nil)
	a, ben, cy, adaCtx, gid := g.a, g.ben, g.cy, g.adaCtx, g.gid
	threadPath := "/threads/" + g.thread
	proposal := func(title string, mode poll.ReasonMode) string {
		t.Helper()
		d := poll.New(poll.TypeProposal)
		d.Title, d.Details = title, "Decide here, in the thread."
		at := time.Now().Add(72 * time.Hour).UTC()
		d.Settings.ClosingAt, d.Settings.ReasonMode = &at, mode
		p, err := a.Decisions.Create(adaCtx, decision.CreateInput{GroupID: gid, ThreadID: g.thread, Definition: d})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	tomatoes := proposal("Plant tomatoes this spring?", poll.ReasonOptional)
	beans := proposal("Move the beans north?", poll.ReasonRequired)
	tomatoCard, beanCard := "#poll-"+tomatoes, "#poll-"+beans

	// Ben votes from the thread, in one click, with a reason.
	ben.open(threadPath)
	ben.sees("Plant tomatoes this spring?", "Proposal", "open", "closes in 3 days", "0 of 3 have voted", "Your vote: one click")
	ben.audit("thread with poll cards (no votes)")
	ben.at(1280, "pollcard-before-vote")
	ben.at(390, "pollcard-before-vote")
	ben.fillIn(tomatoCard, "Reason", "Fresh tomatoes all summer.")
	if st := ben.press("vote Agree", chromedp.CSS(tomatoCard+` button[value="agree"]`)); st != 200 {
		t.Fatalf("inline vote: %d", st)
	}
	if u := ben.URL(); !strings.Contains(u, threadPath) || !strings.HasSuffix(u, tomatoCard) {
		t.Fatalf("after the vote: %s", u)
	}
	ben.sees("Your vote was counted.", "You voted: Agree", "1 of 3 have voted", "Latest reasons", "Ben Franklin: Agree", "Fresh tomatoes all summer.")
	ben.audit("thread with poll cards (voted)")
	ben.at(1280, "pollcard-voted")
	ben.at(390, "pollcard-voted")

	// Cy forgets the reason the beans proposal requires: the card says so
	// and keeps his choice.
	cy.open(threadPath)
	if st := cy.press("vote Disagree", chromedp.CSS(beanCard+` button[value="disagree"]`)); st != 422 && st != 400 {
		t.Fatalf("vote without the required reason: %d", st)
	}
	cy.sees("Please correct the following", "Reason")
	chosen := browsertest.Get(cy.Session, "read the chosen button", chromedp.Evaluate[string](`document.querySelector("`+beanCard+` button.chosen")?.value ?? ""`))
	if chosen != "disagree" {
		t.Errorf("the refused choice is not kept: %q", chosen)
	}
	cy.audit("thread with a refused inline vote")
	cy.at(390, "pollcard-refused")
	cy.fillIn(beanCard, "Reason (required)", "The beans like the north bed.")
	cy.press("vote Disagree again", chromedp.CSS(beanCard+` button[value="disagree"]`))
	cy.sees("Your vote was counted.", "You voted: Disagree")

	// The tomatoes poll closes; Ada publishes the outcome; the card shows both.
	if _, err := a.Decisions.Close(adaCtx, tomatoes); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Decisions.SetOutcome(adaCtx, tomatoes, decision.OutcomeInput{Statement: "We plant **tomatoes**:\n\n- in the south bed\n- by [mid-May](https://example.org/may)"}); err != nil {
		t.Fatal(err)
	}
	cy.open(threadPath)
	cy.sees("Outcome", "We plant tomatoes:", "in the south bed", "By Ada Lovelace", "Voting has closed.", "outcome published by Ada Lovelace")
	// The outcome is Markdown, formatted as a comment is.
	if md := browsertest.Get(cy.Session, "read the outcome's markup", chromedp.Evaluate[string](`[...document.querySelectorAll("`+tomatoCard+` .outcome strong, `+tomatoCard+` .outcome li, `+tomatoCard+` .outcome a[href^='https:']")].map(e => e.tagName + ":" + e.textContent).join("|")`)); md != "STRONG:tomatoes|LI:in the south bed|LI:by mid-May|A:mid-May" {
		t.Errorf("the outcome's Markdown renders as %q", md)
	}
	// The timeline's poll events name the kind of poll in words, not by its
	// internal name ("proposal").
	if kinds := browsertest.Get(cy.Session, "read the events' kinds", chromedp.Evaluate[[]string](`[...document.querySelectorAll("p.poll-event .tag")].map(t => t.textContent)`)); len(kinds) == 0 || slices.Contains(kinds, "proposal") {
		t.Errorf("the poll events' kinds read %q, want the type's name (Proposal)", kinds)
	}
	chart := browsertest.Get(cy.Session, "read the chart", chromedp.Evaluate[string](`document.querySelector("`+tomatoCard+` svg.q-chart[role=img]")?.textContent ?? ""`))
	if !strings.Contains(chart, "Agree: 1 (100.0%)") {
		t.Errorf("closed card's chart: %q", chart)
	}
	cy.audit("thread with a closed poll and its outcome")
	cy.at(1280, "pollcard-closed")
	cy.at(390, "pollcard-closed")
}
