package search

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

func (f *fixture) expect(scope Scope, text string, want ...string) {
	f.t.Helper()
	if got := f.find(scope, text); !eq(sorted(got), sorted(want)) {
		f.t.Errorf("search %q: got %v, want %v", text, got, want)
	}
}

func TestEditsAndDeletionsLeaveTheIndex(t *testing.T) { editsAndDeletions(t, newFixture(t)) }

func editsAndDeletions(t *testing.T, f *fixture) {
	g := member("g1")
	f.thread(threadSpec{id: "t1", group: "g1", title: "Garden plans", desc: "Where the compost goes", author: "alice"})
	f.comment(commentSpec{thread: "t1", id: "c1", body: "I vote for the **tulips** by the gate", author: "bob"})
	f.comment(commentSpec{thread: "t1", id: "c2", body: "Tulips again, and roses", author: "carol"})
	f.sync()
	f.expect(g, "tulips", "c:c1", "c:c2")
	f.expect(g, "compost", "t:t1")

	// Edit: the old words go, the new ones come.
	f.comment(commentSpec{thread: "t1", id: "c1", body: "I vote for the daffodils by the gate", author: "bob", version: 2})
	f.thread(threadSpec{id: "t1", group: "g1", title: "Garden plans", desc: "Where the benches go", author: "alice", version: 2})
	f.sync()
	f.expect(g, "tulips", "c:c2")
	f.expect(g, "daffodils", "c:c1")
	f.expect(g, "compost")
	f.expect(g, "benches", "t:t1")

	// A comment deleted with replies stays as a tombstone without text;
	// one without replies is Removed; either way it is gone from search.
	f.comment(commentSpec{thread: "t1", id: "c1", author: "bob", version: 3, deleted: true})
	f.comment(commentSpec{thread: "t1", id: "c2", body: "Tulips again, and roses", author: "carol", version: 2, removed: true})
	f.sync()
	f.expect(g, "daffodils")
	f.expect(g, "tulips")
	f.expect(g, "roses")

	// A hard delete (the purge) removes the document and its postings.
	f.comment(commentSpec{thread: "t1", id: "c3", body: "Sunflowers please", author: "bob"})
	f.sync()
	f.expect(g, "sunflowers", "c:c3")
	f.remove("THREAD#t1", "ITEM#c3")
	f.sync()
	f.expect(g, "sunflowers")
	if n := f.countPostings("g1", "sunflow"); n != 0 {
		t.Errorf("%d postings of a removed comment remain", n)
	}
}

func TestDeletedThreadHidesItsComments(t *testing.T) {
	f := newFixture(t)
	g := member("g1")
	f.thread(threadSpec{id: "t1", group: "g1", title: "Budget", desc: "numbers", author: "alice"})
	f.comment(commentSpec{thread: "t1", id: "c1", body: "the secret figure is forty", author: "bob"})
	f.poll(pollSpec{id: "p1", group: "g1", thread: "t1", author: "alice", title: "Approve the figure?", options: []string{"yes"}})
	f.sync()
	f.expect(g, "figure", "c:c1", "p:p1")
	f.thread(threadSpec{id: "t1", group: "g1", title: "Budget", desc: "numbers", author: "alice", version: 2, deleted: true})
	f.sync()
	f.expect(g, "figure")
	f.expect(g, "budget")
	// Purged 30 days later: the thread item goes last.
	f.remove("THREAD#t1", "ITEM#c1")
	f.remove("THREAD#t1", "THREAD")
	f.sync()
	f.expect(g, "figure")
}

func TestOutOfOrderAndRedeliveredRecords(t *testing.T) { outOfOrder(t, newFixture(t)) }

func outOfOrder(t *testing.T, f *fixture) {
	g := member("g1")
	f.thread(threadSpec{id: "t1", group: "g1", title: "Bins", desc: "about bins", author: "alice"})
	v1 := f.comment(commentSpec{thread: "t1", id: "c1", body: "apples", author: "bob"})
	v2 := f.comment(commentSpec{thread: "t1", id: "c1", body: "bananas", author: "bob", version: 2})
	f.pending = nil
	f.deliver(f.record("THREAD#t1", "THREAD", nil, f.get("THREAD#t1", "THREAD")))

	// v2 arrives before v1: v1 must not overwrite it.
	f.deliver(v2, v1)
	f.expect(g, "bananas", "c:c1")
	f.expect(g, "apples")

	// Deleted, then every earlier record is delivered again.
	gone := f.remove("THREAD#t1", "ITEM#c1")
	f.pending = nil
	f.deliver(gone, v1, v2, v1)
	f.expect(g, "bananas")
	f.expect(g, "apples")
	// The same record twice in one batch, and again later.
	f.deliver(gone, gone)
	f.expect(g, "bananas")

	// A soft delete (higher version) redelivered before and after edits.
	v3 := f.comment(commentSpec{thread: "t1", id: "c2", body: "cherries", author: "bob"})
	v4 := f.comment(commentSpec{thread: "t1", id: "c2", author: "bob", version: 2, deleted: true})
	f.pending = nil
	f.deliver(v4, v3)
	f.expect(g, "cherries")
}

