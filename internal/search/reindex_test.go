package search

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// contentWithoutIndex writes two groups' content with the indexer off (the
// stream records are dropped): a deployment that had content before
// search, or a failover window.
func contentWithoutIndex(f *fixture) {
	f.thread(threadSpec{id: "t1", group: "g1", title: "Recycling bins", desc: "Where do the bins go", author: "alice"})
	for i, body := range []string{"Compost heap behind the shed", "Glass collection on Tuesdays", "Paper and cardboard",
		"The compost smells", "Another bin for batteries"} {
		f.comment(commentSpec{thread: "t1", id: "c" + string(rune('1'+i)), body: body, author: "bob",
			at: f.now.Add(time.Duration(i) * time.Minute)})
	}
	f.thread(threadSpec{id: "t2", group: "g1", title: "Garden day", desc: "Saturday planting", author: "carol"})
	f.poll(pollSpec{id: "p1", group: "g1", thread: "t1", author: "alice", title: "Which collection day",
		options: []string{"Monday", "Thursday"}})
	f.ballot("p1", "bob", "Thursday suits the caretaker", 1, f.now)
	f.outcome("p1", "alice", "Collection moves to Thursday", 1)
	f.thread(threadSpec{id: "t9", group: "g2", title: "Orchestra rehearsal", desc: "Violins first", author: "dave"})
	f.pending = nil
}

// reindexAll runs steps of at most max items until the run is done and
// returns the reports.
func (f *fixture) reindexAll(gid string, max int) []ReindexReport {
	f.t.Helper()
	var reps []ReindexReport
	for i := 0; i < 1000; i++ {
		rep, err := f.idx.Reindex(context.Background(), ReindexRequest{GroupID: gid, MaxItems: max})
		f.must(err)
		reps = append(reps, rep)
		if rep.Done {
			return reps
		}
	}
	f.t.Fatal("reindex never finished")
	return nil
}

func sumIndexed(reps []ReindexReport) (indexed, read int) {
	for _, r := range reps {
		indexed += r.Indexed
		read += r.Read
	}
	return
}

func TestReindexMakesAGroupWrittenBeforeTheIndexFindable(t *testing.T) {
	f := newFixture(t)
	contentWithoutIndex(f)
	g1, g2 := member("g1"), member("g2")
	f.expect(g1, "compost")
	f.expect(g1, "thursday")

	reps := f.reindexAll("g1", 3)
	if len(reps) < 3 {
		t.Errorf("a bounded step of 3 items finished the group in %d steps", len(reps))
	}
	for _, r := range reps {
		if r.Read > 3 {
			t.Errorf("a step of at most 3 items read %d", r.Read)
		}
		if r.Run != reps[0].Run || r.Scope != "group:g1" {
			t.Errorf("steps of one run: %+v vs %+v", r, reps[0])
		}
	}
	f.expect(g1, "compost", "c:c1", "c:c4")
	f.expect(g1, "thursday", "p:p1", "r:p1/bob", "o:p1")
	f.expect(g1, "planting", "t:t2")
	f.expect(g2, "violins") // another group: not this run's scope

	reps = f.reindexAll("", 7)
	f.expect(g2, "violins", "t:t9")
	if idx, _ := sumIndexed(reps); idx != 1 {
		t.Errorf("the whole reindex after the group's wrote %d documents, want 1 (the other group's thread)", idx)
	}
}

func TestReindexTwiceChangesNothing(t *testing.T) {
	f := newFixture(t)
	contentWithoutIndex(f)
	f.reindexAll("", 0)
	postings := f.countPostings("g1", "compost")
	st, err := f.ix.getStats(context.Background(), []string{"g1", "g2"})
	f.must(err)

	for _, gid := range []string{"", "g1"} {
		reps := f.reindexAll(gid, 4)
		if idx, read := sumIndexed(reps); idx != 0 || read == 0 {
			t.Errorf("reindex %q again: %d documents written (want 0), %d items read", gid, idx, read)
		}
	}
	if n := f.countPostings("g1", "compost"); n != postings || n != 2 {
		t.Errorf("postings of compost: %d after, %d before, want 2", n, postings)
	}
	st2, err := f.ix.getStats(context.Background(), []string{"g1", "g2"})
	f.must(err)
	if st2["g1"].docs != st["g1"].docs || st2["g2"].docs != st["g2"].docs || st["g1"].docs != 10 {
		t.Errorf("document counts moved: before %+v, after %+v (want 10 in g1)", st, st2)
	}
	f.expect(member("g1"), "glass", "c:c2")
}

