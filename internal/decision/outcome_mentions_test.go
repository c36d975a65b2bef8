package decision_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
)

// fanouts records the fan-out jobs the service writes.
type fanouts struct {
	mu   sync.Mutex
	jobs []decision.NoticeFanout
}

func (f *fanouts) AddFanout(_ context.Context, _ *store.Tx, j decision.NoticeFanout) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.jobs = append(f.jobs, j)
	return nil
}

// An outcome's @mentions are mentions, as a comment's: writing it adds a
// job that tells the people named (not the author, not @group) with the
// statement's opening; what the job resolves comes back and the statement
// shows them linked. An edit tells nobody it named before; a resolution
// of an older version changes nothing.
func TestOutcomeMentions(t *testing.T) {
	f := newFixture(t)
	jobs := &fanouts{}
	svc := decision.New(decision.Config{Store: f.st, Groups: f.groups, Notifier: f.notes, Fanout: jobs, Now: f.clock.Now})
	gid := f.group(authz.Open, "ann", "bob", "cy")
	ann := f.as("ann")
	p := f.create(ann, gid, f.definition(poll.TypeProposal, nil))
	_, err := svc.Close(ann, p.ID)
	f.must(err)
	jobs.jobs = nil // the closing's own

	o, err := svc.SetOutcome(ann, p.ID, decision.OutcomeInput{Statement: "We paint. Thanks @bob, and @group: `@cy` is code."})
	f.must(err)
	if len(jobs.jobs) != 1 {
		t.Fatalf("jobs: %+v", jobs.jobs)
	}
	// The voters (Bob, Cy) hear of the outcome now; the mention job tells
	// none of them again: a guest of the poll's thread, say, it would.
	j := jobs.jobs[0]
	if j.Kind != decision.NoticeMentioned || j.PollID != p.ID || j.ActorID != f.uid("ann") || len(j.Phases) != 1 ||
		strings.Join(j.Phases[0].Keys, ",") != "bob" || !strings.HasPrefix(j.Phases[0].Excerpt, "We paint. Thanks @bob") ||
		!sameSet(j.Skip, f.uid("ann"), f.uid("bob"), f.uid("cy")) {
		t.Fatalf("job %+v", j)
	}
	if n := f.notes.of(decision.NoticeOutcomePublished); len(n) != 1 || !sameSet(n[0].Recipients, f.uid("bob"), f.uid("cy")) {
		t.Fatalf("outcome notices %+v", n)
	}
	if strings.Contains(string(o.StatementHTML), "mention") {
		t.Errorf("linked before the job ran: %s", o.StatementHTML)
	}

	if j.Phases[0].Part != decision.PartOutcome {
		t.Fatalf("the outcome's mention phase is not marked as the outcome's: Part %q", j.Phases[0].Part)
	}
	// The job resolves @bob to Bob and hands it back.
	ref := notify.MentionRef{GroupID: gid, PollID: p.ID, Version: j.Phases[0].Version, Part: j.Phases[0].Part,
		ByKey: map[string][]string{"bob": {f.uid("bob")}}, People: []string{f.uid("bob")}}
	f.must(svc.MentionsResolved(t.Context(), ref))
	link := `<a class="mention" href="/groups/` + gid + `?tab=members#member-` + f.uid("bob") + `" rel="nofollow noreferrer">@bob</a>`
	got, err := svc.GetOutcome(f.as("cy"), p.ID)
	f.must(err)
	if !strings.Contains(string(got.StatementHTML), link) || !strings.Contains(string(got.StatementHTML), "<code>@cy</code>") {
		t.Errorf("resolved: %s", got.StatementHTML)
	}
	if got.Version != o.Version {
		t.Errorf("recording the mentions changed the version: %d, was %d", got.Version, o.Version)
	}
	// The poll's details are not the statement: their HTML stays as it was.
	pv, err := svc.Get(f.as("cy"), p.ID)
	f.must(err)
	if strings.Contains(string(pv.DetailsHTML), "mention") {
		t.Errorf("the details took the outcome's mentions: %s", pv.DetailsHTML)
	}

	// An edit: Bob was told already; the older version's resolution,
	// arriving late, changes nothing.
	jobs.jobs = nil
	_, err = svc.SetOutcome(ann, p.ID, decision.OutcomeInput{Statement: "We paint, @bob and @cy.", Version: got.Version})
	f.must(err)
	if len(jobs.jobs) != 1 || strings.Join(jobs.jobs[0].Skip, ",") != f.uid("ann")+","+f.uid("bob") ||
		strings.Join(jobs.jobs[0].Phases[0].Keys, ",") != "bob,cy" {
		t.Fatalf("edit's job %+v", jobs.jobs)
	}
	f.must(svc.MentionsResolved(t.Context(), ref))
	got, err = svc.GetOutcome(f.as("cy"), p.ID)
	f.must(err)
	if strings.Contains(string(got.StatementHTML), "mention") || !strings.Contains(string(got.StatementHTML), "We paint, @bob and @cy.") {
		t.Errorf("a stale resolution applied: %s", got.StatementHTML)
	}

	// Without mentions, no job.
	jobs.jobs = nil
	_, err = svc.SetOutcome(ann, p.ID, decision.OutcomeInput{Statement: "We paint.", Version: got.Version})
	f.must(err)
	if len(jobs.jobs) != 0 {
		t.Errorf("a job without mentions: %+v", jobs.jobs)
	}
}

func sameSet(got []string, want ...string) bool {
	if len(got) != len(want) {
		return false
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			return false
		}
	}
	return true
}
