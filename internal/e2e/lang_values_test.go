package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/poll"
)

// TestValuesInTheReadersLanguage walks the pages whose messages hold
// values the code fills in (issue 18): the dashboard's and the group's
// Decisions tab (poll types, time left, closing times), a meeting poll
// (its times as option labels, in the reader's language and zone) and a
// proposal's results (a vote-share rule), first in German, then in Arabic
// (right to left, screenshots at 1280 and 390 px). No English word of
// Quorum's own may show on the German pages.
func TestValuesInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ada.open("/signup")
	ada.signInWithCode(true)
	adaCtx := actingAs(t, a, ada.Email)
	g, err := a.Groups.Create(adaCtx, group.CreateInput{Name: "Garden Club", Privacy: "closed"})
	if err != nil {
		t.Fatal(err)
	}
	th, err := a.Discussions.StartThread(adaCtx, discussion.StartInput{GroupID: g.ID, Title: "Spring planting",
		Description: "What goes in the south bed this year?"})
	if err != nil {
		t.Fatal(err)
	}
	closing := time.Now().Add(72 * time.Hour).UTC()
	m := poll.New(poll.TypeMeeting)
	m.Title = "Work day"
	m.Settings.ClosingAt = &closing
	m.Settings.TimeZone = "America/New_York"
	m.Options = []poll.Option{{ID: "t1", Start: time.Date(2030, 6, 3, 15, 0, 0, 0, time.UTC)},
		{ID: "t2", Start: time.Date(2030, 6, 4, 0, 0, 0, 0, time.UTC), AllDay: true}}
	meeting, err := a.Decisions.Create(adaCtx, decision.CreateInput{GroupID: g.ID, ThreadID: th.ID, Definition: m})
	if err != nil {
		t.Fatal(err)
	}
	pd := poll.New(poll.TypeProposal)
	pd.Title = "Tomatoes?"
	pd.Settings.ClosingAt = &closing
	pd.Settings.VoteShare = []poll.Requirement{{OptionID: poll.OptionAgree, Measure: poll.MeasureVoterPercent, Op: poll.AtLeast, Threshold: 50}}
	prop, err := a.Decisions.Create(adaCtx, decision.CreateInput{GroupID: g.ID, ThreadID: th.ID, Definition: pd})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Decisions.Vote(adaCtx, prop.ID, decision.VoteInput{Ballot: poll.Ballot{
		Choices: []poll.Choice{{OptionID: poll.OptionAgree, Score: 1}}}}); err != nil {
		t.Fatal(err)
	}
	setLang := func(code string) {
		ada.open("/settings")
		browsertest.Get(ada.Session, "choose "+code, chromedp.Evaluate[bool](
			`(e => { e.value = "`+code+`"; return true })(document.querySelector("#locale"))`))
		if st := ada.press("save the language", chromedp.CSS(`form[action="/settings"] button[type="submit"]`)); st >= 400 {
			t.Fatalf("set language %s: status %d", code, st)
		}
	}
	pages := []struct{ name, path string }{
		{"dashboard", "/dashboard"},
		{"decisions", "/groups/" + g.ID + "?tab=decisions"},
		{"meeting", "/polls/" + meeting.ID},
		{"proposal", "/polls/" + prop.ID},
	}
	// English words the code used to fill into these pages' messages.
	english := []string{"closes in", "closing now", "Mon 3 Jun", "Tue 4 Jun", "Proposal", "Meeting", "voter percent", ">=",
		"Times are in", "Requirement"}
	setLang("de")
	for _, pg := range pages {
		if st := ada.open(pg.path); st != 200 {
			t.Fatalf("%s: status %d", pg.name, st)
		}
		ada.notSees(english...)
		ada.at(1280, "values-"+pg.name+"-de")
		ada.at(390, "values-"+pg.name+"-de")
	}
	ada.open("/dashboard")
	ada.sees("Terminfindung", "endet in")
	ada.open("/groups/" + g.ID + "?tab=decisions")
	ada.sees("Vorschlag", "Terminfindung", "endet in")
	ada.open("/polls/" + meeting.ID)
	ada.sees("Mo., 3. Juni 2030, 15:00", "Di., 4. Juni 2030")
	ada.open("/polls/" + prop.ID)
	ada.sees("mit mindestens 50")

	setLang("ar")
	for _, pg := range pages {
		if st := ada.open(pg.path); st != 200 {
			t.Fatalf("%s: status %d", pg.name, st)
		}
		ada.notSees(english...)
		ada.at(1280, "values-"+pg.name+"-ar")
		ada.at(390, "values-"+pg.name+"-ar")
	}
	ada.open("/polls/" + meeting.ID)
	ada.sees("الاثنين")
	ada.audit("meeting poll in Arabic")
}
