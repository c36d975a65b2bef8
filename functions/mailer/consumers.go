package main

import (
	"log/slog"

	"github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/app/consumers"
	"github.com/quorum-app/quorum/internal/stream"
)

// consumersOf is the stream dispatcher with every consumer of the table's
// stream (internal/app/consumers: the outbox and the search indexer).
func consumersOf(a *app.API, log *slog.Logger) *stream.Dispatcher {
	return consumers.Dispatcher(a, log)
}
