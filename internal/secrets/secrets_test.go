package secrets

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

// TestDeriveKeyIsStable pins the derivation: every cursor, login code,
// reply address and invitation already handed out was signed with a key
// derived this way, so a change must fail here first.
func TestDeriveKeyIsStable(t *testing.T) {
	root := []byte("0123456789abcdef0123456789abcdef")
	// Expected values computed independently:
	//   printf 'quorum/v1/PURPOSE' | openssl dgst -sha256 -hmac 0123456789abcdef0123456789abcdef
	for _, c := range []struct{ purpose, want string }{
		{"pagination-cursor", "d482d4b82013289d41d08b68df8bab49c781c49e54affb1bc857207b5d5382c0"},
		{"reply-token", "be89c8b3059081da2c6d39bca3c0e7acc98a6adb844680663fafbfb40d96fec3"},
	} {
		if got := hex.EncodeToString(DeriveKey(root, c.purpose)); got != c.want {
			t.Errorf("DeriveKey(root, %q) = %s, want %s", c.purpose, got, c.want)
		}
	}
}

// TestDeriveKeySeparatesPurposesAndRoots: keys of different purposes or
// different roots differ; the same inputs give the same key.
func TestDeriveKeySeparatesPurposesAndRoots(t *testing.T) {
	root, other := []byte("root-one-root-one-root-one-12345"), []byte("root-two-root-two-root-two-12345")
	purposes := []string{"pagination-cursor", "login-code", "reply-token", "unsubscribe", "group-invitation",
		"group-join-link", "timeline-cursor", "thread-guest-invitation", "inbound-held", ""}
	seen := map[string]string{}
	for _, p := range purposes {
		k := DeriveKey(root, p)
		if !bytes.Equal(k, DeriveKey(root, p)) {
			t.Fatalf("DeriveKey(%q) is not deterministic", p)
		}
		if bytes.Equal(k, DeriveKey(other, p)) {
			t.Errorf("DeriveKey(%q) does not depend on the root", p)
		}
		if q, dup := seen[string(k)]; dup {
			t.Errorf("purposes %q and %q derive the same key", q, p)
		}
		seen[string(k)] = p
	}
}

// NewToken keeps the exact format the stored hashes and the parsers of
// every token expect: 32 random bytes, base64url without padding.
func TestNewToken(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		tok := NewToken()
		if len(tok) != 43 || strings.ContainsAny(tok, "=+/") {
			t.Fatalf("token %q: want 43 characters of base64url without padding", tok)
		}
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(raw) != TokenBytes {
			t.Fatalf("token %q decodes to %d bytes, %v; want %d", tok, len(raw), err, TokenBytes)
		}
		if seen[tok] {
			t.Fatalf("token %q repeated", tok)
		}
		seen[tok] = true
	}
}
