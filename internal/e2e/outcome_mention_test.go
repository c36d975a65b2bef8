package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/decision"
)

// Ada writes an outcome that mentions Ben and holds a task list: within
// seconds the poll page links @Ben as a comment does (the outcome's
// mention job resolved it) and the boxes show as ☐ and ☑; Ben, a voter,
// is told of the outcome once; an edit naming Cy tells her she was
// mentioned. axe-clean, nothing wider than 390 px (screenshots with
// QUORUM_SCREENSHOTS).
func TestOutcomeMentionsAndTaskList(t *testing.T) {
	t.Parallel()
	g := newGardenThread(t, nil)
	a, ben, gid, adaCtx := g.a, g.ben, g.gid, g.adaCtx
	p := g.closedProposal(t, "Plant tomatoes this spring?")
	if _, err := a.Decisions.SetOutcome(adaCtx, p.ID, decision.OutcomeInput{Statement: "We plant tomatoes; @Ben leads.\n\n- [x] buy seeds\n- [ ] dig the south bed"}); err != nil {
		t.Fatal(err)
	}
	benID := authz.ActorFrom(actingAs(t, a, ben.Email)).UserID
	want := "/groups/" + gid + "?tab=members#member-" + benID + " @Ben"
	var href string
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		ben.open("/polls/" + p.ID)
		href = browsertest.Get(ben.Session, "read the mention", chromedp.Evaluate[string](`[...document.querySelectorAll(".card.outcome a.mention")].map(a => a.getAttribute("href") + " " + a.textContent).join("|")`))
		if href == want || time.Now().After(deadline) {
			break
		}
	}
	if href != want {
		t.Fatalf("the outcome's mention links %q, want %q", href, want)
	}
	boxes := browsertest.Get(ben.Session, "read the boxes", chromedp.Evaluate[string](`[...document.querySelectorAll(".card.outcome li > .task")].map(e => e.textContent).join("")`))
	if boxes != "☑☐" {
		t.Errorf("the outcome's boxes are %q", boxes)
	}
	ben.audit("poll page with an outcome mentioning the reader")
	ben.at(1280, "outcome-mention-tasklist")
	ben.at(390, "outcome-mention-tasklist")

	// Ben, a voter, hears of the outcome once: its publication, not a
	// mention as well. An edit that names Cy tells her she was mentioned.
	ben.open("/notifications")
	ben.sees("We plant tomatoes; @Ben leads. ☑ buy seeds ☐ dig the south bed")
	ben.notSees("mentioned you")
	o, err := a.Decisions.GetOutcome(adaCtx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Decisions.SetOutcome(adaCtx, p.ID, decision.OutcomeInput{Statement: o.Statement + "\n\n@Cy brings the stakes.", Version: o.Version}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		g.cy.open("/notifications")
		if found := browsertest.Get(g.cy.Session, "look for the mention", chromedp.Evaluate[bool](`document.body.innerText.includes("Ada Lovelace mentioned you")`)); found || time.Now().After(deadline) {
			break
		}
	}
	g.cy.sees("Ada Lovelace mentioned you")
}
