package main

import (
	"log/slog"

	"github.com/quorum-app/quorum/internal/cores/consumers"
	"github.com/quorum-app/quorum/internal/cores/corebase"
	"github.com/quorum-app/quorum/internal/stream"
)

// consumersOf is the stream dispatcher with every consumer of the table's
// stream (internal/cores/consumers: the outbox, the search indexer, the
// audit sealer and the fan-out of notifications).
func consumersOf(a *corebase.Base, log *slog.Logger) *stream.Dispatcher {
	return consumers.Dispatcher(a, log)
}
