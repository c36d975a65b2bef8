package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/cores/consumers"
	"github.com/quorum-app/quorum/internal/cores/consumers/localstream"
)

// runStream reads DynamoDB Local's stream of the table into the same
// dispatcher functions/mailer runs in the cloud (the outbox and the search
// index), until ctx ends. The outbox sweep (runMailer) stays as the
// scheduler's safety net, as in the cloud.
func runStream(ctx context.Context, a *app.API, log *slog.Logger) {
	// What was written before the index existed (or while make dev was
	// stopped longer than the stream keeps records) is indexed first.
	if n, err := consumers.Backfill(ctx, a.Cores, log); err != nil {
		fmt.Fprintf(os.Stderr, "search backfill: %v\n", err)
	} else {
		fmt.Printf("search: %d items scanned into the index\n", n)
	}
	if err := localstream.Poll(ctx, a.Cores, log); err != nil && ctx.Err() == nil {
		fmt.Fprintf(os.Stderr, "stream: %v (search results and instant email are off)\n", err)
	}
}
