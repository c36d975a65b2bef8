package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
)

// Voters are told when a poll opens (created open or a draft published) and
// when its outcome is published, once, according to their levels; the
// outcome's notification carries the opening of its statement as clean
// text (what its author wrote), never a result figure.
func TestPollOpenedAndOutcomeNotifications(t *testing.T) {
	e, o, m, n := newPollEnv(t)
	ctx := context.Background()
	if err := e.a.Notifications.SetLevel(ctx, n.id, notify.GroupScope(e.gid), notify.Mute); err != nil {
		t.Fatal(err)
	}
	// A draft tells nobody; publishing it tells the voters but the author.
	d := poll.New(poll.TypeProposal)
	d.Title = "Paint the shed green"
	draft, err := e.a.Decisions.Create(o.ctx, decision.CreateInput{GroupID: e.gid, Definition: d})
	if err != nil {
		t.Fatal(err)
	}
	if got := pollNotes(e, m, draft.ID, notify.PollOpened); len(got) != 0 {
		t.Fatalf("draft notified: %+v", got)
	}
	at := time.Now().Add(48 * time.Hour).UTC()
	d.Settings.ClosingAt = &at
	if _, err := e.a.Decisions.Update(o.ctx, draft.ID, decision.UpdateInput{Definition: d, Version: draft.Version}); err != nil {
		t.Fatal(err)
	}
	got := pollNotes(e, m, draft.ID, notify.PollOpened)
	if len(got) != 1 || got[0].Title != "Paint the shed green" || !strings.HasPrefix(got[0].Excerpt, "Open for votes until ") {
		t.Fatalf("Milo: %+v", got)
	}
	if len(pollNotes(e, o, draft.ID, notify.PollOpened)) != 0 || len(pollNotes(e, n, draft.ID, notify.PollOpened)) != 0 {
		t.Fatal("the author or a muted member was told")
	}
	// Specified voters: only they hear of it.
	sd := poll.New(poll.TypeProposal)
	sd.Title = "Only Nina and Olga"
	sd.Settings.ClosingAt = &at
	sd.Settings.SpecifiedVotersOnly = true
	if err := e.a.Notifications.SetLevel(ctx, n.id, notify.GroupScope(e.gid), notify.Quiet); err != nil {
		t.Fatal(err)
	}
	sp, err := e.a.Decisions.Create(o.ctx, decision.CreateInput{GroupID: e.gid, Definition: sd, Voters: []string{n.id, o.id}})
	if err != nil {
		t.Fatal(err)
	}
	if len(pollNotes(e, n, sp.ID, notify.PollOpened)) != 1 || len(pollNotes(e, m, sp.ID, notify.PollOpened)) != 0 {
		t.Fatal("specified voters: wrong recipients")
	}

	// Outcome: published once to the voters; editing it tells nobody again.
	agreeVote(e, m, draft.ID)
	if _, err := e.a.Decisions.Close(o.ctx, draft.ID); err != nil {
		t.Fatal(err)
	}
	const statement = "We paint it **green**:\n\n- the shed\n- the [gate](https://example.org/gate) <script>alert('x')</script>"
	out, err := e.a.Decisions.SetOutcome(o.ctx, draft.ID, decision.OutcomeInput{Statement: statement})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Decisions.SetOutcome(o.ctx, draft.ID, decision.OutcomeInput{Statement: statement + " (edited)", Version: out.Version}); err != nil {
		t.Fatal(err)
	}
	for _, who := range []*pollPerson{m, n} {
		got := pollNotes(e, who, draft.ID, notify.OutcomePublished)
		if len(got) != 1 {
			t.Fatalf("%s: %d outcome notifications", who.name, len(got))
		}
		// The first version's words, as they read on the page: no markup.
		if got[0].Excerpt != "We paint it green: • the shed • the gate" || strings.ContainsAny(got[0].Excerpt+got[0].Title, "%0123456789") {
			t.Fatalf("%s: the notification's excerpt is not the statement's clean text (or carries a figure): %q", who.name, got[0].Excerpt)
		}
	}
	if len(pollNotes(e, o, draft.ID, notify.OutcomePublished)) != 0 {
		t.Fatal("the outcome's writer was told")
	}
}
