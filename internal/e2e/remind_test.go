package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
)

// The browser test of a manual reminder sent off the request (issue 14):
// Ada, the poll's author, presses "Remind people who have not voted"; the
// page says the reminder is on its way (it no longer knows how many it
// reaches); within seconds Cy, who has not voted, has it in his
// notifications, and Ben, who voted, does not.
func TestManualReminderReachesTheUndecided(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ben := s.person(t, "ben", "Ben Franklin")
	cy := s.person(t, "cy", "Cy Young")
	for _, p := range []*person{ada, ben, cy} {
		p.open("/signup")
		p.signInWithCode(true)
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
	for _, p := range []*person{ben, cy} {
		if _, err := a.Groups.JoinViaLink(actingAs(t, a, p.Email), token); err != nil {
			t.Fatal(err)
		}
	}
	th, err := a.Discussions.StartThread(adaCtx, discussion.StartInput{GroupID: gid, Title: "Spring planting",
		Description: "What goes in the south bed this year?", Notify: &notify.Audience{}})
	if err != nil {
		t.Fatal(err)
	}
	d := poll.New(poll.TypeProposal)
	d.Title, d.Details = "Plant tomatoes this spring?", "Decide before the seeds sell out."
	at := time.Now().Add(72 * time.Hour).UTC()
	d.Settings.ClosingAt = &at
	p, err := a.Decisions.Create(adaCtx, decision.CreateInput{GroupID: gid, ThreadID: th.ID, Definition: d, Notify: &notify.Audience{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Decisions.Vote(actingAs(t, a, ben.Email), p.ID, decision.VoteInput{Ballot: poll.Ballot{
		Choices: []poll.Choice{{OptionID: poll.OptionAgree, Score: 1}}}}); err != nil {
		t.Fatal(err)
	}

	ada.open("/polls/" + p.ID)
	if st := ada.submit("Remind people who have not voted"); st != 200 {
		t.Fatalf("remind: %d", st)
	}
	ada.sees("A reminder is on its way to the people who have not voted yet.")
	ada.audit("poll page after a reminder")
	ada.at(1280, "poll-reminder-sending")
	ada.at(390, "poll-reminder-sending")

	cy.seesNotifications("Reminder to vote:", "Plant tomatoes this spring?")
	cy.audit("notifications with a reminder")
	ben.open("/notifications")
	ben.notSees("Reminder to vote:")
}
