package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/metering"
)

// Benchmarks run on memdb (internal/memdb): latencies are the index's own
// work in process, without network; DynamoDB calls and capacity units are
// DynamoDB's (memdb meters them with DynamoDB's size rules). docs/search.md
// adds the round trips AWS would.

var bigGroupComments = 100_000

// vocabulary is a deterministic list of made-up English-like words; comments
// draw from it with a Zipf distribution, as real text does.
func vocabulary(n int) []string {
	on := []string{"b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "tr", "st", "pl", "gr", "br"}
	nu := []string{"a", "e", "i", "o", "u", "ai", "ea", "ou"}
	co := []string{"n", "t", "r", "ck", "m", "ll", "sh", "nd", "rt", "ng"}
	seen := map[string]bool{}
	var out []string
	r := rand.New(rand.NewPCG(1, 2))
	for len(out) < n {
		w := ""
		for s := 0; s < 1+r.IntN(3); s++ {
			w += on[r.IntN(len(on))] + nu[r.IntN(len(nu))] + co[r.IntN(len(co))]
		}
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

type bigGroup struct {
	f     *fixture
	words []string // by frequency, most frequent first
	load  time.Duration
}

var (
	bigOnce sync.Once
	big     *bigGroup
)

// loadBigGroup bulk-loads a group of 100,000 comments (in 1,000 threads)
// straight into the index's items, as the indexer would write them, but
// in batches of 25 without the per-record reads: fast enough for make bench.
func loadBigGroup(b *testing.B) *bigGroup {
	bigOnce.Do(func() {
		start := time.Now()
		// 1.5 million small items are a large pointer graph: collect
		// garbage only near a memory limit while loading.
		defer debug.SetGCPercent(debug.SetGCPercent(-1))
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(4 << 30))
		f := newFixture(b)
		words := vocabulary(20_000)
		r := rand.New(rand.NewPCG(3, 4))
		zipf := rand.NewZipf(r, 1.1, 1, uint64(len(words)-1))
		var reqs []types.WriteRequest
		flush := func(force bool) {
			for len(reqs) >= batchWrite || (force && len(reqs) > 0) {
				chunk := reqs[:min(batchWrite, len(reqs))]
				reqs = reqs[len(chunk):]
				if _, err := f.db.BatchWriteItem(context.Background(), &dynamodb.BatchWriteItemInput{
					RequestItems: map[string][]types.WriteRequest{f.table: chunk}}); err != nil {
					panic(err)
				}
			}
		}
		// Postings are written in key order: memdb keeps partitions as
		// sorted slices, and appending is what makes 1.5 million puts fast.
		type kp struct {
			key string
			p   posting
		}
		var postings []kp
		put := func(d *doc) {
			f.ix.index(d, "en")
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: docItem(d, time.Time{})}})
			for k, p := range d.postings() {
				postings = append(postings, kp{k, p})
			}
			flush(false)
		}
		base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		var buf strings.Builder
		for i := 0; i < bigGroupComments; i++ {
			tid := fmt.Sprintf("t%04d", i/100)
			at := base.Add(time.Duration(i) * 15 * time.Minute)
			if i%100 == 0 {
				put(&doc{ID: threadDocID(tid), Kind: KindThread, GroupID: "big", ThreadID: tid, AuthorID: "alice",
					Title: "Thread " + words[zipf.Uint64()] + " " + words[zipf.Uint64()], Created: at, Updated: at, Ord: order{Major: 1}})
			}
			buf.Reset()
			for w := 0; w < 8+r.IntN(25); w++ {
				buf.WriteString(words[zipf.Uint64()])
				buf.WriteByte(' ')
			}
			put(&doc{ID: fmt.Sprintf("c.%s.c%06d", tid, i), Kind: KindComment, GroupID: "big", ThreadID: tid,
				CommentID: fmt.Sprintf("c%06d", i), AuthorID: fmt.Sprint("u", i%50), Body: buf.String(),
				Created: at, Updated: at, Ord: order{Major: 1}})
		}
		flush(true)
		sort.Slice(postings, func(i, j int) bool { return postings[i].key < postings[j].key })
		for _, x := range postings {
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: postingItem(x.key, x.p)}})
			flush(false)
		}
		flush(true)
		if err := f.ix.addStats(context.Background(), "big", int64(bigGroupComments+bigGroupComments/100), map[string]int64{"en": int64(bigGroupComments)}); err != nil {
			panic(err)
		}
		big = &bigGroup{f: f, words: words, load: time.Since(start)}
	})
	return big
}

