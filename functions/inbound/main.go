// Command inbound is Quorum's inbound mail function. The SES receipt rule
// stores each message's raw MIME in the inbound bucket (under
// QUORUM_INBOUND_PREFIX + the SES message id), then invokes this function
// with the receipt (events.SimpleEmailEvent); internal/inbox does the work:
// replies become comments, votes ballots, mail to a group's address a
// thread, and anything unverified is held for confirmation. Each message is
// processed once per SES message id, however often it is delivered.
// With -invoke FILE it handles one sample event and prints the outcomes; if
// a file with the same name and the extension .eml sits next to it, that
// raw message is put in the local inbound bucket first.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/cores/inboxcores"
	"github.com/quorum-app/quorum/internal/inbound"
	"github.com/quorum-app/quorum/internal/inbox"
	"github.com/quorum-app/quorum/internal/logging"
)

func main() {
	invoke := flag.String("invoke", "", "handle this SES receipt event file once and print the outcomes")
	flag.Parse()
	if err := run(*invoke); err != nil {
		fmt.Fprintln(os.Stderr, "inbound:", err)
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
	a, err := inboxcores.New(ctx, cfg, os.Getenv, log)
	if err != nil {
		return err
	}
	h := handler{inbox: a.Inbox, raw: inbox.S3Raw{Client: a.Clients.S3}, bucket: cfg.InboundBucket, prefix: cfg.InboundPrefix, log: log}
	if invoke != "" {
		if !cfg.Local() {
			return errors.New("-invoke is for the local cloud")
		}
		return invokeOnce(ctx, h, invoke, os.Stdout)
	}
	lambda.Start(h.Handle)
	return nil
}

type handler struct {
	inbox          *inbox.Service
	raw            inbox.RawStore
	bucket, prefix string
	log            *slog.Logger
}

// Delivery maps one SES receipt record to the raw message's location.
func (h handler) Delivery(rec events.SimpleEmailRecord) inbox.Delivery {
	id := rec.SES.Mail.MessageID
	return inbox.Delivery{MessageID: id, Bucket: h.bucket, Key: h.prefix + id, Recipients: rec.SES.Receipt.Recipients,
		Verdicts: inbound.VerdictsFromSES(rec.SES), Received: rec.SES.Mail.Timestamp}
}

// Handle processes every record. An error makes Lambda retry the event;
// records already processed are no-ops then.
func (h handler) Handle(ctx context.Context, ev events.SimpleEmailEvent) ([]inbox.Outcome, error) {
	var outs []inbox.Outcome
	var errs []error
	for _, rec := range ev.Records {
		out, err := h.inbox.Process(ctx, h.Delivery(rec))
		if err != nil {
			h.log.ErrorContext(ctx, "inbound failed", "message_id", rec.SES.Mail.MessageID, "error", err.Error())
			errs = append(errs, err)
			continue
		}
		outs = append(outs, out)
	}
	return outs, errors.Join(errs...)
}

func invokeOnce(ctx context.Context, h handler, path string, out io.Writer) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var ev events.SimpleEmailEvent
	if err := json.Unmarshal(raw, &ev); err != nil || len(ev.Records) == 0 {
		return fmt.Errorf("%s is not an SES receipt event: %v", path, err)
	}
	if eml, err := os.ReadFile(strings.TrimSuffix(path, ".json") + ".eml"); err == nil {
		for _, rec := range ev.Records {
			d := h.Delivery(rec)
			if err := h.raw.Put(ctx, d.Bucket, d.Key, eml); err != nil {
				return err
			}
		}
	}
	outs, err := h.Handle(ctx, ev)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(outs)
}
