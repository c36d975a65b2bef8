package e2e

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/poll"
)

// The key page states, one after the other, as `make screenshots` shows
// them (QUORUM_SCREENSHOTS names the folder): the landing page, sign-in,
// a new person's dashboard, a group's hub and its tabs, a thread with a
// proposal card voted on, a poll's results with its outcome, the new poll
// form, notifications. Every state is also checked here as anywhere
// else: axe-core and the CSP checks, and nothing wider than a 390 px
// screen.
func TestKeyPageStates(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ben := s.person(t, "ben", "Ben Franklin")
	cy := s.person(t, "cy", "Cy Young")
	shot := func(p *person, name string) {
		t.Helper()
		p.audit(name)
		p.at(1280, name)
		p.at(390, name)
		if os.Getenv("QUORUM_SCREENSHOTS") != "" { // and in the dark scheme, to look at
			p.colorScheme("dark")
			p.at(1280, name+"-dark")
			p.at(390, name+"-dark")
			p.colorScheme("")
		}
	}

	ada.open("/")
	shot(ada, "home")
	ada.open("/login")
	shot(ada, "sign-in")
	for _, p := range []*person{ada, ben, cy} {
		p.signedUp() // a minted session: signing in is other tests' subject
	}
	ada.open("/dashboard")
	shot(ada, "dashboard-new-person")

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
	for _, p := range []*person{ben, cy} {
		if _, err := a.Groups.JoinViaLink(actingAs(t, a, p.Email), token); err != nil {
			t.Fatal(err)
		}
	}
	th, err := a.Discussions.StartThread(adaCtx, discussion.StartInput{GroupID: gid, Title: "Spring planting",
		Description: "What goes in the south bed this year? Ideas so far:\n\n- tomatoes\n- beans\n\n> The bed gets sun from 10 to 4."})
	if err != nil {
		t.Fatal(err)
	}
	benCtx := actingAs(t, a, ben.Email)
	if _, err := a.Discussions.Comment(benCtx, th.ID, discussion.CommentInput{Body: "Tomatoes, @Ada: **fresh** all summer.\n\n| crop | weeks |\n|---|---|\n| tomatoes | 12 |\n| beans | 8 |"}); err != nil {
		t.Fatal(err)
	}
	proposal := func(title string) string {
		t.Helper()
		d := poll.New(poll.TypeProposal)
		d.Title, d.Details = title, "Decide here, in the thread."
		at := time.Now().Add(72 * time.Hour).UTC()
		d.Settings.ClosingAt = &at
		p, err := a.Decisions.Create(adaCtx, decision.CreateInput{GroupID: gid, ThreadID: th.ID, Definition: d})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	tomatoes := proposal("Plant tomatoes this spring?")
	for _, v := range []struct {
		who            *person
		option, reason string
	}{{ben, poll.OptionAgree, "Fresh tomatoes all summer."}, {cy, poll.OptionAgree, ""}, {ada, poll.OptionDisagree, "The beans need the sun more."}} {
		if _, err := a.Decisions.Vote(actingAs(t, a, v.who.Email), tomatoes, decision.VoteInput{Ballot: poll.Ballot{
			Choices: []poll.Choice{{OptionID: v.option, Score: 1}}, Reason: v.reason}}); err != nil {
			t.Fatal(err)
		}
	}
	beans := proposal("Move the beans north?")
	if _, err := a.Decisions.Vote(benCtx, beans, decision.VoteInput{Ballot: poll.Ballot{
		Choices: []poll.Choice{{OptionID: poll.OptionAbstain, Score: 1}}, Reason: "Either way."}}); err != nil {
		t.Fatal(err)
	}

	ben.open("/threads/" + th.ID)
	ben.sees("Plant tomatoes this spring?", "You voted: Agree")
	shot(ben, "thread-proposal-card")

	if _, err := a.Decisions.Close(adaCtx, tomatoes); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Decisions.SetOutcome(adaCtx, tomatoes, decision.OutcomeInput{Statement: "We plant tomatoes in the south bed."}); err != nil {
		t.Fatal(err)
	}
	ben.open("/polls/" + tomatoes)
	ben.sees("We plant tomatoes in the south bed.", "Agree")
	shot(ben, "poll-results")
	// The thread after the decision: the participants in its heading, the
	// outcome's author beside their avatar on the card.
	ben.open("/threads/" + th.ID)
	ben.sees("We plant tomatoes in the south bed.", "By Ada Lovelace")
	shot(ben, "thread-outcome-card")
	// An open poll as its admin sees it: the vote and the results open,
	// every other action behind a summary; then its menu opened.
	ada.open("/polls/" + beans)
	ada.notSees("Give your proxy to", "New closing time")
	shot(ada, "poll-admin-open")
	ada.Do("open the poll's menu", chromedp.Click(`details.poll-actions > summary`))
	ada.sees("Close poll now", "Remind people who have not voted")
	shot(ada, "poll-admin-menu")

	ada.open("/groups/" + gid)
	shot(ada, "group-hub")
	ada.open("/groups/" + gid + "?tab=decisions")
	shot(ada, "group-decisions")
	ada.open("/groups/" + gid + "?tab=members")
	shot(ada, "group-members")
	ada.open("/dashboard")
	shot(ada, "dashboard")
	ada.open("/groups/" + gid + "/polls/new?type=proposal&thread=" + th.ID)
	shot(ada, "poll-form")
	ada.open("/notifications")
	shot(ada, "notifications")
}
