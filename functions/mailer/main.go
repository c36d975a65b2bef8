// Command mailer is the one reader of the table's DynamoDB stream
// (internal/stream, docs/architecture.md): its dispatcher hands each
// consumer (consumers.go) the records it wants. The outbox delivers
// notification email as soon as it is queued: every notification item is
// also an email job (internal/notify, docs/email.md), so an INSERT (or a
// MODIFY that leaves the job pending and due) names a job to deliver now;
// jobs the stream misses or that wait for a retry are swept by the
// scheduler (app.Tick → DeliverDue). The search indexer keeps the search
// index in step with threads, comments, polls, reasons and outcomes
// (docs/search.md). Records that hit a storage failure are reported as
// BatchItemFailures, so Lambda retries only those.
// With -invoke FILE it handles one sample stream event and prints the
// response.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/cores/mailer"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/stream"
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
	log := logging.New(os.Stderr, cfg.LogLevel)
	a, err := mailer.New(ctx, cfg, os.Getenv, log)
	if err != nil {
		return err
	}
	d := consumersOf(a, log)
	if invoke != "" {
		return invokeOnce(ctx, d, invoke, os.Stdout)
	}
	lambda.Start(d.Handle)
	return nil
}

func invokeOnce(ctx context.Context, h *stream.Dispatcher, path string, out io.Writer) error {
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
