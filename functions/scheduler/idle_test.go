package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/metering"
)

// idleTickCalls bounds the DynamoDB calls of a tick with nothing due: one
// query per job's queue (the outbox's 17, the poll work's 4, and one each
// for the other 12 jobs). Almost every run of the scheduler is such a
// tick, and a cold start's first response is one, so each call is CPU at
// every cold start (docs/architecture.md, "Thirteenth pass").
const idleTickCalls = 33

// A tick with nothing due reads each queue once and writes nothing.
func TestIdleTickCalls(t *testing.T) {
	var logs bytes.Buffer
	a, _ := appWithAlice(t, &logs)
	ctx, m := metering.NewContext(context.Background())
	r, err := a.Tick(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s := m.Snapshot()
	t.Logf("idle tick: %s", s)
	if s.DynamoDBCalls > idleTickCalls || s.Operations["DynamoDB.Query"] != s.Calls() {
		t.Errorf("an idle tick made %s; want at most %d DynamoDB queries and nothing else", s, idleTickCalls)
	}
	if r.Polls.Closed+r.Polls.ClosingSoon+r.Polls.Finalized+r.Purged+r.Mail.Due != 0 {
		t.Errorf("an idle tick did work: %+v", r)
	}
}
