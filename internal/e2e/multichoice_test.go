package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/poll"
)

// Keyboard-only voting in a multiple-choice poll (checkboxes, the one
// poll type TestPollFormsAndInlineVoting's single-choice poll does not
// show) from its card in the thread: Space ticks, Tab moves, Enter sends;
// the vote is a POST answered with a redirect back to the card (the PRG
// check of pressKey), so reloading the page sends nothing again.
func TestKeyboardMultipleChoiceVote(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ben := s.person(t, "ben", "Ben Franklin")
	for _, p := range []*person{ada, ben} {
		p.signedUp()
	}
	ada.open("/groups/new")
	ada.fill("Name", "Orchard")
	ada.submit("Create group")
	gid := strings.TrimPrefix(ada.path(), "/groups/")
	adaCtx := actingAs(t, a, ada.Email)
	link, err := a.Groups.JoinLink(adaCtx, gid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Groups.JoinViaLink(actingAs(t, a, ben.Email), link[strings.LastIndex(link, "/join/")+len("/join/"):]); err != nil {
		t.Fatal(err)
	}
	th, err := a.Discussions.StartThread(adaCtx, discussion.StartInput{GroupID: gid, Title: "Autumn work"})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(72 * time.Hour).UTC()
	d := poll.New(poll.TypePoll)
	d.Title, d.Settings.ClosingAt = "Which trees do we prune?", &at
	d.Options = []poll.Option{{ID: "o1", Label: "Apple"}, {ID: "o2", Label: "Pear"}, {ID: "o3", Label: "Plum"}}
	d.Settings.MinChoices, d.Settings.MaxChoices = 1, 2
	p, err := a.Decisions.Create(adaCtx, decision.CreateInput{GroupID: gid, ThreadID: th.ID, Definition: d})
	if err != nil {
		t.Fatal(err)
	}
	card := "#poll-" + p.ID

	ben.open("/threads/" + th.ID)
	ben.Do("focus the first option", chromedp.Focus(chromedp.CSS(card+` input[type="checkbox"][value="o1"]`)))
	ben.key(" ")                   // tick Apple
	ben.key(kb.Tab + kb.Tab + " ") // past Pear, tick Plum
	if !ben.checked(chromedp.CSS(card+` input[value="o1"]`)) || ben.checked(chromedp.CSS(card+` input[value="o2"]`)) || !ben.checked(chromedp.CSS(card+` input[value="o3"]`)) {
		t.Fatalf("Space and Tab did not tick Apple and Plum")
	}
	// Tab on to the card's Vote button (past the reason field), then Enter.
	for i := 0; i < 8 && ben.focused() != "button:Vote"; i++ {
		ben.key(kb.Tab)
	}
	if f := ben.focused(); f != "button:Vote" {
		t.Fatalf("Tab from the options reaches %s, never the Vote button", f)
	}
	if !ben.focusVisible() {
		t.Errorf("the focused Vote button shows no focus outline")
	}
	pressKey(t, ben, kb.Enter)
	if u := ben.URL(); !strings.HasSuffix(u, card) {
		t.Errorf("after the vote at %s, want the card", u)
	}
	ben.sees("Your vote was counted.")
	mine, err := a.Decisions.Mine(actingAs(t, a, ben.Email), p.ID)
	if err != nil || !mine.Voted || choiceIDs(mine.Ballot) != "o1,o3" {
		t.Fatalf("the keyboard vote: %v %+v", err, mine.Ballot)
	}
	ben.audit("thread after a keyboard vote in a multiple-choice poll")
}
