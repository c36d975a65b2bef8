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

// The browser test of proxy voting (issue 17): in a group that allows it,
// Ada gives Ben her proxy from the poll page; Ben votes for her from the
// poll's card in the thread ("Vote for Ada Lovelace"); Ada sees the vote
// cast for her ("cast by Ben Franklin for Ada Lovelace") and overrides it
// by voting herself, which ends the proxy; Ben's card no longer offers it.
// Every state is checked with axe-core and the CSP checks, at 1280 and 390
// px (screenshots with QUORUM_SCREENSHOTS).
func TestProxyVoteFromTheCard(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ben := s.person(t, "ben", "Ben Franklin")
	for _, p := range []*person{ada, ben} {
		p.signedUp() // a minted session: signing in is other tests' subject
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
	if _, err := a.Groups.JoinViaLink(actingAs(t, a, ben.Email), link[strings.LastIndex(link, "/join/")+len("/join/"):]); err != nil {
		t.Fatal(err)
	}
	// Ada turns proxy voting on in the group's settings.
	ada.open("/groups/" + gid + "/settings")
	ada.Do("tick proxy voting", chromedp.Click(ada.field("Members can vote by proxy")))
	ada.submit("Save settings")
	if g, err := a.Groups.Get(adaCtx, gid); err != nil || !g.Permissions.ProxyVoting {
		t.Fatalf("proxy voting not on: %+v %v", g.Permissions, err)
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
	p, err := a.Decisions.Create(adaCtx, decision.CreateInput{GroupID: gid, ThreadID: th.ID, Definition: d})
	if err != nil {
		t.Fatal(err)
	}
	pollPath, threadPath := "/polls/"+p.ID, "/threads/"+th.ID

	// Ada gives Ben her proxy for this poll.
	ada.open(pollPath)
	ada.sees("Proxy")
	ada.notSees("Give your proxy to") // the form waits in its panel
	ada.Do("open the proxy panel", chromedp.Click(`details#proxy > summary`))
	ada.sees("Give your proxy to")
	ada.audit("poll page with the proxy form")
	ada.at(1280, "proxy-give")
	ada.at(390, "proxy-give")
	if st := ada.submit("Give my proxy"); st != 200 {
		t.Fatalf("give proxy: %d", st)
	}
	ada.sees("Your proxy was given.", "Your proxy for this poll is with Ben Franklin.")

	// Ben votes for Ada from the card in the thread.
	ben.open(threadPath)
	ben.sees("Vote for Ada Lovelace", "with their proxy")
	ben.audit("thread with a vote-for link on the card")
	ben.at(390, "proxy-card")
	if st := ben.follow("Vote for Ada Lovelace"); st != 200 {
		t.Fatalf("vote-for form: %d", st)
	}
	ben.sees("You are voting for Ada Lovelace with their proxy.")
	ben.audit("vote-for form")
	ben.at(1280, "proxy-vote-for")
	ben.at(390, "proxy-vote-for")
	ben.Do("choose Agree", chromedp.Click(`input[name="choice"][value="agree"]`))
	ben.fill("Reason", "Ada asked me to.")
	if st := ben.submit("Vote for Ada Lovelace"); st != 200 {
		t.Fatalf("vote for: %d", st)
	}
	ben.sees("Your vote for them was counted.", "you voted Agree for them")
	ben.notSees("You voted: Agree") // Ben's own vote is untouched

	// Ben withdraws the vote he cast for Ada from the card, then votes for
	// her again from the poll page's Proxy section.
	ben.open(threadPath)
	ben.sees("Withdraw Ada Lovelace's vote")
	browsertest.Get(ben.Session, "accept the confirmation", chromedp.Evaluate[bool](`(window.confirm = () => true, true)`))
	if st := ben.submit("Withdraw Ada Lovelace's vote"); st != 200 {
		t.Fatalf("withdraw for: %d", st)
	}
	ben.sees("The vote you cast for them was withdrawn.", "Vote for Ada Lovelace")
	ben.notSees("you voted Agree for them")
	ben.audit("poll page after withdrawing the vote cast for Ada")
	ben.at(390, "proxy-withdrawn")
	if st := ben.follow("Vote for Ada Lovelace"); st != 200 {
		t.Fatalf("vote-for form again: %d", st)
	}
	ben.Do("choose Agree again", chromedp.Click(`input[name="choice"][value="agree"]`))
	if st := ben.submit("Vote for Ada Lovelace"); st != 200 {
		t.Fatalf("vote for again: %d", st)
	}
	ben.sees("you voted Agree for them")

	// Ben's page of proxies lists Ada's for this poll; Ada's lists hers.
	ben.open("/groups/" + gid)
	if st := ben.follow("Your proxies"); st != 200 {
		t.Fatalf("proxies page: %d", st)
	}
	ben.sees("Proxies you hold", "Ada Lovelace, for Plant tomatoes this spring?")
	ben.audit("proxies page of the holder")
	ada.open("/groups/" + gid + "/proxies")
	ada.sees("Proxies you gave", "For Plant tomatoes this spring?: Ben Franklin", "Take it back")
	ada.audit("proxies page of the grantor")
	ada.at(1280, "proxies-page")
	ada.at(390, "proxies-page")

	// Ada sees it, and overrides it by voting herself.
	ada.open(pollPath)
	ada.sees("You voted: Agree", "This vote was cast for you with your proxy.", "cast by Ben Franklin for Ada Lovelace")
	ada.audit("poll page with a vote cast by proxy")
	ada.at(1280, "proxy-cast-for-you")
	ada.at(390, "proxy-cast-for-you")
	ada.Do("choose Disagree", chromedp.Click(`input[name="choice"][value="disagree"]`))
	if st := ada.submit("Change vote"); st != 200 {
		t.Fatalf("override: %d", st)
	}
	ada.sees("Your vote was changed.", "You voted: Disagree", "Your proxy for this poll has ended.")
	ada.notSees("cast by Ben Franklin")

	// Ben's card no longer offers the vote for Ada.
	ben.open(threadPath)
	ben.notSees("Vote for Ada Lovelace")
	if _, err := a.Groups.Get(adaCtx, gid); err != nil {
		t.Fatal(err)
	}
}
