package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/testcloud"
)

// newPollSite is newSite that also hands back the application, so the test
// can run the scheduler's work (app.Tick) the way functions/scheduler does.
func newPollSite(t *testing.T) (*site, *app.API) {
	t.Helper()
	skipShort(t)
	return serveSite(t, testcloud.FastStream(t))
}

// actingAs is a context acting as the account registered with addr.
func actingAs(t *testing.T, a *app.API, addr string) context.Context {
	t.Helper()
	u, err := a.Accounts.UserByEmail(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	return authz.WithActor(context.Background(), authz.Actor{Kind: authz.User, UserID: u.ID})
}

// gardenThread is the set-up the browser tests of polls in a thread share:
// Ada, Ben and Cy signed up (signedUp: sessions minted, the sign-in pages
// are other tests' subject), Ada's Garden Club made with
// its form, Ben and Cy joined through its link, and Ada's "Spring planting"
// thread in it.
type gardenThread struct {
	s            *site
	a            *app.API
	ada, ben, cy *person
	adaCtx       context.Context
	gid, thread  string
}

// newGardenThread builds a gardenThread on a newPollSite; the thread's
// start tells audience (nil: the default, the whole group).
func newGardenThread(t *testing.T, audience *notify.Audience) *gardenThread {
	t.Helper()
	s, a := newPollSite(t)
	g := &gardenThread{s: s, a: a, ada: s.person(t, "ada", "Ada Lovelace"), ben: s.person(t, "ben", "Ben Franklin"), cy: s.person(t, "cy", "Cy Young")}
	for _, p := range []*person{g.ada, g.ben, g.cy} {
		p.signedUp()
	}
	g.ada.open("/groups/new")
	g.ada.fill("Name", "Garden Club")
	if st := g.ada.submit("Create group"); st != 200 {
		t.Fatalf("create group: %d", st)
	}
	g.gid = strings.TrimPrefix(g.ada.path(), "/groups/")
	g.adaCtx = actingAs(t, a, g.ada.Email)
	link, err := a.Groups.JoinLink(g.adaCtx, g.gid)
	if err != nil {
		t.Fatal(err)
	}
	token := link[strings.LastIndex(link, "/join/")+len("/join/"):]
	for _, p := range []*person{g.ben, g.cy} {
		if _, err := a.Groups.JoinViaLink(actingAs(t, a, p.Email), token); err != nil {
			t.Fatal(err)
		}
	}
	th, err := a.Discussions.StartThread(g.adaCtx, discussion.StartInput{GroupID: g.gid, Title: "Spring planting",
		Description: "What goes in the south bed this year?", Notify: audience})
	if err != nil {
		t.Fatal(err)
	}
	g.thread = th.ID
	return g
}

// The browser test of issue 5: Ada starts a proposal in her group (the
// discussions pages link polls to threads separately), Ben and Cy vote
// with reasons, Cy changes his vote, the poll closes through the
// scheduler's work, Ada writes the outcome and everyone sees the final
// chart. Every poll page is checked with axe-core and the CSP checks.
func TestPollProposalJourney(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ben := s.person(t, "ben", "Ben Franklin")
	cy := s.person(t, "cy", "Cy Young")
	for _, p := range []*person{ada, ben, cy} {
		p.signedUp() // a minted session: signing in is other tests' subject
	}

	// Ada's group; Ben and Cy join through its link.
	ada.open("/groups/new")
	ada.fill("Name", "Garden Club")
	if st := ada.submit("Create group"); st != 200 {
		t.Fatalf("create group: %d", st)
	}
	groupPath := ada.path()
	gid := strings.TrimPrefix(groupPath, "/groups/")
	adaCtx := actingAs(t, a, ada.Email)
	link, err := a.Groups.JoinLink(adaCtx, gid)
	if err != nil {
		t.Fatal(err)
	}
	token := link[strings.LastIndex(link, "/join/")+len("/join/"):]
	for _, p := range []*person{ben, cy} {
		if _, err := a.Groups.JoinViaLink(actingAs(t, a, p.Email), token); err != nil {
			t.Fatal(err)
		}
	}

	// The proposal belongs to a thread: Ada starts it from the thread page.
	th, err := a.Discussions.StartThread(adaCtx, discussion.StartInput{GroupID: gid, Title: "Spring planting",
		Description: "What goes in the south bed this year?"})
	if err != nil {
		t.Fatal(err)
	}
	threadPath := "/threads/" + th.ID
	ada.open(threadPath)
	ada.follow("Start a poll in this thread")
	ada.audit("poll type chooser")
	if !ada.checked(ada.field("Proposal")) {
		t.Fatalf("proposal is not the default kind")
	}
	ada.submit("Continue")
	if h := ada.heading(); h != "New proposal" {
		t.Fatalf("form heading %q", h)
	}
	ada.audit("new proposal form")
	ada.fill("Title", "Plant tomatoes this spring?")
	ada.fill("Details", "They need the south bed.")
	ada.submit("Start poll")
	ada.sees("Your poll is ready.", "Plant tomatoes this spring?", "Proposal · open")
	pollPath := ada.path()
	pid := strings.TrimPrefix(pollPath, "/polls/")
	ada.audit("poll page (author, no votes)")

	// Ben finds the poll in the thread's timeline and votes with a reason.
	ben.open(threadPath)
	ben.sees("Plant tomatoes this spring?", "opened by Ada Lovelace")
	ben.follow("Plant tomatoes this spring?")
	ben.Do("choose Agree", chromedp.Click(ben.field("Agree")))
	ben.fill("Reason", "Fresh tomatoes all summer.")
	ben.submit("Vote")
	ben.sees("Your vote was counted.", "You voted: Agree", "Fresh tomatoes all summer.", "Ben Franklin")
	ben.audit("poll page (voter)")

	// Ada points Cy to the poll from its page: the list of people opens on
	// request; Cy finds it among his notifications.
	ada.open(pollPath)
	ada.follow("Choose people to notify")
	ada.audit("poll page (choosing people to notify)")
	ada.Do("choose Cy", chromedp.Click(ada.field("Cy Young")))
	ada.submit("Notify")
	ada.sees("The people you chose were notified")
	cy.seesNotifications("Ada Lovelace wants you to see the poll Plant tomatoes this spring?")

	// Cy votes, then changes his mind.
	cy.open(pollPath)
	cy.Do("choose Disagree", chromedp.Click(cy.field("Disagree")))
	cy.fill("Reason", "The south bed is for beans.")
	cy.submit("Vote")
	cy.sees("You voted: Disagree")
	cy.Do("choose Abstain", chromedp.Click(cy.field("Abstain")))
	cy.fill("Reason", "Fine by me if the beans move.")
	cy.submit("Change vote")
	cy.sees("Your vote was changed.", "You voted: Abstain", "Fine by me if the beans move.")
	cy.notSees("The south bed is for beans.")
	cy.audit("poll page (changed vote)")

	// The poll closes through the scheduler's work, after its closing time.
	p, err := a.Decisions.Get(adaCtx, pid)
	if err != nil {
		t.Fatal(err)
	}
	report, err := a.Tick(context.Background(), p.Definition.Settings.ClosingAt.Add(time.Minute))
	if err != nil || report.Polls.Closed < 1 {
		t.Fatalf("tick: %+v %v", report, err)
	}

	// Ada writes the outcome.
	ada.open(pollPath)
	ada.sees("Proposal · closed", "No outcome has been written yet.")
	ada.fill("What was decided", "We plant tomatoes; the beans move north.")
	ada.submit("Save outcome")
	ada.sees("The outcome was saved.", "We plant tomatoes; the beans move north.")
	ada.audit("poll page (closed, outcome)")

	// Everyone sees the final chart and the outcome.
	for _, who := range []*person{ada, ben, cy} {
		who.open(pollPath)
		who.sees("Voting has closed.", "We plant tomatoes; the beans move north.", "2 of 3 eligible voters have voted.",
			"Fresh tomatoes all summer.", "Fine by me if the beans move.")
		chart := browsertest.Get(who.Session, "read chart", chromedp.Evaluate[string](
			`(() => { const s = document.querySelector("svg.q-chart[role=img]"); return s ? s.textContent : ""; })()`))
		for _, want := range []string{"Results of Plant tomatoes this spring?", "Agree: 1 (50.0%)", "Abstain: 1 (50.0%)", "Disagree: 0"} {
			if !strings.Contains(chart, want) {
				t.Errorf("%s's chart lacks %q: %q", who.Name, want, chart)
			}
		}
	}
	ben.audit("poll page (closed, voter)")

	// The thread's timeline tells the story: opened, closed, outcome published.
	cy.open(threadPath)
	cy.sees("Plant tomatoes this spring?", "opened by Ada Lovelace", "closed", "outcome published by Ada Lovelace")
	if got, err := a.Decisions.Get(adaCtx, pid); err != nil || got.ThreadID != th.ID {
		t.Fatalf("the poll is not in the thread: %q %v", got.ThreadID, err)
	}
}
