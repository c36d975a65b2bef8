package export

import "github.com/quorum-app/quorum/internal/store"

// *store.Store is the implementation of the storage this package declares
// (on DynamoDB, or on internal/memdb in the fast tier).
var _ storage = (*store.Store)(nil)
