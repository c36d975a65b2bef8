package decision_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/poll"
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

// TestWithdrawMovedPagesThroughEveryBallot: a poll whose thread moved to a
// group where only a few of its voters are members loses, step by step
// (at most MoveBallotsPage ballots read per step), exactly the ballots of
// the others; a second pass withdraws nothing; a closed poll is left alone.
func TestWithdrawMovedPagesThroughEveryBallot(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	n := decision.MoveBallotsPage + 25
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("v%03d", i)
	}
	from := f.group("closed", "ada", names...)
	to := f.group("closed", "ada", names[:5]...)
	p := f.create(f.as("ada"), from, f.definition(poll.TypeProposal, nil))
	closed := f.create(f.as("ada"), from, f.definition(poll.TypeProposal, nil))
	for _, who := range append([]string{"ada"}, names...) {
		_, err := f.svc.Vote(f.as(who), p.ID, decision.VoteInput{Ballot: one("agree")})
		f.must(err)
	}
	_, err := f.svc.Vote(f.as(names[9]), closed.ID, decision.VoteInput{Ballot: one("agree")})
	f.must(err)
	_, err = f.svc.Close(f.as("ada"), closed.ID)
	f.must(err)
	// The move's switch, as far as these polls are concerned.
	for _, pid := range []string{p.ID, closed.ID} {
		f.must(f.st.Update("POLL#"+pid, "POLL").Set("GroupID", to).Set(tabledef.GSI1PK, "POLLS#"+to).Run(ctx))
	}
	pass := func(pid string) (withdrawn, steps int) {
		cursor := ""
		for {
			next, k, err := f.svc.WithdrawMoved(ctx, pid, cursor)
			f.must(err)
			withdrawn, steps = withdrawn+k, steps+1
			if next == "" {
				return withdrawn, steps
			}
			cursor = next
			if steps > 20 {
				t.Fatal("too many steps")
			}
		}
	}
	if w, steps := pass(p.ID); w != n-5 || steps < 3 {
		t.Errorf("withdrew %d in %d steps, want %d in at least 3 (two pages of ballots, then the voter entries)", w, steps, n-5)
	}
	if w, _ := pass(p.ID); w != 0 {
		t.Errorf("a second pass withdrew %d", w)
	}
	res, err := f.svc.Results(f.as("ada"), p.ID)
	f.must(err)
	if res.Results == nil || res.Results.Decided != 6 {
		t.Errorf("results after the move: %+v", res.Results)
	}
	if w, _ := pass(closed.ID); w != 0 {
		t.Errorf("a closed poll lost %d ballots", w)
	}
}