// flakyDB fails every write after a number of them.
type flakyDB struct {
	*countingDB
	after int64
	n     atomic.Int64
}

var errInjected = errors.New("injected outage")

func (d *flakyDB) fail() bool { return d.n.Add(1) > d.after }

func (d *flakyDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if strings.HasPrefix(item(in.Item).str("PK"), docPrefix) && d.fail() {
		return nil, errInjected
	}
	return d.countingDB.PutItem(ctx, in, o...)
}

func TestReindexResumesAnInterruptedRun(t *testing.T) {
	for _, gid := range []string{"g1", ""} {
		t.Run("scope="+gid, func(t *testing.T) {
			f := newFixture(t)
			contentWithoutIndex(f)
			// The same table through a client whose document writes fail after 4.
			flaky := &flakyDB{countingDB: &countingDB{DynamoDBAPI: f.db}, after: 4}
			broken := newFixtureOn(t, flaky, f.table)
			rep, err := broken.idx.Reindex(context.Background(), ReindexRequest{GroupID: gid, MaxItems: 1000})
			if !errors.Is(err, errInjected) || rep.Done {
				t.Fatalf("interrupted step: %+v, %v", rep, err)
			}
			if rep.Indexed == 0 || rep.Total == 0 {
				t.Errorf("interrupted step: %+v, want documents written before the outage", rep)
			}
			run, before := rep.Run, rep.Total

			// The next step (the outage over) carries on from the cursor.
			reps := f.reindexAll(gid, 1000)
			last := reps[len(reps)-1]
			if last.Run != run {
				t.Errorf("the run restarted: %q, was %q", last.Run, run)
			}
			_, read := sumIndexed(reps)
			if int64(read)+before != last.Total {
				t.Errorf("read %d + %d before != total %d", read, before, last.Total)
			}
			if gid != "" {
				// A fresh run reads as many items: nothing was read twice
				// (bar the item the outage hit, retried) and nothing skipped.
				fresh := f.reindexAll(gid, 1000)
				if _, all := sumIndexed(fresh); last.Total > int64(all)+1 || last.Total < int64(all) {
					t.Errorf("interrupted run read %d items in all, a fresh run %d", last.Total, all)
				}
			} else if first := reps[0]; first.Read >= int(last.Total) {
				t.Errorf("the resumed step read %d items of %d: it started over", first.Read, last.Total)
			}
			st, err := f.ix.getStats(context.Background(), []string{"g1"})
			f.must(err)
			if st["g1"].docs != 10 {
				t.Errorf("g1 holds %d documents after the resumed run, want 10", st["g1"].docs)
			}
			f.expect(member("g1"), "compost", "c:c1", "c:c4")
			f.expect(member("g1"), "batteries", "c:c5")
		})
	}
}

func TestReindexNeverBringsBackDeletedContent(t *testing.T) {
	f := newFixture(t)
	g := member("g1")
	f.thread(threadSpec{id: "t1", group: "g1", title: "Bins", desc: "About the bins", author: "alice"})
	f.comment(commentSpec{thread: "t1", id: "c1", body: "Purple tulips", author: "bob"})
	f.comment(commentSpec{thread: "t1", id: "c2", body: "Yellow daffodils", author: "bob"})
	f.comment(commentSpec{thread: "t1", id: "c3", body: "Orange marigolds", author: "bob"})
	f.sync()
	stale := f.get("THREAD#t1", "ITEM#c1") // what a scan read just before the deletion

	f.remove("THREAD#t1", "ITEM#c1")                                                         // purged
	f.comment(commentSpec{thread: "t1", id: "c2", author: "bob", version: 2, deleted: true}) // soft-deleted
	f.sync()
	// c3 is deleted while the stream is not applied (a failover window).
	_, err := f.db.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: &f.table,
		Key: item{"PK": s("THREAD#t1"), "SK": s("ITEM#c3")}})
	f.must(err)
	f.expect(g, "marigolds", "c:c3")

	// A scan that read c1 before it went: its late image is older than the removal.
	f.must(f.idx.IndexItem(context.Background(), stale))
	reps := f.reindexAll("", 5)
	f.must(f.idx.IndexItem(context.Background(), stale))
	f.expect(g, "tulips")
	f.expect(g, "daffodils")
	f.expect(g, "marigolds") // the whole reindex removed the document of the vanished item
	removed := 0
	for _, r := range reps {
		removed += r.Removed
	}
	if removed != 1 {
		t.Errorf("removed %d documents of vanished items, want 1", removed)
	}
	f.reindexAll("g1", 5)
	f.expect(g, "tulips")
	f.expect(g, "bins", "t:t1")
}

