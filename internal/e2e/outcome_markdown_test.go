package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/poll"
)

// Ada writes a poll's outcome in Markdown from the poll page (the form
// says Markdown works): the page shows it formatted, its script inert;
// Ben's notification shows its opening as clean text, and the group's
// Decisions tab shows it formatted. axe-clean, nothing wider than 390 px
// (screenshots with QUORUM_SCREENSHOTS).
func TestOutcomeWrittenInMarkdown(t *testing.T) {
	t.Parallel()
	g := newGardenThread(t, nil) // the group, Ada and Ben in it; the poll stands outside its thread
	ada, ben, gid := g.ada, g.ben, g.gid
	p := g.closedProposal(t, "Plant tomatoes this spring?")

	ada.open("/polls/" + p.ID)
	ada.Do("open the outcome form", chromedp.Click(`#outcome-form > summary`))
	ada.sees("Write the outcome", "Markdown: **bold**")
	ada.audit("outcome form")
	ada.fill("What was decided", "We plant **tomatoes**:\n\n- in the south bed\n- by [mid-May](https://example.org/may)\n\n<script>document.title='owned'</script>")
	if st := ada.submit("Save outcome"); st != 200 {
		t.Fatalf("save outcome: %d", st)
	}
	ada.sees("We plant tomatoes:", "in the south bed", "by mid-May")
	ada.notSees("**tomatoes**", "<script>")
	md := browsertest.Get(ada.Session, "read the outcome's markup", chromedp.Evaluate[string](
		`[...document.querySelectorAll(".card.outcome strong, .card.outcome li, .card.outcome a[href^='https:']")].map(e => e.tagName + ":" + e.textContent).join("|") + "|" + document.title`))
	if !strings.HasPrefix(md, "STRONG:tomatoes|LI:in the south bed|LI:by mid-May|A:mid-May|") || strings.Contains(md, "owned") {
		t.Errorf("the outcome renders as %q", md)
	}
	ada.audit("poll page with a Markdown outcome")
	ada.at(1280, "outcome-poll-page")
	ada.at(390, "outcome-poll-page")

	ben.open("/notifications")
	ben.sees("We plant tomatoes: • in the south bed • by mid-May")
	ben.notSees("**", "The outcome of this poll has been published.")
	ben.audit("notifications with an outcome")
	ben.at(1280, "outcome-notification")
	ben.at(390, "outcome-notification")

	ben.open("/groups/" + gid + "?tab=decisions")
	ben.sees("We plant tomatoes:", "in the south bed")
	ben.notSees("**tomatoes**")
	ben.audit("group decisions with a Markdown outcome")
	ben.at(1280, "outcome-group-decisions")
	ben.at(390, "outcome-group-decisions")
}

// closedProposal is Ada's proposal title in the Garden Club, closed, its
// outcome not yet written (the outcome tests' start).
func (g *gardenThread) closedProposal(t *testing.T, title string) decision.Poll {
	t.Helper()
	d := poll.New(poll.TypeProposal)
	d.Title = title
	at := time.Now().Add(72 * time.Hour).UTC()
	d.Settings.ClosingAt = &at
	p, err := g.a.Decisions.Create(g.adaCtx, decision.CreateInput{GroupID: g.gid, Definition: d})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.a.Decisions.Close(g.adaCtx, p.ID); err != nil {
		t.Fatal(err)
	}
	return p
}
