package discussion_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/metering"
)

// seed500 posts 500 comments through the service (8 writers).
func seed500(f *fixture, ctx context.Context, tid string) {
	var wg sync.WaitGroup
	errs := make(chan error, 500)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < 500; i += 8 {
				_, err := f.svc.Comment(ctx, tid, discussion.CommentInput{Body: fmt.Sprintf("Comment **%d** with a little text to make it realistic.", i)})
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

func BenchmarkThreadPage500(b *testing.B) {
	f := newFixture(b)
	alice, _ := f.user("Alice")
	bob, _ := f.user("Bob")
	gid := f.group(alice, authz.Closed, bob)
	th := f.thread(alice, gid, "Bench")
	seed500(f, alice, th.ID)
	ctx, m := metering.NewContext(bob)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := f.svc.Page(ctx, th.ID, "", 0)
		if err != nil || len(p.Items) != 500 {
			b.Fatal(err, len(p.Items))
		}
	}
	reportMeter(b, m)
}
