// Package stream is the one reader of the table's DynamoDB stream. AWS
// advises at most two simultaneous readers per shard, and every reaction to
// a write (notification email, the search index, later the fan-out) wants
// the same records, so one function reads the stream and a Dispatcher hands
// each consumer the records it wants (docs/architecture.md).
//
// In the cloud functions/mailer runs the Dispatcher behind the table's
// event source mapping; under `make dev` and in tests Poller reads DynamoDB
// Local's stream and calls the same Dispatcher.
package stream

import (
	"context"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Consumer reacts to records of the table's stream. It must be idempotent
// and tolerate redelivery and reordering across items: a failed batch is
// retried from its lowest failed sequence number, for every consumer.
type Consumer interface {
	// Wants reports whether the record concerns the consumer (no I/O).
	Wants(r events.DynamoDBEventRecord) bool
	// HandleRecords applies records (in stream order) and returns the
	// sequence numbers of those that failed and must be retried. err means
	// the whole call failed (every record given is retried).
	HandleRecords(ctx context.Context, recs []events.DynamoDBEventRecord) (failures []string, err error)
}

// Named is a consumer with the name its failures are logged under.
type Named struct {
	Name     string
	Consumer Consumer
}

// Dispatcher routes a batch of stream records to its consumers.
type Dispatcher struct {
	consumers []Named
	log       *slog.Logger
	// margin is kept from the invocation's deadline for each consumer, so a
	// slow consumer is cut off while the batch can still be answered.
	margin time.Duration
}

// New returns a dispatcher over consumers. log may be nil.
func New(log *slog.Logger, consumers ...Named) *Dispatcher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{consumers: consumers, log: log, margin: 2 * time.Second}
}

// Wants reports whether any consumer wants the record.
func (d *Dispatcher) Wants(r events.DynamoDBEventRecord) bool {
	for _, c := range d.consumers {
		if c.Consumer.Wants(r) {
			return true
		}
	}
	return false
}

// HandleRecords gives each consumer the records it wants, concurrently
// across consumers, each under its own deadline, and returns the union of
// their failures in stream order. It returns an error only when ctx ended.
func (d *Dispatcher) HandleRecords(ctx context.Context, recs []events.DynamoDBEventRecord) ([]string, error) {
	var (
		mu     sync.Mutex
		wg     sync.WaitGroup
		failed = map[string]bool{}
	)
	for _, c := range d.consumers {
		var mine []events.DynamoDBEventRecord
		for _, r := range recs {
			if c.Consumer.Wants(r) {
				mine = append(mine, r)
			}
		}
		if len(mine) == 0 {
			continue
		}
		wg.Add(1)
		go func(c Named, mine []events.DynamoDBEventRecord) {
			defer wg.Done()
			cctx, cancel := d.consumerContext(ctx)
			defer cancel()
			fails, err := d.run(cctx, c, mine)
			if err != nil {
				d.log.WarnContext(ctx, "stream: consumer failed", "consumer", c.Name, "records", len(mine), "error", err.Error())
				fails = fails[:0]
				for _, r := range mine {
					fails = append(fails, r.Change.SequenceNumber)
				}
			} else if len(fails) > 0 {
				d.log.WarnContext(ctx, "stream: records failed", "consumer", c.Name, "records", len(mine), "failed", len(fails))
			}
			mu.Lock()
			for _, f := range fails {
				failed[f] = true
			}
			mu.Unlock()
		}(c, mine)
	}
	wg.Wait()
	out := make([]string, 0, len(failed))
	for _, r := range recs {
		if failed[r.Change.SequenceNumber] {
			out = append(out, r.Change.SequenceNumber)
			delete(failed, r.Change.SequenceNumber)
		}
	}
	// Sequence numbers a consumer reported that are not in the batch
	// (never expected) are kept, sorted, rather than dropped.
	rest := make([]string, 0, len(failed))
	for f := range failed {
		rest = append(rest, f)
	}
	sort.Strings(rest)
	return append(out, rest...), ctx.Err()
}

// run calls one consumer, turning a panic into a failure of its records.
func (d *Dispatcher) run(ctx context.Context, c Named, recs []events.DynamoDBEventRecord) (fails []string, err error) {
	defer func() {
		if p := recover(); p != nil {
			d.log.ErrorContext(ctx, "stream: consumer panicked", "consumer", c.Name)
			fails, err = nil, errPanic
		}
	}()
	return c.Consumer.HandleRecords(ctx, recs)
}

type panicError struct{}

func (panicError) Error() string { return "consumer panicked" }

var errPanic error = panicError{}

func (d *Dispatcher) consumerContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) > 2*d.margin {
		return context.WithDeadline(ctx, dl.Add(-d.margin))
	}
	return context.WithCancel(ctx)
}

// Handle is HandleRecords shaped as a Lambda handler for a DynamoDB stream
// event source mapping with ReportBatchItemFailures. It never returns an
// error: failures are reported per record, so Lambda retries from the
// lowest failed one (and bisects, and finally sends the batch to the
// on-failure destination).
func (d *Dispatcher) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	failed, _ := d.HandleRecords(ctx, ev.Records)
	resp := events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{}}
	for _, seq := range failed {
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: seq})
	}
	d.log.InfoContext(ctx, "stream", "records", len(ev.Records), "failed", len(failed))
	return resp, nil
}
