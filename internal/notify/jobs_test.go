package notify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/testcloud"
)

func newService(t *testing.T) (*notify.Service, *store.Store) {
	env := testcloud.Fast(t)
	st := store.New(env.Clients.DynamoDB, env.Config.Table, env.Config.SigningKey)
	return notify.New(st, nil), st
}

// A notification added to its event's transaction is one email job per
// recipient, queued in the same transaction: a cancelled transaction
// leaves neither the notification nor the job.
func TestAddToTxQueuesOneJobPerRecipient(t *testing.T) {
	ctx := context.Background()
	notes, st := newService(t)
	now := time.Now().UTC()

	refused := domain.Errorf(domain.Conflict, "the event's condition failed")
	tx := st.Tx()
	tx.Check("NOPE#x", "NOPE", "attribute_exists(PK)", refused)
	notes.AddToTx(tx, notify.Notification{UserID: "u-cancelled", Kind: notify.Mention, GroupID: "g1", ThreadID: "t1"})
	if err := tx.Run(ctx, ""); err != refused {
		t.Fatalf("cancelled tx: %v", err)
	}
	jobs, err := notes.DueJobs(ctx, now.Add(time.Minute), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 0 {
		t.Fatalf("a cancelled transaction queued %d jobs", len(jobs))
	}

	tx = st.Tx()
	for _, uid := range []string{"u1", "u2", "u3"} {
		notes.AddToTx(tx, notify.Notification{UserID: uid, Kind: notify.Mention, GroupID: "g1", ThreadID: "t1", Title: "T"})
	}
	if tx.Len() != 3*notify.TxOps {
		t.Fatalf("the outbox must add no operation: %d", tx.Len())
	}
	if err := tx.Run(ctx, ""); err != nil {
		t.Fatal(err)
	}
	jobs, err = notes.DueJobs(ctx, time.Now().Add(time.Minute), 100)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, j := range jobs {
		got[j.UserID]++
		if !j.Pending() || j.Attempts != 0 || j.Due().IsZero() || j.Due().After(time.Now()) {
			t.Errorf("job %+v is not a fresh pending job", j)
		}
	}
	if len(jobs) != 3 || got["u1"] != 1 || got["u2"] != 1 || got["u3"] != 1 {
		t.Fatalf("jobs per recipient: %v", got)
	}
	// Not due yet before the notification existed.
	early, err := notes.DueJobs(ctx, now.Add(-time.Hour), 100)
	if err != nil || len(early) != 0 {
		t.Fatalf("jobs due an hour ago: %d, %v", len(early), err)
	}
}

// Fan-out in batches: every recipient gets one job.
func TestDeliverQueuesEveryRecipient(t *testing.T) {
	ctx := context.Background()
	notes, _ := newService(t)
	var ns []notify.Notification
	for i := range 120 {
		ns = append(ns, notify.Notification{UserID: fmt.Sprintf("u%03d", i), Kind: notify.NewThread, GroupID: "g", ThreadID: "t"})
	}
	if err := notes.Deliver(ctx, ns); err != nil {
		t.Fatal(err)
	}
	jobs, err := notes.DueJobs(ctx, time.Now().Add(time.Minute), 500)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, j := range jobs {
		seen[j.UserID] = true
	}
	if len(jobs) != 120 || len(seen) != 120 {
		t.Fatalf("%d jobs for %d recipients, want 120", len(jobs), len(seen))
	}
}

// Several notifications for one person in one fan-out (a transaction may
// touch their unread counter only once) are all written and all counted.
func TestDeliverSamePersonTwice(t *testing.T) {
	ctx := context.Background()
	notes, _ := newService(t)
	var ns []notify.Notification
	for i := range 60 {
		ns = append(ns, notify.Notification{UserID: fmt.Sprintf("u%03d", i%55), Kind: notify.NewThread, GroupID: "g", ThreadID: fmt.Sprintf("t%d", i)})
	}
	if err := notes.Deliver(ctx, ns); err != nil {
		t.Fatal(err)
	}
	jobs, err := notes.DueJobs(ctx, time.Now().Add(time.Minute), 500)
	if err != nil || len(jobs) != 60 {
		t.Fatalf("%d jobs, want 60 (%v)", len(jobs), err)
	}
	for _, uid := range []string{"u000", "u004", "u054"} {
		n, err := notes.UnreadCount(authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: uid}))
		want := int64(1)
		if uid < "u005" {
			want = 2
		}
		if err != nil || n != want {
			t.Errorf("%s unread %d, want %d (%v)", uid, n, want, err)
		}
	}
}

// A claim is exclusive; marking needs the claim; a settled job leaves the
// queue; ListAfter pages a person's notifications oldest first.
func TestClaimIsExclusiveAndListAfter(t *testing.T) {
	ctx := context.Background()
	notes, _ := newService(t)
	base := time.Now().UTC().Add(-time.Minute)
	for i := range 3 { // one person's counter: one transaction each
		err := notes.Deliver(ctx, []notify.Notification{{UserID: "alice", Kind: notify.Comment, GroupID: "g", ThreadID: "t",
			CreatedAt: base.Add(time.Duration(i) * time.Second)}})
		if err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	jobs, err := notes.DueJobs(ctx, now, 10)
	if err != nil || len(jobs) != 3 {
		t.Fatalf("due: %d %v", len(jobs), err)
	}
	first, err := notes.Claim(ctx, jobs[0], now, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := notes.Claim(ctx, jobs[0], now, time.Minute); err != notify.ErrNotClaimed {
		t.Fatalf("second claim of the same job: %v", err)
	}
	stale := first
	stale.Lease = "someone-else"
	if err := notes.MarkSent(ctx, stale, "ses-1", now); err != notify.ErrLeaseLost {
		t.Fatalf("mark without the claim: %v", err)
	}
	if err := notes.MarkSent(ctx, first, "ses-1", now); err != nil {
		t.Fatal(err)
	}
	j, err := notes.GetJob(ctx, "alice", first.ID)
	if err != nil || j.State != notify.MailSent || j.MessageID != "ses-1" || j.Queue != "" || j.Attempts != 1 || j.SentAt.IsZero() {
		t.Fatalf("sent job: %+v %v", j, err)
	}
	all, err := notes.ListAfter(ctx, "alice", "", 10)
	if err != nil || len(all) != 3 || all[0].ID != jobs[0].ID || all[2].ID <= all[1].ID {
		t.Fatalf("list after nothing: %d %v", len(all), err)
	}
	rest, err := notes.ListAfter(ctx, "alice", all[0].ID, 1)
	if err != nil || len(rest) != 1 || rest[0].ID != all[1].ID {
		t.Fatalf("list after the first: %+v %v", rest, err)
	}
}
