package notify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Pending email is spread over the shards evenly, and only the shards and
// the legacy key count as queues of pending jobs.
func TestOutboxQueuesAreShards(t *testing.T) {
	per := map[string]int{}
	const n = 3200
	for i := 0; i < n; i++ {
		q := notify.OutboxQueue(fmt.Sprintf("01J%08d", i))
		if !notify.IsOutboxQueue(q) {
			t.Fatalf("OutboxQueue gave %q, which is not a queue", q)
		}
		per[q]++
	}
	if len(per) != notify.OutboxShards {
		t.Fatalf("%d shards used, want %d: %v", len(per), notify.OutboxShards, per)
	}
	mean := n / notify.OutboxShards
	for q, c := range per {
		if c < mean/2 || c > mean*3/2 {
			t.Errorf("shard %s holds %d of %d jobs (mean %d)", q, c, n, mean)
		}
	}
	for q, want := range map[string]bool{
		"OUTBOX": true, "OUTBOX#00": true, "OUTBOX#15": true,
		"OUTBOX#16": false, "OUTBOX#DEAD": false, "OUTBOX#1": false, "OUTBOX#001": false, "AUDITSEAL": false, "": false,
	} {
		if got := notify.IsOutboxQueue(q); got != want {
			t.Errorf("IsOutboxQueue(%q) = %v, want %v", q, got, want)
		}
	}
}

// The sweep reads every shard and the legacy key and hands out the oldest
// due jobs first; a job still queued under the legacy key is claimed and
// streamed like any other.
func TestDueJobsSweepsEveryShardOldestFirst(t *testing.T) {
	ctx := context.Background()
	notes, st := newService(t)
	start := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	const n = 40
	for b := 0; b < n; b += 20 {
		tx := st.Tx()
		for i := b; i < b+20; i++ {
			notes.AddToTx(tx, notify.Notification{UserID: fmt.Sprintf("u%02d", i), Kind: notify.Mention, GroupID: "g1",
				ThreadID: "t1", Title: "T", CreatedAt: start.Add(time.Duration(i) * time.Second)})
		}
		if err := tx.Run(ctx, ""); err != nil {
			t.Fatal(err)
		}
	}
	jobs, err := notes.DueJobs(ctx, time.Now(), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != n {
		t.Fatalf("%d due jobs, want %d", len(jobs), n)
	}
	shards := map[string]bool{}
	for i, j := range jobs {
		shards[j.Queue] = true
		if want := fmt.Sprintf("u%02d", i); j.UserID != want {
			t.Fatalf("job %d is %s's, want %s's: not oldest first", i, j.UserID, want)
		}
		if j.Queue != notify.OutboxQueue(j.ID) || !j.Pending() {
			t.Fatalf("job %+v is queued under %q, want its shard %q", j, j.Queue, notify.OutboxQueue(j.ID))
		}
	}
	if len(shards) < 8 {
		t.Errorf("40 jobs in %d shards: not spread", len(shards))
	}
	oldest, err := notes.DueJobs(ctx, time.Now(), 5)
	if err != nil || len(oldest) != 5 || oldest[0].UserID != "u00" || oldest[4].UserID != "u04" {
		t.Fatalf("the 5 oldest: %v %v", oldest, err)
	}

	// A job queued before sharding, under the legacy key.
	legacy := jobs[7]
	if err := st.Update("USER#"+legacy.UserID, "NOTIF#"+legacy.ID).Set(tabledef.GSI2PK, notify.LegacyOutboxQueue).Run(ctx); err != nil {
		t.Fatal(err)
	}
	again, err := notes.DueJobs(ctx, time.Now(), 100)
	if err != nil || len(again) != n || again[7].ID != legacy.ID || again[7].Queue != notify.LegacyOutboxQueue {
		t.Fatalf("after moving job 7 to the legacy key: %d jobs, %v", len(again), err)
	}
	claimed, err := notes.Claim(ctx, again[7], time.Now(), time.Minute)
	if err != nil {
		t.Fatalf("claim of a legacy job: %v", err)
	}
	if err := notes.MarkSent(ctx, claimed, "ses-legacy", time.Now()); err != nil {
		t.Fatal(err)
	}
	// A claim of a job under a key that is not a queue is refused.
	bad := again[8]
	bad.Queue = notify.DeadQueue
	if _, err := notes.Claim(ctx, bad, time.Now(), time.Minute); err != notify.ErrNotClaimed {
		t.Fatalf("claim under the dead queue: %v", err)
	}
	left, err := notes.DueJobs(ctx, time.Now(), 100)
	if err != nil || len(left) != n-1 {
		t.Fatalf("after sending one: %d jobs, %v", len(left), err)
	}

	// The stream consumer takes INSERTs under any shard and the legacy key.
	for _, q := range []string{notify.OutboxQueue("x"), notify.LegacyOutboxQueue, notify.DeadQueue} {
		r := events.DynamoDBEventRecord{EventName: "INSERT", Change: events.DynamoDBStreamRecord{NewImage: map[string]events.DynamoDBAttributeValue{
			tabledef.GSI2PK: events.NewStringAttribute(q), tabledef.GSI2SK: events.NewStringAttribute(notify.DueKey(start) + "#x"),
			"MailState": events.NewStringAttribute(string(notify.MailPending)),
			"UserID":    events.NewStringAttribute("u1"), "ID": events.NewStringAttribute("x"),
		}}}
		_, _, ok := notify.StreamJob(r, time.Now())
		if want := q != notify.DeadQueue; ok != want {
			t.Errorf("StreamJob under %q: %v, want %v", q, ok, want)
		}
	}
}
