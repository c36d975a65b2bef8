package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/cores"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/testcloud"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

// Through the real wiring and the sample event: a poll whose closing time
// has passed is closed and frozen by one tick; a second tick does nothing.
func TestTickClosesDuePollsOnce(t *testing.T) {
	env := testcloud.New(t)
	ctx := context.Background()
	var logs bytes.Buffer
	a, err := cores.New(ctx, env.Config, logging.New(&logs, "info"))
	if err != nil {
		t.Fatal(err)
	}
	alice, err := a.Accounts.CreateUser(ctx, env.Prefix+"-alice@example.org", "Alice")
	if err != nil {
		t.Fatal(err)
	}
	as := authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: alice.ID})
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
