package secrets

import (
	"crypto/rand"
	"encoding/base64"
)

// TokenBytes is the entropy of a NewToken: 256 bits.
const TokenBytes = 32

// NewToken returns a fresh random secret of TokenBytes bytes from
// crypto/rand, base64url without padding (43 characters): what Quorum mails,
// hands out and stores only a hash of (sessions, sign-in and email codes'
// links, API tokens, group and thread invitations, ballot receipts). The
// format is part of those tokens: account.isToken and the receipts'
// decoding expect it. crypto/rand.Read never fails (it panics if the
// system's random source does).
func NewToken() string {
	b := make([]byte, TokenBytes)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
