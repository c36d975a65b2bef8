package replyaddr

import (
	"strings"
	"testing"
	"time"
)

// FuzzVerifyToken feeds arbitrary addresses to Verify: no panic, and any
// address that verifies re-mints to the same address (no malleability).
// Version 1 addresses (seeded from the legacy vectors) are never minted
// again: they only have to verify as they did.
func FuzzVerifyToken(f *testing.F) {
	tk := NewTokens(testRoot, testDomain)
	exp := now.Add(24 * time.Hour)
	for _, tok := range []Token{
		{UserID: testUser, Kind: KindThread, ThreadID: testThread, Expires: exp},
		{UserID: testUser, Kind: KindComment, NotificationID: testNotif, Expires: exp, KeyGeneration: 7},
		{UserID: testUser, Kind: KindPoll, PollID: testThread, Expires: exp, KeyGeneration: 20},
	} {
		a, err := tk.Mint(tok)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(a)
		f.Add(strings.ToUpper(a))
	}
	for _, l := range legacyV1 {
		f.Add(l.addr)
	}
	f.Add("r+@" + testDomain)
	f.Add("r+aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@" + testDomain)
	f.Fuzz(func(t *testing.T, addr string) {
		in := strings.ToLower(strings.Trim(strings.TrimSpace(addr), "<>"))
		local, _, _ := strings.Cut(in, "@")
		for _, g := range []int{0, 7, 20, 300} {
			tok, err := tk.Verify(addr, now, func(string) int { return g })
			if err != nil || len(local) != len(LocalPrefix)+b32.EncodedLen(v2Len) {
				continue // refused, or a version 1 address: verified, never minted again
			}
			again, err := tk.Mint(tok)
			if err != nil {
				t.Fatalf("verified token does not re-mint: %v", err)
			}
			if again != in {
				t.Fatalf("malleable: %q verifies as %q", addr, again)
			}
		}
	})
}
