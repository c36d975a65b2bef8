// Package httpx is Quorum's HTTP plumbing, shared by the JSON API and the
// HTML pages: the request middleware (request ids, security headers,
// metering, panics, one log line a request), problem+json errors and the one
// mapping of domain errors to statuses, JSON and form decoding with the
// bounds on every list a body may hold, the session cookie, cross-origin
// protection (CSRF) and the WWW-Authenticate rule. It knows no domain core.
package httpx
