// Command scheduler is Quorum's periodic function. EventBridge Scheduler
// invokes it every few minutes in the cloud (make dev runs the same work
// from a ticker); each run closes and finalizes polls whose time has come,
// sends due reminders and purges deleted threads. Runs are idempotent.
//
// An event whose detail-type is "Search reindex" (events/scheduler-reindex.json,
// sent by an operator with aws lambda invoke) runs one bounded step of the
// search index's rebuild of a group or of the whole installation instead
// (docs/search.md, "Reindex"); the report says whether the run is done.
//
// With -invoke FILE it handles one sample event and prints its report;
// with -reindex it runs reindex steps until done (make reindex GROUP=...).
package main

import (
	"bytes"
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
	"github.com/quorum-app/quorum/internal/search"
)

func main() {
	invoke := flag.String("invoke", "", "handle this EventBridge event file once and print the report")
	reindex := flag.Bool("reindex", false, "run search reindex steps until the run is done, printing each step's report")
	group := flag.String("group", "", "with -reindex: the group to reindex (default: the whole installation)")
	restart := flag.Bool("restart", false, "with -reindex: discard the cursor of a run in progress and start over")
	flag.Parse()
	var rr *search.ReindexRequest
	if *reindex {
		rr = &search.ReindexRequest{GroupID: *group, Restart: *restart}
	}
	if err := run(*invoke, rr); err != nil {
		fmt.Fprintln(os.Stderr, "scheduler:", err)
		os.Exit(1)
	}
}

func run(invoke string, reindex *search.ReindexRequest) error {
	ctx := context.Background()
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	log := logging.New(os.Stderr, cfg.LogLevel)
	a, err := cores.ForScheduler(ctx, cfg, os.Getenv, log)
	if err != nil {
		return err
	}
	h := handler{app: a, log: log, now: time.Now}
	if reindex != nil {
		return reindexAll(ctx, h, *reindex, os.Stdout)
	}
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

// ReindexDetailType is the detail-type of an event asking for one step of
// the search reindex; its detail is a search.ReindexRequest.
const ReindexDetailType = "Search reindex"

// Handle runs one tick, or one reindex step for a "Search reindex" event.
func (h handler) Handle(ctx context.Context, ev events.EventBridgeEvent) (any, error) {
	if ev.DetailType == ReindexDetailType {
		return h.reindex(ctx, ev)
	}
	return h.tick(ctx, ev)
}

// reindex runs one bounded step of a search reindex (the request in the
// event's detail). The step stops 5 s before the invocation's deadline and
// saves its cursor; the operator invokes again until the report says done.
func (h handler) reindex(ctx context.Context, ev events.EventBridgeEvent) (search.ReindexReport, error) {
	var req search.ReindexRequest
	if len(ev.Detail) > 0 {
		dec := json.NewDecoder(bytes.NewReader(ev.Detail))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return search.ReindexReport{}, fmt.Errorf("reindex: the detail is not {\"group\", \"restart\", \"max_items\"}: %v", err)
		}
	}
	rep, err := search.NewIndexer(h.app.Search.Index, h.log).Reindex(ctx, req)
	attrs := []any{"event_id", ev.ID, "scope", rep.Scope, "run", rep.Run, "phase", rep.Phase, "done", rep.Done,
		"read", rep.Read, "indexed", rep.Indexed, "removed", rep.Removed, "total", rep.Total}
	if err != nil {
		h.log.ErrorContext(ctx, "reindex step failed", append(attrs, "error", err.Error())...)
		return rep, err
	}
	h.log.InfoContext(ctx, "reindex step", attrs...)
	return rep, nil
}

// reindexAll runs reindex steps (each as a Lambda invocation would, with
// a deadline of a minute) until the run is done.
func reindexAll(ctx context.Context, h handler, req search.ReindexRequest, out io.Writer) error {
	enc := json.NewEncoder(out)
	for {
		detail, _ := json.Marshal(req)
		step, cancel := context.WithTimeout(ctx, time.Minute)
		rep, err := h.reindex(step, events.EventBridgeEvent{DetailType: ReindexDetailType, Detail: detail})
		cancel()
		if err != nil {
			return err
		}
		if err := enc.Encode(rep); err != nil {
			return err
		}
		if rep.Done {
			return nil
		}
		req.Restart = false
	}
}

// tick runs the work due by now (a late or repeated delivery does no harm:
// every part is idempotent). A failed part is logged and returned, so
// Lambda retries the event and the error alarm sees it.
func (h handler) tick(ctx context.Context, ev events.EventBridgeEvent) (cores.TickReport, error) {
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
