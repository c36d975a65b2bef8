package testcloud

import (
	"context"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/stream/poll"
)

// Follow hands the changes of the environment's table to h until the test
// ends, as the deployed table's event source mapping hands them to
// functions/mailer: on DynamoDB Local (New) through poll.Poller, which
// reads DynamoDB Streams; on memdb (FastStream) from memdb's records, in
// batches of at most 100, a batch with failures handed again from its first
// failed record. A Fast environment without a stream has nothing to follow:
// the test fails.
func (e *Env) Follow(t testing.TB, h poll.Handler) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	if e.Mem == nil {
		arn, err := poll.StreamARN(ctx, e.Clients.DynamoDB, e.Config.Table)
		if err != nil {
			cancel()
			t.Fatalf("stream: %v", err)
		}
		p := &poll.Poller{Streams: poll.NewStreamsClient(e.Clients.AWS, e.Config.DynamoDBEndpoint), StreamARN: arn,
			Handler: h, Idle: 50 * time.Millisecond}
		go func() { defer close(done); _ = p.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
		return
	}
	if !e.streams {
		cancel()
		t.Fatal("testcloud: Follow on a Fast table without a stream: use FastStream")
	}
	go func() {
		defer close(done)
		after := ""
		for ctx.Err() == nil {
			recs := e.Mem.Stream(e.Config.Table, after)
			if len(recs) > 100 {
				recs = recs[:100]
			}
			if len(recs) == 0 {
				sleep(ctx, 20*time.Millisecond)
				continue
			}
			failed, err := h.HandleRecords(ctx, recs)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				sleep(ctx, 20*time.Millisecond)
				continue // the whole batch again, as the mapping retries a failed invocation
			}
			next := recs[len(recs)-1].Change.SequenceNumber
			if len(failed) > 0 {
				next = after
				for _, r := range recs {
					if r.Change.SequenceNumber == failed[0] {
						break
					}
					next = r.Change.SequenceNumber
				}
				sleep(ctx, 20*time.Millisecond)
			}
			after = next
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
