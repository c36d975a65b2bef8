// Package search is Quorum's full-text search: an inverted index kept in the
// application's single DynamoDB table, maintained from the table's stream
// and queried within a scope the caller computes from the authorization
// policy (docs/search.md).
//
//   - New builds the Index (the table, the signing key for page cursors).
//   - NewIndexer(ix).HandleRecords consumes stream records (NEW_AND_OLD_IMAGES)
//     of threads, comments, polls, ballots and outcomes; the stream
//     dispatcher calls it. It is idempotent and order-tolerant.
//   - Index.Search runs a query within a Scope, applies Filters, and asks
//     the caller's Visibility about every hit before returning it.
//
// The package imports no domain core and reads no item but its own
// (SEARCH#...): the owners of the items it follows (internal/discussion,
// internal/decision) recognise, decode and read them for it, through the
// interface it declares in internal/search/source (Config.Threads, Polls).
package search
