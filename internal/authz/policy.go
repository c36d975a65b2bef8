package authz

import "github.com/quorum-app/quorum/internal/domain"

// Action names one operation of the domain core ("group.create",
// "account.tokens.create", ...). Each rule file of this package declares the
// actions of its area and the function that decides them.
type Action string

// Errors the policy returns. NotFound is used where revealing that a
// resource exists would leak (secret groups, other people's things).
var (
	ErrSignIn = domain.Errorf(domain.Unauthorized, "sign in to do this")
	// ErrHidden answers for resources the actor may not even know exist.
	ErrHidden = domain.Errorf(domain.NotFound, "not found")
)

// Forbidden is a denial for a visible resource, with a reason the user can act on.
func Forbidden(reason string) error { return domain.Errorf(domain.Forbidden, "%s", reason) }

// RequireUser allows any authenticated actor (session or token).
func RequireUser(a Actor) error {
	if !a.Authenticated() {
		return ErrSignIn
	}
	return nil
}

// RequireSelf allows only the person identified by userID (or a token of theirs).
func RequireSelf(a Actor, userID string) error {
	if err := RequireUser(a); err != nil {
		return err
	}
	if a.UserID != userID {
		return ErrHidden
	}
	return nil
}
