package inbound

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var (
	testRoot = []byte("0123456789abcdef0123456789abcdef")
	now      = time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC)
)

func gens(m map[string]int) func(string) int {
	return func(u string) int {
		if g, ok := m[u]; ok {
			return g
		}
		return -1
	}
}

func TestTokenRoundTripAndLength(t *testing.T) {
	tk := NewTokens(testRoot, "Quorum.Example.org")
	user := "q3Rk2bVx0aZ-_e9LmN1pQw" // 22-char base64url (account ids)
	cases := []Token{
		{UserID: user, Kind: KindThread, ThreadID: "mfrggzdfmztwq2lk", KeyGeneration: 0},
		{UserID: user, Kind: KindPoll, PollID: "mfrggzdfmztwq2lk", KeyGeneration: 3},
		{UserID: user, Kind: KindComment, ThreadID: "mfrggzdfmztwq2lk", CommentID: "18a2b3c4d5e6f70801020304", KeyGeneration: 300},
		{UserID: "user-1", Kind: KindComment, ThreadID: "thread-01JDX4", CommentID: "c1", KeyGeneration: 1},
	}
	maxLen := map[Kind]int{KindThread: 78, KindPoll: 78, KindComment: 98} // comment: 97 while the key generation is below 128
	for _, c := range cases {
		c.Expires = now.Add(30 * 24 * time.Hour)
		addr, err := tk.Mint(c)
		if err != nil {
			t.Fatal(err)
		}
		local, dom, _ := strings.Cut(addr, "@")
		if dom != "quorum.example.org" || !strings.HasPrefix(local, "r+") || strings.ToLower(addr) != addr {
			t.Errorf("address %q", addr)
		}
		if c.UserID == user && len(local) > maxLen[c.Kind] {
			t.Errorf("%s local part is %d chars: %s", c.Kind, len(local), local)
		}
		if len(local) > MaxLocalPart {
			t.Errorf("local part %d > %d", len(local), MaxLocalPart)
		}
		t.Logf("%-7s %2d chars: %s", c.Kind, len(local), addr)
		// Relays may change case: verification is case-insensitive.
		for _, a := range []string{addr, strings.ToUpper(addr), "<" + addr + ">", " " + strings.ToUpper(local) + "@quorum.example.org "} {
			got, err := tk.Verify(a, now, gens(map[string]int{c.UserID: c.KeyGeneration}))
			if err != nil {
				t.Fatalf("verify %q: %v", a, err)
			}
			want := c
			want.Expires = time.Date(2026, 12, 23, 23, 59, 59, 999999999, time.UTC)
			if got != want {
				t.Errorf("got %+v\nwant %+v", got, want)
			}
		}
	}
}

func TestTokenErrors(t *testing.T) {
	tk := NewTokens(testRoot, "quorum.example.org")
	tok := Token{UserID: "q3Rk2bVx0aZ-_e9LmN1pQw", Kind: KindThread, ThreadID: "mfrggzdfmztwq2lk", KeyGeneration: 2, Expires: now.Add(time.Hour)}
	addr, err := tk.Mint(tok)
	if err != nil {
		t.Fatal(err)
	}
	g := gens(map[string]int{tok.UserID: 2})
	local, _, _ := strings.Cut(addr, "@")
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'a' {
			b[i] = 'b'
		} else {
			b[i] = 'a'
		}
		return string(b)
	}
	cases := []struct {
		name string
		addr string
		at   time.Time
		gen  func(string) int
		want error
	}{
		{"expired next day", addr, now.Add(48 * time.Hour), g, ErrTokenExpired},
		{"valid until end of day", addr, time.Date(2026, 11, 23, 23, 59, 0, 0, time.UTC), g, nil},
		{"rotated key", addr, now, gens(map[string]int{tok.UserID: 3}), ErrTokenRevoked},
		{"unknown user", addr, now, gens(nil), ErrTokenRevoked},
		{"wrong domain", local + "@evil.example", now, g, ErrTokenWrongDomain},
		{"subdomain is wrong", local + "@x.quorum.example.org", now, g, ErrTokenWrongDomain},
		{"tampered payload", flip(local, 5) + "@quorum.example.org", now, g, ErrTokenBadMAC},
		{"tampered mac", flip(local, len(local)-3) + "@quorum.example.org", now, g, ErrTokenBadMAC},
		{"truncated", local[:len(local)-8] + "@quorum.example.org", now, g, ErrTokenMalformed},
		{"bytes removed", "r+" + strings.ToLower(b32.EncodeToString(mustDecode(t, local)[5:])) + "@quorum.example.org", now, g, ErrTokenBadMAC},
		{"not base32", "r+hello!@quorum.example.org", now, g, ErrTokenMalformed},
		{"digits outside alphabet", "r+0189@quorum.example.org", now, g, ErrTokenMalformed},
		{"no prefix", strings.TrimPrefix(local, "r+") + "@quorum.example.org", now, g, ErrTokenMalformed},
		{"empty", "", now, g, ErrTokenMalformed},
		{"no at", "r+abc", now, g, ErrTokenMalformed},
		{"other key", mustMint(t, NewTokens([]byte("another root key"), "quorum.example.org"), tok), now, g, ErrTokenBadMAC},
		{"too long", "r+" + strings.Repeat("a", 200) + "@quorum.example.org", now, g, ErrTokenMalformed},
	}
	for _, c := range cases {
		_, err := tk.Verify(c.addr, c.at, c.gen)
		if !errors.Is(err, c.want) && !(c.want == nil && err == nil) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	if !tk.IsReplyAddress(strings.ToUpper(addr)) || tk.IsReplyAddress("garden@quorum.example.org") {
		t.Error("IsReplyAddress")
	}
	if got := tk.FindReplyAddress("garden@quorum.example.org", "<"+strings.ToUpper(addr)+">"); got != addr {
		t.Errorf("FindReplyAddress = %q", got)
	}
}

func mustMint(t *testing.T, tk *Tokens, tok Token) string {
	t.Helper()
	a, err := tk.Mint(tok)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestMintRejects(t *testing.T) {
	tk := NewTokens(testRoot, "quorum.example.org")
	exp := now.Add(time.Hour)
	bad := []Token{
		{UserID: "u", Kind: 9, ThreadID: "t", Expires: exp},
		{UserID: "", Kind: KindThread, ThreadID: "t", Expires: exp},
		{UserID: "u", Kind: KindThread, ThreadID: strings.Repeat("x", 41), Expires: exp},
		{UserID: "u", Kind: KindThread, ThreadID: "t"},
		{UserID: "u", Kind: KindThread, ThreadID: "t", Expires: exp, KeyGeneration: -1},
		{UserID: strings.Repeat("u", 40), Kind: KindComment, ThreadID: strings.Repeat("t", 40), CommentID: "c", Expires: exp},
	}
	for _, b := range bad {
		if _, err := tk.Mint(b); err == nil {
			t.Errorf("Mint(%+v) succeeded", b)
		}
	}
	// A token of one domain's deployment is not valid for another's.
	a := mustMint(t, tk, Token{UserID: "u", Kind: KindThread, ThreadID: "t", Expires: exp})
	local, _, _ := strings.Cut(a, "@")
	other := NewTokens(testRoot, "other.example.org")
	if _, err := other.Open(local+"@other.example.org", now); !errors.Is(err, ErrTokenBadMAC) {
		t.Errorf("cross-domain token: %v", err)
	}
}

func mustDecode(t *testing.T, local string) []byte {
	t.Helper()
	b, err := b32.DecodeString(strings.ToUpper(strings.TrimPrefix(local, "r+")))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
