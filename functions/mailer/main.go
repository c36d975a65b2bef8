// Command mailer delivers notification email as soon as it is queued. It
// consumes the table's DynamoDB stream: every notification item is also an
// email job (internal/notify, docs/email.md), so an INSERT (or a MODIFY
// that leaves the job pending and due) names a job to deliver now through
// outbox.Dispatcher.DeliverOne. Jobs the stream misses or that wait for a
// retry are swept by the scheduler (app.Tick → DeliverDue); the claim makes
// the two safe together. Records that hit a storage failure are reported
// as BatchItemFailures, so Lambda retries only those.
// With -invoke FILE it handles one sample stream event and prints the
// response.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/server"
	"github.com/quorum-app/quorum/internal/tabledef"
)

func main() {
	invoke := flag.String("invoke", "", "handle this DynamoDB stream event file once and print the response")
	flag.Parse()
	if err := run(*invoke); err != nil {
		fmt.Fprintln(os.Stderr, "mailer:", err)
		os.Exit(1)
	}
}

func run(invoke string) error {
	ctx := context.Background()
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	log := server.NewLogger(os.Stderr, cfg.LogLevel)
	a, err := app.NewAPI(ctx, cfg, log)
	if err != nil {
		return err
	}
	h := handler{out: a.Outbox, log: log, now: time.Now}
	if invoke != "" {
		return invokeOnce(ctx, h, invoke, os.Stdout)
	}
	lambda.Start(h.Handle)
	return nil
}

// Deliverer delivers one email job (outbox.Dispatcher).
type Deliverer interface {
	DeliverOne(ctx context.Context, userID, notifID string) error
}

type handler struct {
	out Deliverer
	log *slog.Logger
	now func() time.Time
}

// job returns the outbox job a stream record names, if its new image is a
// pending job due by now.
func job(r events.DynamoDBEventRecord, now time.Time) (uid, id string, ok bool) {
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
	if str(tabledef.GSI2PK) != notify.OutboxQueue || str("MailState") != string(notify.MailPending) {
		return "", "", false
	}
	due, _, _ := strings.Cut(str(tabledef.GSI2SK), "#")
	if due == "" || due > notify.DueKey(now) {
		return "", "", false // claimed, or waiting for a retry: the sweep takes it
	}
	uid, id = str("UserID"), str("ID")
	return uid, id, uid != "" && id != ""
}

// Handle delivers the jobs of a batch of stream records.
func (h handler) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	var resp events.DynamoDBEventResponse
	resp.BatchItemFailures = []events.DynamoDBBatchItemFailure{}
	now := h.now()
	delivered := 0
	for _, r := range ev.Records {
		uid, id, ok := job(r, now)
		if !ok {
			continue
		}
		if err := h.out.DeliverOne(ctx, uid, id); err != nil {
			h.log.WarnContext(ctx, "mailer: job failed", "notification", id, "error", err.Error())
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: r.Change.SequenceNumber})
			continue
		}
		delivered++
	}
	h.log.InfoContext(ctx, "mailer", "records", len(ev.Records), "jobs", delivered, "failed", len(resp.BatchItemFailures))
	return resp, nil
}

func invokeOnce(ctx context.Context, h handler, path string, out io.Writer) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(raw, &ev); err != nil || len(ev.Records) == 0 {
		return fmt.Errorf("%s is not a DynamoDB stream event: %v", path, err)
	}
	r, err := h.Handle(ctx, ev)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
