package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"

	"github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/inbox"
	"github.com/quorum-app/quorum/internal/logging"
)

// mailIn is `localdev mail-in EML [TO]` (make mail-in): it puts the raw
// message into the local inbound bucket the way the SES receipt rule does
// and runs the inbound mail service on it, printing the outcome. TO is the
// envelope recipient (default: the message's To and Cc). The SES verdicts
// pass unless VERDICTS=fail (a forged sender). MESSAGE_ID sets the SES
// message id (default: a new one), so that a delivery can be repeated.
func mailIn(emlPath, to string) error {
	raw, err := os.ReadFile(emlPath)
	if err != nil {
		return err
	}
	ctx := context.Background()
	a, _, stop, err := devAPI(ctx, "this message")
	if err != nil {
		return err
	}
	defer stop()
	verdicts := inbox.PassingVerdicts()
	if strings.EqualFold(os.Getenv("VERDICTS"), "fail") {
		verdicts = inbox.FailingVerdicts()
	}
	var rcpt []string
	if to != "" {
		rcpt = strings.Split(to, ",")
	}
	var out inbox.Outcome
	if id := strings.TrimSpace(os.Getenv("MESSAGE_ID")); id != "" {
		out, err = a.Inbox.InjectAs(ctx, id, raw, rcpt, verdicts)
	} else {
		out, err = a.Inbox.Inject(ctx, raw, rcpt, verdicts)
	}
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// devAPI wires the app on the local cloud `make dev` runs, or on one
// started for purpose (stop ends it).
func devAPI(ctx context.Context, purpose string) (*app.API, config.Config, func(), error) {
	l, err := setup()
	if err != nil {
		return nil, config.Config{}, func() {}, err
	}
	cfg, stop, err := devCloud(ctx, l, purpose)
	if err != nil {
		return nil, cfg, stop, err
	}
	a, err := app.NewAPI(ctx, cfg, logging.New(os.Stderr, "warn"))
	if err != nil {
		stop()
		return nil, cfg, func() {}, err
	}
	return a, cfg, stop, nil
}
