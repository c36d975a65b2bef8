package inbox

import "github.com/quorum-app/quorum/internal/store"

// storage is what this core asks of the table: exactly the methods of
// *store.Store it calls (docs/architecture.md#storage-each-core-declares-what-it-consumes).
type storage interface {
	store.Getter
	store.Creator
	store.Deleter
	store.Transactor
	store.Updater
	store.DeleteOpBuilder
	store.Tabler
}
