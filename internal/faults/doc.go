// Package faults is Quorum's fault suite. Its tests run the real
// application (app.NewAPI, served over HTTP) on a DynamoDB Local of their
// own, with faults injected between the two: Toxiproxy
// (github.com/Shopify/toxiproxy/v2, embedded) for latency, resets, black
// holes and refused connections, signals for a paused (SIGSTOP) and a killed
// (SIGKILL, restarted by the local cloud's supervisor with its data) stand-in,
// and a small DynamoDB-aware proxy that answers chosen calls with throttling
// errors, never answers them, or loses their answers.
//
// TestFaultRun drives a load of clients voting, changing and withdrawing
// ballots and commenting, each request with its own Idempotency-Key and
// retried with it after any failure, through a schedule of faults, and
// checks afterwards: no acknowledged write lost, no duplicate, every poll's
// tally equal to a recount, every failed request retried with its key
// applied exactly once, no 500 anywhere and a Retry-After on every 503.
// `make test` runs it for about a minute; `make faults` runs it longer
// (QUORUM_FAULTS_DURATION, QUORUM_FAULTS_CLIENTS). See docs/local.md.
//
// The package has no code outside its tests.
package faults
