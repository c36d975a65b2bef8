package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
)

// The browser test of moving and forking (issue 17): Ada, admin of the
// Garden Club and of the Board, forks two of Ben's comments out of a thread
// into a new one from the thread's actions menu, sees the notes on both
// sides, then moves the new thread to the Board, a secret group; Ben, a
// member of the Garden Club only, no longer finds it. Every page is checked
// with axe-core and the CSP checks, at 1280 and 390 px.
func TestMoveAndForkJourney(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ben := s.person(t, "ben", "Ben Franklin")
	for _, p := range []*person{ada, ben} {
		p.signedUp()
	}
	adaCtx, benCtx := actingAs(t, a, ada.Email), actingAs(t, a, ben.Email)
	garden, err := a.Groups.Create(adaCtx, group.CreateInput{Name: "Garden Club", Privacy: "closed"})
	if err != nil {
		t.Fatal(err)
	}
	board, err := a.Groups.Create(adaCtx, group.CreateInput{Name: "Board", Privacy: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	link, err := a.Groups.JoinLink(adaCtx, garden.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Groups.JoinViaLink(benCtx, link[strings.LastIndex(link, "/join/")+len("/join/"):]); err != nil {
		t.Fatal(err)
	}
	th, err := a.Discussions.StartThread(adaCtx, discussion.StartInput{GroupID: garden.ID, Title: "Spring planting",
		Description: "What goes in the south bed?"})
	if err != nil {
		t.Fatal(err)
	}
	var cids []string
	for _, c := range []struct {
		ctx  context.Context
		body string
	}{{benCtx, "Beans in the south bed."}, {adaCtx, "Agreed on beans."}, {benCtx, "Also: the shed budget is overspent."},
		{benCtx, "We should ask the Board for another 200."}} {
		it, err := a.Discussions.Comment(c.ctx, th.ID, discussion.CommentInput{Body: c.body})
		if err != nil {
			t.Fatal(err)
		}
		cids = append(cids, it.ID)
	}

	// Fork the two budget comments into a thread of their own.
	ada.open("/threads/" + th.ID)
	ada.follow("Fork comments…")
	ada.sees("Fork comments of Spring planting", "Comments to move (at most 100)", "Beans in the south bed.")
	ada.audit("fork form")
	for _, w := range []int64{1280, 390} {
		ada.at(w, "thread-fork")
	}
	ada.fill("Title of the new thread", "Shed budget")
	for _, id := range cids[2:] {
		ada.Do("choose "+id, chromedp.Click(`input[name="comment_id"][value="`+id+`"]`))
	}
	if st := ada.submit("Fork into a new thread"); st != 200 {
		t.Fatalf("fork: %d", st)
	}
	ada.sees("Shed budget", "The comments were moved into this new thread", "moved 2 comments here from", "Spring planting",
		"the shed budget is overspent", "another 200")
	ada.notSees("Beans in the south bed.")
	ada.audit("forked thread")
	forked := ada.path()
	ada.follow("Spring planting")
	ada.sees("moved 2 comments to", "Shed budget", "Beans in the south bed.", "Agreed on beans.")
	ada.notSees("overspent")

	// Move the new thread to the Board (secret).
	ada.open(forked)
	ada.follow("Move to group…")
	ada.sees("Move Shed budget", "Only groups you are an admin of are listed.", "Board (secret)")
	ada.audit("move form")
	for _, w := range []int64{1280, 390} {
		ada.at(w, "thread-move")
	}
	ada.Do("choose the Board", chromedp.SetValue(`#group_id`, board.ID))
	if st := ada.submit("Move thread"); st != 200 {
		t.Fatalf("move: %d", st)
	}
	ada.sees("The thread was moved", "Board", "moved the thread here from another group")
	ada.audit("moved thread")
	for _, w := range []int64{1280, 390} {
		ada.at(w, "thread-moved")
	}

	// Ben is in the Garden Club only: the moved thread is gone for him.
	if st := ben.open(forked); st != 404 {
		t.Errorf("Ben opens the moved thread: %d", st)
	}
	ben.open("/groups/" + garden.ID + "/threads")
	ben.sees("Spring planting")
	ben.notSees("Shed budget")
	ben.open("/")
	ben.notSees("Shed budget")
	ben.open("/search?q=overspent")
	ben.sees("No results")
}
