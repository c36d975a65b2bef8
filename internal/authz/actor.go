// Package authz is Quorum's single authorization policy. Every operation of
// the domain core asks it, with the acting Actor and the facts about the
// resource; handlers never decide access themselves. Deny unless allowed.
package authz

import "context"

// Kind is how an actor authenticated.
type Kind string

// Actor kinds.
const (
	Anonymous Kind = "anonymous" // no credentials
	User      Kind = "user"      // a browser session
	Bot       Kind = "bot"       // a personal API token acting for its owner
)

// Actor is who performs an operation.
type Actor struct {
	Kind Kind
	// UserID is the person (for bots: the token's owner). Empty when anonymous.
	UserID string
	// SessionID or TokenID identify the credential (hashed id, never the secret).
	SessionID string
	TokenID   string
}

// Authenticated reports whether the actor is a known person.
func (a Actor) Authenticated() bool { return a.Kind != Anonymous && a.UserID != "" }

type actorKey struct{}

// WithActor returns ctx carrying the actor (set by the HTTP, email and
// scheduler adapters after authentication).
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor of ctx; anonymous when none was set.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Kind: Anonymous}
}
