package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/poll"
)

// The browser test of issue 17's vote history and sealed closed polls: Ben
// votes and changes his vote; everyone sees "Changed their vote", which
// opens to his earlier choice and reason. The poll closes: Ben can no
// longer change or withdraw his vote. Ada (the group's admin) writes the
// outcome and edits it: the outcome shows "Edited", which opens to the
// earlier version. Ben, who is not an admin, is not offered the reopen
// form; Ada reopens the poll and the thread says she did. Every state is
// checked with axe-core and the CSP checks (screenshots at 1280 and 390 px
// with QUORUM_SCREENSHOTS).
func TestVoteHistoryAndSealedPoll(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ben := s.person(t, "ben", "Ben Franklin")
	for _, p := range []*person{ada, ben} {
		p.signedUp()
	}
	ada.open("/groups/new")
	ada.fill("Name", "Garden Club")
	if st := ada.submit("Create group"); st != 200 {
		t.Fatalf("create group: %d", st)
	}
	gid := strings.TrimPrefix(ada.path(), "/groups/")
	adaCtx := actingAs(t, a, ada.Email)
	link, err := a.Groups.JoinLink(adaCtx, gid)
	if err != nil {
		t.Fatal(err)
	}
	token := link[strings.LastIndex(link, "/join/")+len("/join/"):]
	benCtx := actingAs(t, a, ben.Email)
	if _, err := a.Groups.JoinViaLink(benCtx, token); err != nil {
		t.Fatal(err)
	}
	th, err := a.Discussions.StartThread(adaCtx, discussion.StartInput{GroupID: gid, Title: "Spring planting",
		Description: "What goes in the south bed this year?"})
	if err != nil {
		t.Fatal(err)
	}
	d := poll.New(poll.TypeProposal)
	d.Title = "Plant tomatoes this spring?"
	at := time.Now().Add(72 * time.Hour).UTC()
	d.Settings.ClosingAt = &at
	p, err := a.Decisions.Create(benCtx, decision.CreateInput{GroupID: gid, ThreadID: th.ID, Definition: d})
	if err != nil {
		t.Fatal(err)
	}
	pollPath := "/polls/" + p.ID

	// Ben votes, then changes his mind.
	ben.open(pollPath)
	ben.Do("choose Agree", chromedp.Click(ben.field("Agree")))
	ben.fill("Reason", "Fresh tomatoes all summer.")
	ben.submit("Vote")
	ben.sees("You voted: Agree")
	ben.notSees("Changed their vote")
	ben.Do("choose Disagree", chromedp.Click(ben.field("Disagree")))
	ben.fill("Reason", "The south bed is for beans.")
	ben.submit("Change vote")
	ben.sees("Your vote was changed.", "You voted: Disagree", "Changed their vote (1 earlier)")
	ben.notSees("Fresh tomatoes all summer.") // closed disclosure

	// Ada sees the change, and opens it.
	ada.open(pollPath)
	ada.sees("Ben Franklin: Disagree", "The south bed is for beans.", "Changed their vote")
	ada.Do("open the earlier votes", chromedp.Click(chromedp.CSS(`details.earlier > summary`)))
	ada.sees("Agree", "Fresh tomatoes all summer.")
	// Ada reacts to the poll and to Ben's vote, with the comments' emoji.
	ada.Do("open the poll's reactions", chromedp.Click(chromedp.CSS(`#reactions-poll details.react-picker > summary`)))
	ada.press("react heart to the poll", chromedp.CSS(`#reactions-poll button.pick[aria-label="heart"]`))
	ada.Do("open the vote's reactions", chromedp.Click(chromedp.CSS(`.ballots details.react-picker > summary`)))
	ada.press("react thumbs up to Ben's vote", chromedp.CSS(`.ballots button.pick[aria-label="thumbs up"]`))
	mine := browsertest.Get(ada.Session, "read the reactions", chromedp.Evaluate[string](
		`[...document.querySelectorAll(".used button[aria-pressed=true]")].map(b => b.getAttribute("aria-label")).join("|")`))
	if mine != "heart: 1, including you|thumbs up: 1, including you" {
		t.Errorf("Ada's reactions: %q", mine)
	}
	ada.Do("open the earlier votes again", chromedp.Click(chromedp.CSS(`details.earlier > summary`)))
	ada.audit("poll page (a changed vote, opened)")
	ada.at(1280, "vote-history")
	ada.at(390, "vote-history")

	// The card in the thread says so too.
	ada.open("/threads/" + th.ID)
	ada.sees("Latest reasons", "Ben Franklin: Disagree", "Changed their vote")

	// Closed: sealed.
	if _, err := a.Decisions.Close(adaCtx, p.ID); err != nil {
		t.Fatal(err)
	}
	ben.open(pollPath)
	ben.sees("Voting has closed. Votes and reasons stand as they were cast.", "You voted: Disagree",
		"Only the group's admins can reopen a closed poll.")
	ben.notSees("Change vote", "Withdraw my vote", "Reopen poll")
	ben.audit("poll page (closed, sealed, author who is not an admin)")

	// Ada writes the outcome, then edits it.
	ada.open(pollPath)
	ada.fill("What was decided", "We plant tomatoes.")
	ada.submit("Save outcome")
	ada.sees("The outcome was saved.", "We plant tomatoes.")
	ada.notSees("Edited")
	ada.fill("What was decided", "We plant beans in the south bed.")
	ada.submit("Save outcome")
	ada.sees("The outcome was saved.", "We plant beans in the south bed.", "Edited (1 earlier version)")
	ada.Do("open the earlier versions", chromedp.Click(chromedp.CSS(`details.outcome-history > summary`)))
	ada.sees("Replaced by Ada Lovelace", "We plant tomatoes.")
	ada.audit("poll page (closed, edited outcome, opened)")
	ada.at(1280, "outcome-history")
	ada.at(390, "outcome-history")

	// Ada, the group's admin, reopens it; the thread says who did.
	ada.submit("Reopen poll")
	ada.sees("Proposal · open")
	ada.open("/threads/" + th.ID)
	ada.sees("reopened by Ada Lovelace")
}
