package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/poll"
)

// The gaps issue 15 left, walked in Chromium at 1280 and 390 px (PNGs with
// QUORUM_SCREENSHOTS; axe-core, the CSP checks and no sideways scrolling at
// every state): a thread's description and a poll's details link their
// mentions; names come with avatars in a poll's voters, the proxies page
// and the edit histories; the tables of a thread's guests and of the
// security page stack on a phone; a guest finds the poll of their thread
// waiting for their vote on the dashboard.
func TestMentionsAvatarsAndGuestsWalk(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ben := s.person(t, "ben", "Ben Franklin")
	cy := s.person(t, "cy", "Cy Young")
	gus := s.person(t, "gus", "Gus Guest")
	for _, p := range []*person{ada, ben, cy, gus} {
		p.signedUp() // a minted session: signing in is other tests' subject
	}
	shot := func(p *person, name string) {
		t.Helper()
		p.audit(name)
		p.at(1280, name)
		p.at(390, name)
	}
	ada.open("/groups/new")
	ada.fill("Name", "Garden Club")
	if st := ada.submit("Create group"); st != 200 {
		t.Fatalf("create group: %d", st)
	}
	gid := strings.TrimPrefix(ada.path(), "/groups/")
	adaCtx := actingAs(t, a, ada.Email)
	benCtx := actingAs(t, a, ben.Email)
	benID, cyID, gusID := authz.ActorFrom(benCtx).UserID, authz.ActorFrom(actingAs(t, a, cy.Email)).UserID, authz.ActorFrom(actingAs(t, a, gus.Email)).UserID
	link, err := a.Groups.JoinLink(adaCtx, gid)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*person{ben, cy} {
		if _, err := a.Groups.JoinViaLink(actingAs(t, a, p.Email), link[strings.LastIndex(link, "/join/")+len("/join/"):]); err != nil {
			t.Fatal(err)
		}
	}
	ada.open("/groups/" + gid + "/settings")
	ada.Do("tick proxy voting", chromedp.Click(ada.field("Members can vote by proxy")))
	ada.submit("Save settings")

	// The description's mention becomes a link within seconds (its job).
	th, err := a.Discussions.StartThread(adaCtx, discussion.StartInput{GroupID: gid, Title: "Spring planting",
		Description: "What goes in the south bed this year, @BenFranklin?\n\n- tomatoes\n- beans"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Discussions.AddGuest(adaCtx, th.ID, gusID); err != nil {
		t.Fatal(err)
	}
	threadPath := "/threads/" + th.ID
	mentions := func(p *person, path, sel, want string) {
		t.Helper()
		var got string
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			p.open(path)
			got = browsertest.Get(p.Session, "read the mentions", chromedp.Evaluate[string](`[...document.querySelectorAll("`+sel+` a.mention")].map(a => a.getAttribute("href") + " " + a.textContent).join("|")`))
			if got == want || time.Now().After(deadline) {
				break
			}
		}
		if got != want {
			t.Fatalf("%s: mentions %q, want %q", path, got, want)
		}
	}
	mentions(cy, threadPath, ".user-content.description", "/groups/"+gid+"?tab=members#member-"+benID+" @BenFranklin")

	// A poll in the thread: its details mention Cy, its voters are chosen
	// (Ada, Ben and Gus, the thread's guest).
	d := poll.New(poll.TypeProposal)
	d.Title, d.Details = "Plant tomatoes this spring?", "@CyYoung, you know the **south bed** best."
	at := time.Now().Add(72 * time.Hour).UTC()
	d.Settings.ClosingAt, d.Settings.SpecifiedVotersOnly = &at, true
	adaID := authz.ActorFrom(adaCtx).UserID
	p, err := a.Decisions.Create(adaCtx, decision.CreateInput{GroupID: gid, ThreadID: th.ID, Definition: d, Voters: []string{adaID, benID, gusID}})
	if err != nil {
		t.Fatal(err)
	}
	pollPath := "/polls/" + p.ID
	mentions(ben, pollPath, ".poll-details", "/groups/"+gid+"?tab=members#member-"+cyID+" @CyYoung")
	ben.sees("Ada Lovelace", "Gus Guest")
	shot(ben, "ux1-poll-details-voters")
	cy.open(threadPath)
	cy.sees("you know the south bed best")
	shot(cy, "ux1-thread-description-card")
	cy.open("/notifications")
	cy.sees("mentioned you in Plant tomatoes this spring?")
	shot(cy, "ux1-notification-poll-mention")

	// The guest's dashboard: the poll waits for Gus's vote.
	gus.open("/dashboard")
	gus.sees("Plant tomatoes this spring?", "as a guest of its thread", "closes in")
	gus.notSees("Garden Club")
	shot(gus, "ux1-dashboard-guest")

	// Proxies: Ben gives Ada his proxy for every poll.
	if _, err := a.Decisions.GrantProxy(benCtx, gid, "", adaID); err != nil {
		t.Fatal(err)
	}
	ada.open("/groups/" + gid + "/proxies")
	ada.sees("Ben Franklin")
	shot(ada, "ux1-proxies-held")
	ben.open("/groups/" + gid + "/proxies")
	shot(ben, "ux1-proxies-given")

	// Histories: the description edited, the outcome edited.
	cur, err := a.Discussions.Thread(adaCtx, th.ID)
	if err != nil {
		t.Fatal(err)
	}
	desc := "What goes in the south bed this year, @BenFranklin? Tomatoes or beans."
	if _, err := a.Discussions.UpdateThread(adaCtx, th.ID, discussion.UpdateInput{Description: &desc, Version: cur.Version}); err != nil {
		t.Fatal(err)
	}
	ben.open(threadPath + "/history")
	shot(ben, "ux1-thread-history")
	if _, err := a.Decisions.Close(adaCtx, p.ID); err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{"We plant tomatoes.", "We plant tomatoes in the south bed."} {
		if _, err := a.Decisions.SetOutcome(adaCtx, p.ID, decision.OutcomeInput{Statement: st}); err != nil {
			t.Fatal(err)
		}
	}
	ben.open(pollPath)
	ben.Do("open the outcome's history", chromedp.Click(`.outcome-history > summary`))
	shot(ben, "ux1-outcome-history")

	// Tables that stack on a phone.
	ada.open(threadPath + "/guests")
	ada.sees("Gus Guest")
	shot(ada, "ux1-thread-guests")
	ada.open("/security")
	shot(ada, "ux1-security")
	ada.open("/groups/" + gid + "/held-mail")
	shot(ada, "ux1-held-mail")
}
