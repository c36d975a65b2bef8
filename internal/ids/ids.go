// Package ids holds Quorum's identifier formats: how ids are made and which
// strings are accepted as one. Ids go into table keys, URLs, tokens and
// reply addresses, so every package makes and checks them here.
//
//   - entity ids (groups, threads, polls, files, invitations): 80 random or
//     derived bits, 16 characters of lowercase base32 (a-z, 2-7): New, FromHash;
//   - account (user) ids: 128 random bits, 22 characters of base64url: NewUser;
//   - time-sortable ids (notifications, timeline positions): 16 hex digits
//     of Unix nanoseconds then 8 hex digits, 24 in all, whose lexical order
//     is time order: NewSortable, Sortable.
package ids

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// MaxLen is the longest string Valid accepts.
const MaxLen = 128

var entityEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// New returns a random entity id: 80 bits, 16 lowercase base32 characters.
func New() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return FromHash(b)
}

// FromHash returns the entity id made of the first 10 bytes of sum (a hash
// or MAC of at least 10 bytes), for ids that must come out the same each
// time (a retried email starts one thread).
func FromHash(sum []byte) string {
	return strings.ToLower(entityEncoding.EncodeToString(sum[:10]))
}

// NewUser returns a random account id: 128 bits, 22 base64url characters.
func NewUser() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewSortable returns a time-sortable, unique id for t: 16 hex digits of
// Unix nanoseconds, then 8 random hex digits. Lexical order is time order.
func NewSortable(t time.Time) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return Sortable(t, b)
}

// Sortable is NewSortable with the last 8 hex digits taken from the first 4
// bytes of tail (for ids that must come out the same each time).
func Sortable(t time.Time, tail []byte) string {
	return fmt.Sprintf("%016x", uint64(t.UnixNano())) + hex.EncodeToString(tail[:4])
}

// Valid accepts URL-safe identifiers (every format above, and nothing that
// could inject into a key, a URL or a token): 1 to MaxLen characters of
// [A-Za-z0-9_-].
func Valid(id string) bool {
	if len(id) < 1 || len(id) > MaxLen {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Alnum keeps only the ASCII letters and digits of an id, for places with
// a narrower alphabet than Valid's: Message-IDs, calendar UIDs, file names.
func Alnum(id string) string {
	var b strings.Builder
	for _, r := range id {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
