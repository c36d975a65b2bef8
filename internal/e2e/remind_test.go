package e2e

import (
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/decision"
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
	g := newGardenThread(t, &notify.Audience{})
	a, ada, ben, cy, adaCtx, gid := g.a, g.ada, g.ben, g.cy, g.adaCtx, g.gid
	d := poll.New(poll.TypeProposal)
	d.Title, d.Details = "Plant tomatoes this spring?", "Decide before the seeds sell out."
	at := time.Now().Add(72 * time.Hour).UTC()
	d.Settings.ClosingAt = &at
	p, err := a.Decisions.Create(adaCtx, decision.CreateInput{GroupID: gid, ThreadID: g.thread, Definition: d, Notify: &notify.Audience{}})
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
