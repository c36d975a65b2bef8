package idempotency

import "github.com/quorum-app/quorum/internal/store"

// Store is what the middleware asks of the table: exactly the methods of
// *store.Store it calls (docs/architecture.md#storage-each-core-declares-what-it-consumes).
// Exported because the HTTP server's dependencies name it.
type Store interface {
	store.Getter
	store.Updater
	store.DeleteOpBuilder
	store.Tabler
}
