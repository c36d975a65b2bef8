package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/cores"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/search"
	"github.com/quorum-app/quorum/internal/testcloud"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

// appWithAlice is the application on a table of its own, logging to logs,
// and the context of its one user, Alice.
func appWithAlice(t *testing.T, logs io.Writer) (*cores.Cores, context.Context) {
	env := testcloud.New(t)
	ctx := context.Background()
	a, err := cores.New(ctx, env.Config, logging.New(logs, "info"))
	if err != nil {
		t.Fatal(err)
	}
	alice, err := a.Accounts.CreateUser(ctx, env.Prefix+"-alice@example.org", "Alice")
	if err != nil {
		t.Fatal(err)
	}
	return a, authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: alice.ID})
}

// Through the real wiring and the sample event: a poll whose closing time
// has passed is closed and frozen by one tick; a second tick does nothing.
func TestTickClosesDuePollsOnce(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	a, as := appWithAlice(t, &logs)
	g, err := a.Groups.Create(as, group.CreateInput{Name: "Scheduler test", Privacy: "open"})
	if err != nil {
		t.Fatal(err)
	}
	d := poll.New(poll.TypeProposal)
	d.Title = "Plant tomatoes?"
	closing := time.Now().Add(time.Hour).UTC()
	d.Settings.ClosingAt = &closing
	p, err := a.Decisions.Create(as, decision.CreateInput{GroupID: g.ID, Definition: d})
	if err != nil {
		t.Fatal(err)
	}
	agree := poll.Ballot{Choices: []poll.Choice{{OptionID: p.Definition.Options[0].ID, Score: 1}}}
	if _, err := a.Decisions.Vote(as, p.ID, decision.VoteInput{Ballot: agree}); err != nil {
		t.Fatal(err)
	}

	later := func() time.Time { return closing.Add(time.Minute) }
	h := handler{app: a, log: logging.New(&logs, "info"), now: later}
	var out bytes.Buffer
	if err := invokeOnce(ctx, h, filepath.Join("..", "..", "events", "scheduler-tick.json"), &out); err != nil {
		t.Fatal(err)
	}
	var first cores.TickReport
	if err := json.Unmarshal(out.Bytes(), &first); err != nil {
		t.Fatal(err)
	}
	if first.Polls.Closed != 1 || first.Polls.Failed != 0 {
		t.Fatalf("first tick: %+v", first)
	}
	got, err := a.Decisions.Get(as, p.ID)
	if err != nil || got.Status != poll.StatusClosed {
		t.Fatalf("poll after tick: %+v %v", got.Status, err)
	}
	res, err := a.Decisions.Results(as, p.ID)
	if err != nil || res.Hidden != nil || !res.Frozen {
		t.Fatalf("results after close: %+v %v", res, err)
	}

	out.Reset()
	if err := invokeOnce(ctx, h, filepath.Join("..", "..", "events", "scheduler-tick.json"), &out); err != nil {
		t.Fatal(err)
	}
	var second cores.TickReport
	_ = json.Unmarshal(out.Bytes(), &second)
	if second.Polls.Closed != 0 || second.Polls.Finalized != 0 || second.Polls.ClosingSoon != 0 {
		t.Fatalf("second tick did work again: %+v", second)
	}
	if strings.Contains(logs.String(), "example.org") || !strings.Contains(logs.String(), `"msg":"tick"`) {
		t.Fatalf("logs: %s", logs.String())
	}
}

func TestInvokeRejectsNonEvent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.json")
	_ = os.WriteFile(path, []byte(`{"hello":"world"}`), 0o644)
	if err := invokeOnce(context.Background(), handler{}, path, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "not an EventBridge event") {
		t.Fatalf("got %v", err)
	}
}

// A group whose content was written before the index (nothing reads the
// table's stream here) becomes findable through reindex events: the sample
// event for the whole installation, one for the group; a second run writes
// nothing; a bad detail is refused.
func TestReindexEventMakesOldContentFindable(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	log := logging.New(&logs, "info")
	a, as := appWithAlice(t, &logs)
	g, err := a.Groups.Create(as, group.CreateInput{Name: "Reindex test", Privacy: "closed"})
	if err != nil {
		t.Fatal(err)
	}
	th, err := a.Discussions.StartThread(as, discussion.StartInput{GroupID: g.ID, Title: "Allotment waiting list"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Discussions.Comment(as, th.ID, discussion.CommentInput{Body: "The quinces are ripe"}); err != nil {
		t.Fatal(err)
	}
	find := func(q string) int {
		t.Helper()
		res, err := a.Search.Search(as, search.Query{Text: q, Filters: search.Filters{Groups: []string{g.ID}}})
		if err != nil {
			t.Fatal(err)
		}
		return len(res.Hits)
	}
	if find("quinces") != 0 {
		t.Fatal("found before the reindex: the test needs the stream not to be read")
	}
	h := handler{app: a, log: log, now: time.Now}
	step := func(path string) search.ReindexReport {
		t.Helper()
		var out bytes.Buffer
		if err := invokeOnce(ctx, h, path, &out); err != nil {
			t.Fatal(err)
		}
		var rep search.ReindexReport
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
		return rep
	}
	// One group, in steps of 2 items.
	ev := filepath.Join(t.TempDir(), "reindex.json")
	raw := `{"version":"0","id":"x","detail-type":"Search reindex","source":"quorum.operator","detail":{"group":"` + g.ID + `","max_items":2}}`
	if err := os.WriteFile(ev, []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	var reps []search.ReindexReport
	for i := 0; i < 50; i++ {
		rep := step(ev)
		reps = append(reps, rep)
		if rep.Read > 2 {
			t.Errorf("a step of 2 items read %d", rep.Read)
		}
		if rep.Done {
			break
		}
	}
	if last := reps[len(reps)-1]; !last.Done || len(reps) < 2 || last.Scope != "group:"+g.ID {
		t.Fatalf("reindex steps: %+v", reps)
	}
	if find("quinces") != 1 || find("allotment") != 1 {
		t.Fatalf("not findable after the reindex: quinces %d, allotment %d", find("quinces"), find("allotment"))
	}
	// The sample event: the whole installation, in one or more steps; the
	// group's documents are up to date, so it writes none of them again.
	sample := filepath.Join("..", "..", "events", "scheduler-reindex.json")
	for i := 0; i < 100; i++ {
		rep := step(sample)
		if rep.Scope != "all" {
			t.Fatalf("sample event: %+v", rep)
		}
		if rep.Done {
			break
		}
	}
	if find("quinces") != 1 {
		t.Fatal("a second run changed what is found")
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	_ = os.WriteFile(bad, []byte(`{"version":"0","detail-type":"Search reindex","detail":{"groop":"x"}}`), 0o600)
	if err := invokeOnce(ctx, h, bad, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "detail") {
		t.Errorf("a misspelt detail: %v", err)
	}
	if strings.Contains(logs.String(), "example.org") || !strings.Contains(logs.String(), `"msg":"reindex step"`) {
		t.Errorf("logs: %s", logs.String())
	}
}
