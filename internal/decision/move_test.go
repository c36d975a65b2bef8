package decision_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// movePoll is the part of a poll item the move reads and writes.
type movePoll struct {
	store.Item
	ID       string `dynamo:"ID"`
	GroupID  string `dynamo:"GroupID"`
	ThreadID string `dynamo:"ThreadID,omitempty"`
}

// TestPollsOfThreadReadsBoundedPages: a move finds a thread's polls among
// the group's in steps that each read at most MoveScanPage polls, however
// rarely the thread's polls occur; MovePolls moves exactly those, and only
// while they are still in the old group.
func TestPollsOfThreadReadsBoundedPages(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	gid, tid, to := "gmove"+f.tag, "tmove"+f.tag, "gnew"+f.tag
	var items []any
	var want []string
	n := 2*decision.MoveScanPage + 50
	for i := range n {
		p := movePoll{Item: store.Item{PK: fmt.Sprintf("POLL#p%04d%s", i, f.tag), SK: "POLL", GSI1PK: "POLLS#" + gid,
			GSI1SK: fmt.Sprintf("2026-12-05T10:00:00.%03dZ#p%04d", i%1000, i), Type: "poll", Version: 1},
			ID: fmt.Sprintf("p%04d%s", i, f.tag), GroupID: gid}
		if i%97 == 5 {
			p.ThreadID = tid
			want = append(want, p.ID)
		}
		items = append(items, p)
	}
	if _, err := f.st.Table().Batch(tabledef.PK, tabledef.SK).Write().Put(items...).Run(ctx); err != nil {
		t.Fatal(err)
	}
	var got []string
	cursor, pages := "", 0
	for {
		ids, next, err := f.svc.PollsOfThread(ctx, gid, tid, cursor)
		f.must(err)
		got = append(got, ids...)
		pages++
		if next == "" {
			break
		}
		cursor = next
		if pages > 10 {
			t.Fatal("too many pages")
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("found %v, want %v", got, want)
	}
	if pages < n/decision.MoveScanPage {
		t.Errorf("%d pages for %d polls: a step read more than %d", pages, n, decision.MoveScanPage)
	}
	tx := f.st.Tx()
	f.svc.MovePolls(tx, tid, want, gid, to)
	f.must(tx.Run(ctx, ""))
	for _, pid := range want {
		var p movePoll
		f.must(f.st.Get(ctx, "POLL#"+pid, "POLL", &p))
		if p.GroupID != to || p.GSI1PK != "POLLS#"+to || p.Version != 2 {
			t.Errorf("poll %s after the move: %+v", pid, p)
		}
	}
	// Moving again (they are no longer in the old group) changes nothing.
	tx = f.st.Tx()
	f.svc.MovePolls(tx, tid, want[:1], gid, to)
	if err := tx.Run(ctx, ""); err == nil {
		t.Error("a poll no longer in the old group was moved again")
	}
}
