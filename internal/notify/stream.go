package notify

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/quorum-app/quorum/internal/tabledef"
)

// Deliverer delivers one email job (Dispatcher.DeliverOne).
type Deliverer interface {
	DeliverOne(ctx context.Context, userID, notifID string) error
}

// StreamConsumer is the outbox's consumer of the table's stream
// (internal/stream): every notification item is also an email job, so an
// INSERT (or a MODIFY that leaves the job pending and due) names a job to
// deliver now. Jobs the stream misses or that wait for a retry are swept by
// the scheduler (DeliverDue); the claim makes the two safe together.
type StreamConsumer struct {
	Out Deliverer
	Log *slog.Logger
	Now func() time.Time
}

// StreamJob returns the outbox job a stream record names, if its new image
// is a pending job due by now.
func StreamJob(r events.DynamoDBEventRecord, now time.Time) (uid, id string, ok bool) {
	if r.EventName != string(events.DynamoDBOperationTypeInsert) && r.EventName != string(events.DynamoDBOperationTypeModify) {
		return "", "", false
	}
	img := r.Change.NewImage
	str := func(name string) string {
		v, found := img[name]
		if !found || v.DataType() != events.DataTypeString {
			return ""
		}
		return v.String()
	}
	if !IsOutboxQueue(str(tabledef.GSI2PK)) || str("MailState") != string(MailPending) {
		return "", "", false
	}
	due, _, _ := strings.Cut(str(tabledef.GSI2SK), "#")
	if due == "" || due > DueKey(now) {
		return "", "", false // claimed, or waiting for a retry: the sweep takes it
	}
	uid, id = str("UserID"), str("ID")
	return uid, id, uid != "" && id != ""
}

func (c StreamConsumer) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

// Wants reports whether the record names a job to deliver now.
func (c StreamConsumer) Wants(r events.DynamoDBEventRecord) bool {
	_, _, ok := StreamJob(r, c.now())
	return ok
}

// HandleRecords delivers the jobs the records name; the records whose
// delivery hit a storage failure are returned to be retried.
func (c StreamConsumer) HandleRecords(ctx context.Context, recs []events.DynamoDBEventRecord) ([]string, error) {
	log := c.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := c.now()
	var failed []string
	delivered := 0
	for _, r := range recs {
		uid, id, ok := StreamJob(r, now)
		if !ok {
			continue
		}
		if err := c.Out.DeliverOne(ctx, uid, id); err != nil {
			log.WarnContext(ctx, "mailer: job failed", "notification", id, "error", err.Error())
			failed = append(failed, r.Change.SequenceNumber)
			continue
		}
		delivered++
	}
	log.InfoContext(ctx, "mailer", "records", len(recs), "jobs", delivered, "failed", len(failed))
	return failed, nil
}
