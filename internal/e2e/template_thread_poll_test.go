package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/poll"
)

// The browser test of a template that is a thread with a poll (#17): Ben
// starts the built-in consent process from the templates page; the thread
// form offers its consent proposal, ticked; one "Start thread" creates the
// thread and the proposal in it, which he then votes in on its card. Ada,
// an admin, saves the thread as a template with its poll. Axe and the CSP
// checks on each page, at 1280 and 390 px (QUORUM_SCREENSHOTS).
func TestTemplateThreadWithPoll(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ben := s.person(t, "ben", "Ben Franklin")
	for _, p := range []*person{ada, ben} {
		p.signedUp()
	}
	ada.open("/groups/new")
	ada.fill("Name", "Orchard Club")
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

	ben.open("/groups/" + gid + "/templates")
	ben.sees("Consent decision", "Thread with a poll (Proposal)")
	ben.follow("Start from Consent decision")
	ben.sees("Consent decision", "This process also opens a poll titled like the thread (Proposal, closes 7 days after)",
		"Open the poll together with the thread")
	if !ben.checked(ben.field("Open the poll together with the thread")) {
		t.Fatal("the poll is not ticked")
	}
	ben.audit("thread form with a poll")
	ben.at(1280, "template-thread-poll")
	ben.at(390, "template-thread-poll")
	ben.fill("Title", "Plant two more pear trees?")
	ben.fill("Description", "By the north fence, in March.")
	if st := ben.submit("Start thread"); st != 200 {
		t.Fatalf("start thread: %d", st)
	}
	ben.sees("Your thread is started.", "Plant two more pear trees?", "By the north fence, in March.")
	tid := strings.TrimPrefix(ben.path(), "/threads/")
	pids, _, err := a.Decisions.PollsOfThread(context.Background(), gid, tid, "")
	if err != nil || len(pids) != 1 {
		t.Fatalf("the thread has %d polls (%v), want its proposal", len(pids), err)
	}
	p, err := a.Decisions.Get(adaCtx, pids[0])
	if err != nil {
		t.Fatal(err)
	}
	if p.Definition.Type != poll.TypeProposal || p.Definition.Title != "Plant two more pear trees?" || p.Definition.Options[0].ID != poll.OptionConsent {
		t.Errorf("the poll %+v", p.Definition)
	}
	ben.audit("thread with its poll")
	ben.at(1280, "template-thread-poll-started")
	ben.at(390, "template-thread-poll-started")

	// Ada saves the thread as a template, with its poll.
	ada.open("/threads/" + tid)
	ada.follow("Save as a template")
	ada.sees("Save this thread as a template", "Poll of the thread", "Include its poll “Plant two more pear trees?”", "The thread alone")
	ada.audit("save a thread with its poll")
	ada.at(390, "template-save-thread-poll")
	ada.fill("Name of the template", "Orchard decision")
	if st := ada.submit("Save template"); st != 200 {
		t.Fatalf("save template: %d", st)
	}
	ada.sees("Template saved.", "Orchard decision", "Thread with a poll (Proposal)")
	ada.follow("Start from Orchard decision")
	ada.sees("This process also opens a poll: Plant two more pear trees? (Proposal, closes 7 days after)")
}
