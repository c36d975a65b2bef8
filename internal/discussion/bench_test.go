package discussion_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/metering"
)

// realisticComment is a comment of the usual length and markup: a couple
// of sentences with emphasis, a link and a short list.
const realisticComment = `Comment **%d**: I read the proposal again and I think we should
go ahead, *but* only if the budget for the bins is agreed first. See the
[minutes of the last meeting](https://example.org/minutes) for the figures.

- collection on Tuesdays
- a second bin for glass
- review in three months`

// seed500 posts 500 comments through the service (8 writers).
func seed500(f *fixture, ctx context.Context, tid string) {
	var wg sync.WaitGroup
	errs := make(chan error, 500)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < 500; i += 8 {
				_, err := f.svc.Comment(ctx, tid, discussion.CommentInput{Body: fmt.Sprintf(realisticComment, i)})
				if err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		f.t.Fatal(err)
	}
}

func firstComment(f *fixture, ctx context.Context, tid string) string {
	p, err := f.svc.Page(ctx, tid, "", 1)
	f.must(err)
	return p.Items[0].ID
}

func reportMeter(b *testing.B, m *metering.Meter) {
	s := m.Snapshot()
	b.ReportMetric(float64(s.DynamoDBCalls)/float64(b.N), "ddb-calls/op")
	b.ReportMetric(s.ReadUnits/float64(b.N), "rcu/op")
	b.ReportMetric(s.WriteUnits/float64(b.N), "wcu/op")
}

func BenchmarkPostComment(b *testing.B) {
	f := newFixture(b)
	alice, _ := f.user("Alice")
	bob, _ := f.user("Bob")
	gid := f.group(alice, authz.Closed, bob)
	th := f.thread(alice, gid, "Bench")
	ctx, m := metering.NewContext(bob)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.svc.Comment(ctx, th.ID, discussion.CommentInput{Body: fmt.Sprint("comment ", i)}); err != nil {
			b.Fatal(err)
		}
	}
	reportMeter(b, m)
}

// BenchmarkThreadPage500 reads a 500-comment thread page. Besides the
// calls and capacity it prints cost-page/ddb-time: the page's time over
// the time of its DynamoDB calls (goal ≤ 1.5: comments are rendered when
// written, so a read does little more than wait for DynamoDB).
func BenchmarkThreadPage500(b *testing.B) {
	f := newFixture(b)
	alice, _ := f.user("Alice")
	bob, _ := f.user("Bob")
	gid := f.group(alice, authz.Closed, bob)
	th := f.thread(alice, gid, "Bench")
	seed500(f, alice, th.ID)
	ctx, m := metering.NewContext(bob)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		p, err := f.svc.Page(ctx, th.ID, "", 0)
		if err != nil || len(p.Items) != 500 {
			b.Fatal(err, len(p.Items))
		}
	}
	elapsed := time.Since(start)
	reportMeter(b, m)
	if d := m.Snapshot().DynamoDBTime; d > 0 {
		b.ReportMetric(float64(elapsed)/float64(d), "cost-page/ddb-time")
	}
}
