package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/poll"
)

// The browser test of the pages around the thread (issue 15): the group
// page as the group's hub (people, New thread and New decision, tabs for
// threads, decisions, members and files that are plain links) and the
// dashboard with the decisions waiting for your vote first. Every state is
// checked with axe-core and the CSP checks, at 1280 and 390 px (no
// sideways scrolling), and the tabs are reached with the keyboard.
func TestGroupHubAndDashboard(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ben := s.person(t, "ben", "Ben Franklin")
	for _, p := range []*person{ada, ben} {
		p.signedUp()
	}
	ada.open("/groups/new")
	ada.fill("Name", "Garden Club")
	ada.fill("Description", "Allotments, seed swaps and the shed rota. We decide together, in the open.")
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
	if _, err := a.Groups.JoinViaLink(actingAs(t, a, ben.Email), link[strings.LastIndex(link, "/join/")+len("/join/"):]); err != nil {
		t.Fatal(err)
	}

	// The empty hub says what to do.
	ada.open(groupPath)
	ada.sees("No threads yet", "New thread", "New decision", "2 members")
	ada.audit("group hub, empty")

	// Threads (one with a file), decisions open and closed with an outcome.
	th, err := a.Discussions.StartThread(adaCtx, discussion.StartInput{GroupID: gid, Title: "Spring planting",
		Description: "What goes in the south bed this year?"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := a.Discussions.MailStartThread(adaCtx, discussion.StartInput{GroupID: gid, Title: "Shed rota for the summer"},
		"hub-e2e-"+s.prefix, []discussion.MailFile{{Name: "shed-rota.txt", ContentType: "text/plain", Data: []byte("Mon: Ada\nTue: Ben\n")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Discussions.Comment(actingAs(t, a, ben.Email), th.ID, discussion.CommentInput{Body: "Beans, surely."}); err != nil {
		t.Fatal(err)
	}
	proposal := func(title string, closes time.Duration, thread string) decision.Poll {
		t.Helper()
		d := poll.New(poll.TypeProposal)
		d.Title = title
		at := time.Now().Add(closes).UTC().Truncate(time.Minute)
		d.Settings.ClosingAt = &at
		p, err := a.Decisions.Create(adaCtx, decision.CreateInput{GroupID: gid, ThreadID: thread, Definition: d})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	proposal("Plant beans in the south bed", 50*time.Hour, th.ID)
	proposal("Buy a second water butt", 6*time.Hour, "")
	done := proposal("Paint the shed green", 24*time.Hour, "")
	if _, err := a.Decisions.Close(adaCtx, done.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Decisions.SetOutcome(adaCtx, done.ID, decision.OutcomeInput{Statement: "Green it is: Ben buys the paint, we paint on Saturday."}); err != nil {
		t.Fatal(err)
	}

	tabs := []struct{ label, shot string }{
		{"Threads", "group-hub-threads"}, {"Decisions", "group-hub-decisions"}, {"Members", "group-hub-members"}, {"Files", "group-hub-files"},
	}
	wants := map[string][]string{
		"Threads":   {"Spring planting", "Shed rota for the summer", "1 comment"},
		"Decisions": {"Buy a second water butt", "closes in 6 hours", "Plant beans in the south bed", "Paint the shed green", "Green it is"},
		"Members":   {"Ada Lovelace", "Ben Franklin", "admin"},
		"Files":     {"shed-rota.txt", "Shed rota for the summer"},
	}
	for _, who := range []*person{ada, ben} {
		who.open(groupPath)
		for _, tab := range tabs {
			who.follow(tab.label)
			if cur := browsertest.Get(who.Session, "current tab", chromedp.Evaluate[string](
				`document.querySelector('nav.tabs a[aria-current="page"]').textContent`)); cur != tab.label {
				t.Fatalf("after following %s the current tab is %q", tab.label, cur)
			}
			who.sees(wants[tab.label]...)
			if who == ada {
				who.audit("group hub, " + tab.label)
				for _, w := range []int64{1280, 390} {
					who.at(w, tab.shot)
				}
			}
		}
	}
	// Open decisions come first, the one closing soonest on top.
	ben.open(groupPath + "?tab=decisions")
	order := browsertest.Get(ben.Session, "read the decisions", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll(".decision-row > a")].map(a => a.textContent)`))
	if fmt.Sprint(order) != "[Buy a second water butt Plant beans in the south bed Paint the shed green]" {
		t.Errorf("decisions in the order %q", order)
	}

	// The tabs are links: Tab reaches them and Enter opens one.
	ben.open(groupPath)
	for i := 0; i < 40 && ben.focused() != "a:Decisions"; i++ {
		ben.key("\t")
	}
	if ben.focused() != "a:Decisions" || !ben.focusVisible() {
		t.Fatalf("Tab did not reach the Decisions tab visibly (focused %q)", ben.focused())
	}
	pressKey(t, ben, "\r")
	ben.sees("Paint the shed green")

	// Ben's dashboard: the two open proposals wait for his vote, the one
	// closing soonest first, then the recent threads.
	ben.open("/dashboard")
	ben.sees("Waiting for your vote", "Buy a second water butt", "in Garden Club", "Recent threads")
	ben.notSees("Paint the shed green")
	ben.audit("dashboard with decisions waiting")
	for _, w := range []int64{1280, 390} {
		ben.at(w, "dashboard-waiting")
	}
	ben.follow("Buy a second water butt")
	if h := ben.heading(); h != "Buy a second water butt" {
		t.Fatalf("the waiting poll leads to %q", h)
	}
}
