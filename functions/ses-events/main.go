// Command ses-events records what SES reports about delivered mail. The
// configuration set publishes bounce and complaint events to an SNS topic
// that invokes this function; a permanent bounce or a complaint suppresses
// the recipient's address (internal/mailpref), so Quorum stops mailing it
// and tells the person in their settings. Transient and undetermined
// bounces and every other event type are ignored. Handling is idempotent:
// SNS and Lambda may deliver an event more than once.
// With -invoke FILE it handles one sample event and prints its report.
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

	"github.com/quorum-app/quorum/internal/awsbase"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/mailpref"
	"github.com/quorum-app/quorum/internal/store"
)

func main() {
	invoke := flag.String("invoke", "", "handle this SNS event file once and print the report")
	flag.Parse()
	if err := run(*invoke); err != nil {
		fmt.Fprintln(os.Stderr, "ses-events:", err)
		os.Exit(1)
	}
}

// run wires only what suppression needs: the table and the preferences core.
func run(invoke string) error {
	ctx := context.Background()
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	log := logging.New(os.Stderr, cfg.LogLevel)
	// The SDK configuration and DynamoDB alone: awsclient would link the
	// S3 and SES clients too, whose package initialisation every cold
	// start pays.
	aws, err := awsbase.LoadEnv(ctx, cfg, os.Getenv)
	if err != nil {
		return err
	}
	if err := awsbase.ResolveSecrets(ctx, aws, &cfg); err != nil {
		return err
	}
	st := store.New(awsbase.DynamoDB(aws, cfg), cfg.Table, cfg.SigningKey)
	prefs, err := mailpref.New(mailpref.Config{Store: st, BaseURL: cfg.BaseURL, SigningKey: cfg.SigningKey, Log: log})
	if err != nil {
		return err
	}
	h := handler{prefs: prefs, log: log}
	if invoke != "" {
		return invokeOnce(ctx, h, invoke, os.Stdout)
	}
	lambda.Start(h.Handle)
	return nil
}

func invokeOnce(ctx context.Context, h handler, path string, out io.Writer) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var ev events.SNSEvent
	if err := json.Unmarshal(raw, &ev); err != nil || len(ev.Records) == 0 {
		return fmt.Errorf("%s is not an SNS event: %v", path, err)
	}
	r, err := h.Handle(ctx, ev)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
