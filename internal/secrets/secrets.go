// Package secrets derives the keys Quorum signs and MACs with from the one
// root signing key of the configuration (QUORUM_SIGNING_KEY). Each use has a
// purpose of its own, so a token minted for one purpose (a pagination
// cursor, a login code, a reply address, an invitation...) is never valid
// for another, and rotating the root key rotates them all.
package secrets

import (
	"crypto/hmac"
	"crypto/sha256"
)

// DeriveKey derives a purpose-specific key from the root secret:
// HMAC-SHA256(root, "quorum/v1/" + purpose). The derivation is part of every
// stored and mailed token's format: changing it invalidates them all.
func DeriveKey(root []byte, purpose string) []byte {
	m := hmac.New(sha256.New, root)
	m.Write([]byte("quorum/v1/" + purpose))
	return m.Sum(nil)
}