func TestBallotCastAgainAfterWithdrawal(t *testing.T) {
	f := newFixture(t)
	g := member("g1")
	f.poll(pollSpec{id: "p1", group: "g1", author: "alice", title: "Colour of the door", options: []string{"red", "blue"}})
	cast := f.ballot("p1", "bob", "red matches the bricks", 1, f.now)
	f.sync()
	f.expect(g, "bricks", "r:p1/bob")
	withdraw := f.remove("POLL#p1", "BALLOT#bob")
	f.now = f.now.Add(time.Hour)
	recast := f.ballot("p1", "bob", "blue matches the sky", 1, f.now) // Version starts at 1 again
	f.pending = nil
	f.deliver(cast, withdraw, recast)
	f.expect(g, "sky", "r:p1/bob")
	f.expect(g, "bricks")
	// The old cast and the withdrawal, redelivered, change nothing.
	f.deliver(cast, withdraw)
	f.expect(g, "sky", "r:p1/bob")
	f.expect(g, "bricks")
}

func TestThreadActivityChangesCostNoCalls(t *testing.T) {
	f := newFixture(t)
	f.thread(threadSpec{id: "t1", group: "g1", title: "Bins", desc: "about bins", author: "alice"})
	f.sync()
	old := f.get("THREAD#t1", "THREAD")
	next := item{}
	for k, v := range old {
		next[k] = v
	}
	next["ItemCount"] = n(5)
	next["Activity"] = ts(f.now.Add(time.Minute))
	rec := f.record("THREAD#t1", "THREAD", old, next)
	calls := &countingDB{DynamoDBAPI: f.db}
	f.ix.db = calls
	f.deliver(rec)
	if calls.n != 0 {
		t.Errorf("an activity change made %d DynamoDB calls", calls.n)
	}
}

func TestCommentBeforeItsThreadIsIndexedFromTheTable(t *testing.T) {
	f := newFixture(t)
	f.thread(threadSpec{id: "t1", group: "g1", title: "Bins", desc: "about bins", author: "alice"})
	c := f.comment(commentSpec{thread: "t1", id: "c1", body: "late comment", author: "bob"})
	f.pending = nil
	f.deliver(c) // the thread's own record has not come (or predates the index)
	f.expect(member("g1"), "late", "c:c1")
	f.expect(member("g1"), "bins", "t:t1")
	f.expect(member("g2"), "late")
}

func TestIgnoredItemsAndBackfill(t *testing.T) {
	f := newFixture(t)
	other := f.put(item{"PK": s("USER#u1"), "SK": s("NOTIF#1"), "Type": s("notification"), "Title": s("secret")})
	event := f.put(item{"PK": s("THREAD#t1"), "SK": s("ITEM#e1"), "Kind": s("poll.created"), "Version": n(1)})
	if f.idx.Wants(other) || f.idx.Wants(event) {
		t.Error("the indexer wants records it does not index")
	}
	f.pending = nil
	f.thread(threadSpec{id: "t1", group: "g1", title: "Backfilled", desc: "found after a scan", author: "alice"})
	f.pending = nil
	if err := f.idx.IndexItem(context.Background(), f.get("THREAD#t1", "THREAD")); err != nil {
		t.Fatal(err)
	}
	f.expect(member("g1"), "backfilled", "t:t1")
}

func TestHandleReportsFailuresInOrder(t *testing.T) {
	f := newFixture(t)
	f.thread(threadSpec{id: "t1", group: "g1", title: "Bins", desc: "about bins", author: "alice"})
	a := f.comment(commentSpec{thread: "t1", id: "c1", body: "one", author: "bob"})
	b := f.comment(commentSpec{thread: "t1", id: "c1", body: "two", author: "bob", version: 2})
	f.pending = nil
	f.ix.db = failingDB{f.db}
	resp, err := f.idx.Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{a, b}})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 2 || resp.BatchItemFailures[0].ItemIdentifier != a.Change.SequenceNumber {
		t.Errorf("failures %+v, want both records of the item, first first", resp.BatchItemFailures)
	}
}
