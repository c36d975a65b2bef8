package decision_test

import (
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/render"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// An outcome's statement is Markdown, rendered when written as a comment
// is (sanitised: the script tag typed into it is inert) and stored with
// the renderer's version; every read (GetOutcome, the cards, the group's
// decisions, the history) shows it rendered, and an outcome stored before
// (no HTML) or by an older renderer is rendered again from its statement.
// The voters' notice carries its opening as clean text.
func TestOutcomeStatementRendersMarkdown(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Open, "ann", "bob")
	ann := f.as("ann")
	p := f.create(ann, gid, f.definition(poll.TypeProposal, nil))
	_, err := f.svc.Close(ann, p.ID)
	f.must(err)
	const src = "We **agree**:\n\n1. paint\n2. [plant](https://example.org/seeds)\n\n<script>alert(1)</script> <img src=x onerror=alert(2)>"
	o, err := f.svc.SetOutcome(ann, p.ID, decision.OutcomeInput{Statement: src})
	f.must(err)
	want := []string{"<strong>agree</strong>", "<ol>", "<li>paint</li>", `<a href="https://example.org/seeds" rel="nofollow noreferrer">plant</a>`}
	check := func(what, got string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: lacks %s: %s", what, w, got)
			}
		}
		for _, bad := range []string{"<script", "<img", "onerror", "**"} {
			if strings.Contains(got, bad) {
				t.Errorf("%s: %s survived: %s", what, bad, got)
			}
		}
	}
	check("SetOutcome", string(o.StatementHTML))
	if o.Statement != src {
		t.Errorf("the source changed: %q", o.Statement)
	}
	n := f.notes.of(decision.NoticeOutcomePublished)
	if len(n) != 1 || n[0].Excerpt != "We agree: • paint • plant" {
		t.Fatalf("notice: %+v", n)
	}

	bob := f.as("bob")
	got, err := f.svc.GetOutcome(bob, p.ID)
	f.must(err)
	check("GetOutcome", string(got.StatementHTML))
	ds, err := f.svc.Decisions(bob, gid, "", 10)
	f.must(err)
	if len(ds.Items) != 1 || ds.Items[0].Outcome == nil {
		t.Fatalf("decisions: %+v", ds.Items)
	}
	check("Decisions", string(ds.Items[0].Outcome.StatementHTML))

	// Stored before render-at-write (no HTML), then by an older renderer
	// (stale HTML): both read as the statement rendered now.
	pk := tabledef.PollPK(p.ID)
	f.must(f.st.Update(pk, "OUTCOME").Remove("HTML", "RenderV").Run(t.Context()))
	got, err = f.svc.GetOutcome(bob, p.ID)
	f.must(err)
	check("no stored HTML", string(got.StatementHTML))
	f.must(f.st.Update(pk, "OUTCOME").Set("HTML", "<p>stale</p>").Set("RenderV", 1).Run(t.Context()))
	got, err = f.svc.GetOutcome(bob, p.ID)
	f.must(err)
	check("older renderer", string(got.StatementHTML))

	// An edit renders anew; the version it replaced reads rendered too.
	_, err = f.svc.SetOutcome(ann, p.ID, decision.OutcomeInput{Statement: "_Changed_", Version: got.Version})
	f.must(err)
	got, err = f.svc.GetOutcome(bob, p.ID)
	f.must(err)
	if !strings.Contains(string(got.StatementHTML), "<em>Changed</em>") {
		t.Errorf("edited: %s", got.StatementHTML)
	}
	h, err := f.svc.OutcomeHistory(bob, p.ID)
	f.must(err)
	if len(h) != 1 {
		t.Fatalf("history: %+v", h)
	}
	check("history", string(h[0].Before.StatementHTML))
	if len(f.notes.of(decision.NoticeOutcomePublished)) != 1 {
		t.Error("an edit told the voters again")
	}
}

// Version 3 of the renderer writes a task list's boxes as ☐ and ☑: an
// outcome stored by version 2 (its boxes were inputs without a type,
// empty text boxes) reads as its statement rendered again.
func TestOutcomeOfRendererTwoRendersAgain(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Open, "ann", "bob")
	ann := f.as("ann")
	p := f.create(ann, gid, f.definition(poll.TypeProposal, nil))
	_, err := f.svc.Close(ann, p.ID)
	f.must(err)
	_, err = f.svc.SetOutcome(ann, p.ID, decision.OutcomeInput{Statement: "- [x] buy seeds\n- [ ] dig"})
	f.must(err)
	const v2 = "<ul>\n<li><input checked=\"\" disabled=\"\"> buy seeds</li>\n<li><input disabled=\"\"> dig</li>\n</ul>\n"
	f.must(f.st.Update(tabledef.PollPK(p.ID), "OUTCOME").Set("HTML", v2).Set("RenderV", 2).Run(t.Context()))
	got, err := f.svc.GetOutcome(f.as("bob"), p.ID)
	f.must(err)
	for _, want := range []string{`<li><span class="task">☑</span> buy seeds</li>`, `<li><span class="task">☐</span> dig</li>`} {
		if !strings.Contains(string(got.StatementHTML), want) {
			t.Errorf("read as %s, want %s in it", got.StatementHTML, want)
		}
	}
	if render.Version <= 2 {
		t.Errorf("render.Version is %d: HTML of version 2 would read as current", render.Version)
	}
}