func TestAnalyzerVersionBumpRebuildsDocuments(t *testing.T) {
	f := newFixture(t)
	f.thread(threadSpec{id: "t1", group: "g1", title: "Bicycle shed", desc: "Where the bicycles go", author: "alice"})
	f.sync()
	// Make the stored document look analysed by an older analyzer: AV 0 and
	// other terms (and their postings).
	old := f.get(docPK("t.t1"), docSK)
	d := docFrom(old)
	for k := range d.postings() {
		pk, sk, _ := strings.Cut(k, "\x00")
		_, err := f.db.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: &f.table,
			Key: item{"PK": s(pk), "SK": s(sk)}})
		f.must(err)
	}
	d.Terms = map[string]float64{"velocipede": 1}
	f.must(f.ix.writePostings(context.Background(), d.postings(), nil))
	it := docItem(d, time.Time{})
	it["AV"] = n(0)
	_, err := f.db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: &f.table, Item: it})
	f.must(err)
	g := member("g1")
	f.expect(g, "velocipede", "t:t1")
	f.expect(g, "bicycle")

	reps := f.reindexAll("g1", 0)
	if idx, _ := sumIndexed(reps); idx != 1 {
		t.Errorf("rebuilt %d documents, want 1", idx)
	}
	f.expect(g, "velocipede")
	f.expect(g, "bicycles", "t:t1")
	if n := f.countPostings("g1", "velocipede"); n != 0 {
		t.Errorf("%d postings of the old analysis remain", n)
	}
	if av := item(f.get(docPK("t.t1"), docSK)).int("AV"); av != AnalyzerVersion {
		t.Errorf("document AV %d, want %d", av, AnalyzerVersion)
	}
	if idx, _ := sumIndexed(f.reindexAll("g1", 0)); idx != 0 {
		t.Errorf("a second reindex rebuilt %d documents", idx)
	}
}

// raceDB lets another step save the job's cursor during the first Query.
type raceDB struct {
	*countingDB
	f    *fixture
	done bool
}

func (d *raceDB) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	if !d.done {
		d.done = true
		_, err := d.f.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &d.f.table,
			Key: item{"PK": s(reindexPK), "SK": s("G#g1")}, UpdateExpression: ptr("ADD Step :one"),
			ExpressionAttributeValues: item{":one": n(1)}})
		d.f.must(err)
	}
	return d.countingDB.Query(ctx, in, o...)
}

func TestReindexStepsOfOneScopeDoNotRunTogether(t *testing.T) {
	f := newFixture(t)
	contentWithoutIndex(f)
	racing := newFixtureOn(t, &raceDB{countingDB: &countingDB{DynamoDBAPI: f.db}, f: f}, f.table)
	_, err := racing.idx.Reindex(context.Background(), ReindexRequest{GroupID: "g1", MaxItems: 2})
	if !errors.Is(err, ErrReindexBusy) {
		t.Fatalf("a step whose cursor another step moved: %v, want ErrReindexBusy", err)
	}
	st, err := f.idx.ReindexStatus(context.Background(), "g1")
	f.must(err)
	if st == nil || st.Done || st.Scope != "group:g1" {
		t.Fatalf("status %+v", st)
	}
	f.reindexAll("g1", 0)
	f.expect(member("g1"), "glass", "c:c2")
	if _, err := f.idx.Reindex(context.Background(), ReindexRequest{GroupID: "g#1"}); err == nil {
		t.Error("a bad group id was accepted")
	}
}

func ptr(s string) *string { return &s }
