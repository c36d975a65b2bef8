package seed

import "github.com/quorum-app/quorum/internal/store"

// storage is what seeding asks of the table itself (the steps bring their
// own cores): exactly the methods of *store.Store it calls
// (docs/architecture.md#storage-each-core-declares-what-it-consumes).
type storage interface {
	store.Getter
	store.Creator
}
