// Command scheduler is Quorum's periodic function. EventBridge Scheduler
// invokes it every few minutes in the cloud (make dev runs the same work
// from a ticker); each run closes and finalizes polls whose time has come,
// sends due reminders and purges deleted threads. Runs are idempotent.
// With -invoke FILE it handles one sample event and prints its report.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/cores"
	"github.com/quorum-app/quorum/internal/logging"
)

func main() {
	invoke := flag.String("invoke", "", "handle this EventBridge event file once and print the report")
	flag.Parse()
	if err := run(*invoke); err != nil {
		fmt.Fprintln(os.Stderr, "scheduler:", err)
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
	a, err := cores.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	h := handler{app: a, log: log, now: time.Now}
	if invoke != "" {
		return invokeOnce(ctx, h, invoke, os.Stdout)
	}
	lambda.Start(h.Handle)
	return nil
}

type handler struct {
	app *cores.Cores
	log *slog.Logger
	now func() time.Time
}

// Handle runs one tick doing the work due by now (a late or repeated
// delivery does no harm: every part is idempotent). A failed part is logged
// and returned, so Lambda retries the event and the error alarm sees it.
func (h handler) Handle(ctx context.Context, ev events.EventBridgeEvent) (cores.TickReport, error) {
	r, err := h.app.Tick(ctx, h.now())
	attrs := []any{"event_id", ev.ID, "closed", r.Polls.Closed, "finalized", r.Polls.Finalized,
		"closing_soon", r.Polls.ClosingSoon, "reviews", r.Polls.Reviews, "failed", r.Polls.Failed, "purged", r.Purged, "elapsed", r.Elapsed}
	if err != nil {
		h.log.ErrorContext(ctx, "tick failed", append(attrs, "error", err.Error())...)
		return r, err
	}
	h.log.InfoContext(ctx, "tick", attrs...)
	return r, nil
}

func invokeOnce(ctx context.Context, h handler, path string, out io.Writer) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var ev events.EventBridgeEvent
	if err := json.Unmarshal(raw, &ev); err != nil || ev.DetailType == "" {
		return fmt.Errorf("%s is not an EventBridge event: %v", path, err)
	}
	r, err := h.Handle(ctx, ev)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
