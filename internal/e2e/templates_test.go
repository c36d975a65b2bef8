package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/poll"
)

// The browser test of templates (#17): Ada, an admin, saves a consent
// proposal as the group's template; Ben, a member, starts from it on the
// group's page, finds the form prefilled with its guide, submits it and
// votes. Each page is checked with axe-core and the CSP checks, at 1280
// and 390 px (screenshots with QUORUM_SCREENSHOTS).
func TestTemplateSavedByAdminStartedByMember(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ben := s.person(t, "ben", "Ben Franklin")
	for _, p := range []*person{ada, ben} {
		p.signedUp()
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
	d := poll.New(poll.TypeProposal)
	d.Title, d.Details = "Adopt the watering rota?", "Two people a week, in turn."
	d.Options = []poll.Option{{ID: poll.OptionConsent, Label: "Consent"}, {ID: poll.OptionObjection, Label: "Objection"}}
	at := time.Now().Add(5 * 24 * time.Hour).UTC()
	d.Settings.ClosingAt, d.Settings.ReasonMode = &at, poll.ReasonRequired
	p, err := a.Decisions.Create(adaCtx, decision.CreateInput{GroupID: gid, Definition: d})
	if err != nil {
		t.Fatal(err)
	}

	// Ada saves the poll as a template, with a guide.
	ada.open("/polls/" + p.ID)
	ada.follow("Save as a template")
	ada.sees("Save this poll as a template", "Voting stays open for (days)")
	ada.audit("save a poll as a template")
	ada.at(390, "template-save")
	ada.fill("Name of the template", "Rota decision")
	ada.fill("Guide", "Say which rota and why; object only if it is unsafe.")
	if st := ada.submit("Save template"); st != 200 {
		t.Fatalf("save template: %d", st)
	}
	ada.sees("Template saved.", "This group's templates", "Rota decision", "Built-in processes", "Consent decision")

	// Ada opens its edit form from the templates page and saves it as it is.
	if st := ada.follow("Edit Rota decision"); st != 200 {
		t.Fatalf("edit form: %d", st)
	}
	ada.sees("Edit the template Rota decision", "Name of the template", "Voting stays open for (days)")
	ada.audit("template edit form")
	ada.at(1280, "template-edit")
	ada.at(390, "template-edit")
	if st := ada.submit("Save template"); st != 200 {
		t.Fatalf("save the edit: %d", st)
	}
	ada.sees("Template saved.", "Rota decision", "Say which rota and why; object only if it is unsafe.")

	// The "New decision" page offers the poll templates beside the kinds of poll.
	ben.open("/groups/" + gid + "/polls/new")
	// (A thread template's poll is offered on its own too: the advice
	// process's question round.)
	ben.sees("Or start from a template", "Rota decision", "Consent decision", "Election", "Advice process")

	// Ben starts from it on the group's page.
	ben.open("/groups/" + gid)
	ben.follow("Start from a template")
	ben.sees("Rota decision", "Say which rota and why", "Advice process", "Election")
	ben.notSees("Move up", "Hide", "Delete")
	ben.audit("templates page (member)")
	ben.at(1280, "templates")
	ben.at(390, "templates")
	ben.follow("Start from Rota decision")
	if h := ben.heading(); h != "New proposal" {
		t.Fatalf("form heading %q", h)
	}
	ben.sees("Rota decision", "Say which rota and why; object only if it is unsafe.")
	title := browsertest.Get(ben.Session, "read the title", chromedp.Evaluate[string](`document.querySelector("#title").value`))
	if title != "Adopt the watering rota?" {
		t.Fatalf("prefilled title %q", title)
	}
	if !ben.checked(ben.field("Consent")) || ben.checked(ben.field("Agree")) {
		t.Fatal("the template's options are not the ones ticked")
	}
	ben.audit("poll form from a template")
	ben.at(1280, "template-poll-form")
	ben.at(390, "template-poll-form")
	polls, err := a.Decisions.List(adaCtx, gid, "", 10)
	if err != nil || len(polls.Items) != 1 {
		t.Fatalf("opening the form created a poll: %d, %v", len(polls.Items), err)
	}
	ben.fill("Title", "Adopt the summer watering rota?")
	ben.submit("Start poll")
	ben.sees("Your poll is ready.", "Adopt the summer watering rota?", "Two people a week, in turn.")

	// ... and votes in it, with the reason the template requires.
	ben.Do("choose Consent", chromedp.Click(ben.field("Consent")))
	ben.fill("Reason", "Safe to try for a month.")
	ben.submit("Vote")
	ben.sees("Your vote was counted.", "You voted: Consent")
	np := strings.TrimPrefix(ben.path(), "/polls/")
	got, err := a.Decisions.Get(adaCtx, np)
	if err != nil {
		t.Fatal(err)
	}
	if got.Definition.Settings.ReasonMode != poll.ReasonRequired {
		t.Errorf("reason mode %q, want the template's required", got.Definition.Settings.ReasonMode)
	}
	if c := got.Definition.Settings.ClosingAt; c == nil || time.Until(*c) < 4*24*time.Hour || time.Until(*c) > 5*24*time.Hour+time.Hour {
		t.Errorf("closing time %v, want about 5 days from now (the template's offset)", c)
	}
}
