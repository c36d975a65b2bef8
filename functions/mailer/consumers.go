package main

import (
	"log/slog"
	"time"

	"github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/outbox"
	"github.com/quorum-app/quorum/internal/search"
	"github.com/quorum-app/quorum/internal/stream"
)

// consumers is the stream dispatcher with every consumer of the table's
// stream. The event source mapping's filter (infra/stack, wireStream) lets
// through only records some consumer here wants: keep the two in step.
func consumers(a *app.API, log *slog.Logger) *stream.Dispatcher {
	return stream.New(log,
		stream.Named{Name: "mailer", Consumer: outbox.StreamConsumer{Out: a.Outbox, Log: log, Now: time.Now}},
		stream.Named{Name: "search", Consumer: search.NewIndexer(a.Search.Index, log)},
	)
}