// sizeOf is DynamoDB's item size: attribute names and values.
func sizeOf(it item) int {
	total := 0
	for k, v := range it {
		total += len(k)
		switch x := v.(type) {
		case *types.AttributeValueMemberS:
			total += len(x.Value)
		case *types.AttributeValueMemberN:
			total += len(x.Value)/2 + 1
		case *types.AttributeValueMemberBOOL:
			total++
		case *types.AttributeValueMemberSS:
			for _, e := range x.Value {
				total += len(e)
			}
		case *types.AttributeValueMemberM:
			total += 3 + sizeOf(x.Value)
		}
	}
	return total
}

func reportMeter(b *testing.B, m *metering.Meter) {
	s := m.Snapshot()
	b.ReportMetric(float64(s.DynamoDBCalls)/float64(b.N), "ddb-calls/op")
	b.ReportMetric(s.ReadUnits/float64(b.N), "rcu/op")
	b.ReportMetric(s.WriteUnits/float64(b.N), "wcu/op")
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	at := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.50), "cost-p50-ms")
	b.ReportMetric(at(0.95), "cost-p95-ms")
}

// BenchmarkSearchGroupOf100kComments: a group of 100,000 comments; queries
// alternate between a frequent word, a middling one, a rare one, two
// words and a prefix being typed. p50 and p95 per query are reported.
func BenchmarkSearchGroupOf100kComments(b *testing.B) {
	g := loadBigGroup(b)
	b.ReportMetric(g.load.Seconds(), "cost-load-s")
	queries := []Query{
		{Text: g.words[3]},                      // in ~4% of comments
		{Text: g.words[60]},                     // middling
		{Text: g.words[4000]},                   // rare
		{Text: g.words[5] + " " + g.words[200]}, // two words
		{Text: g.words[150][:4], Prefix: true},  // typing
		{Text: g.words[40] + " " + g.words[9000][:3], Prefix: true},
	}
	scope := Scope{UserID: "u1", Groups: []string{"big"}}
	ctx, m := metering.NewContext(context.Background())
	lat := make([]time.Duration, 0, b.N)
	found := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		res, err := g.f.ix.Search(ctx, scope, queries[i%len(queries)], &seeAll{})
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		found += len(res.Hits)
	}
	b.StopTimer()
	if found == 0 {
		b.Fatal("no query found anything")
	}
	reportMeter(b, m)
	reportPercentiles(b, lat)
}

// BenchmarkIndexComment: the indexer's cost for one new comment of about
// 40 words (a thread's comment in a group), through HandleRecords.
func BenchmarkIndexComment(b *testing.B) {
	f := newFixture(b)
	words := vocabulary(5000)
	f.thread(threadSpec{id: "t1", group: "g1", title: "Bench", desc: "bench", author: "a"})
	f.sync()
	r := rand.New(rand.NewPCG(5, 6))
	ctx, m := metering.NewContext(context.Background())
	var bytes int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		var sb strings.Builder
		for w := 0; w < 40; w++ {
			sb.WriteString(words[r.IntN(len(words))])
			sb.WriteByte(' ')
		}
		rec := f.comment(commentSpec{thread: "t1", id: fmt.Sprintf("c%06d", i), body: sb.String(), author: "a"})
		f.pending = nil
		b.StartTimer()
		failed, err := f.idx.HandleRecords(ctx, rec1(rec))
		if err != nil || len(failed) > 0 {
			b.Fatal(failed, err)
		}
		b.StopTimer()
		d, _ := f.ix.getDoc(context.Background(), fmt.Sprintf("c.t1.c%06d", i))
		bytes += int64(sizeOf(docItem(d, time.Time{})))
		for k, p := range d.postings() {
			bytes += int64(sizeOf(postingItem(k, p)))
		}
		b.StartTimer()
	}
	reportMeter(b, m)
	b.ReportMetric(float64(bytes)/float64(b.N), "cost-bytes-stored")
}

// BenchmarkWriteToFindable: from a comment's stream record to the comment
// being found by a search (the indexer's work plus the query; on AWS the
// stream adds its delivery delay, see docs/search.md).
func BenchmarkWriteToFindable(b *testing.B) {
	f := newFixture(b)
	f.thread(threadSpec{id: "t1", group: "g1", title: "Bench", desc: "bench", author: "a"})
	f.sync()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		word := fmt.Sprintf("needle%dx", i)
		rec := f.comment(commentSpec{thread: "t1", id: fmt.Sprintf("c%06d", i), body: "a new comment with " + word, author: "a"})
		f.pending = nil
		b.StartTimer()
		start := time.Now()
		if failed, err := f.idx.HandleRecords(context.Background(), rec1(rec)); err != nil || len(failed) > 0 {
			b.Fatal(failed, err)
		}
		res, err := f.ix.Search(context.Background(), member("g1"), Query{Text: word}, &seeAll{})
		if err != nil || len(res.Hits) != 1 {
			b.Fatal("not findable", err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	reportPercentiles(b, lat)
}
