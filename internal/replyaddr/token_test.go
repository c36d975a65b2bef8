package replyaddr

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const testDomain = "quorum.example.org"

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

// Quorum's id formats: every one has a fixed length, so these are the
// longest ids there are.
const (
	testUser   = "q3Rk2bVx0aZ-_e9LmN1pQw"   // account ids: 22-char base64url
	testThread = "mfrggzdfmztwq2lk"         // thread and poll ids: 16-char base32
	testNotif  = "18a2b3c4d5e6f70801020304" // notification ids: 24 hex digits
)

func TestTokenRoundTripAndLength(t *testing.T) {
	tk := NewTokens(testRoot, "Quorum.Example.org")
	cases := []Token{
		{UserID: testUser, Kind: KindThread, ThreadID: testThread, KeyGeneration: 0},
		{UserID: testUser, Kind: KindPoll, PollID: testThread, KeyGeneration: 3},
		{UserID: testUser, Kind: KindComment, NotificationID: testNotif, KeyGeneration: 300},
		{UserID: "_____________________w", Kind: KindComment, NotificationID: "ffffffffffffffffffffffff", KeyGeneration: 1 << 31},
		{UserID: testUser, Kind: KindPoll, PollID: "7777777777777777", KeyGeneration: 1<<31 - 1},
	}
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
		// RFC 5321 §4.5.3.1.1: a local part has at most 64 octets.
		if len(local) > 64 || len(local) > MaxLocalPart {
			t.Errorf("%s local part is %d octets: %s", c.Kind, len(local), local)
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
	tok := Token{UserID: testUser, Kind: KindThread, ThreadID: testThread, KeyGeneration: 2, Expires: now.Add(time.Hour)}
	addr := mustMint(t, tk, tok)
	comment := mustMint(t, tk, Token{UserID: testUser, Kind: KindComment, NotificationID: testNotif, KeyGeneration: 2, Expires: now.Add(time.Hour)})
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
		{"comment valid", comment, now, g, nil},
		{"rotated key", addr, now, gens(map[string]int{tok.UserID: 3}), ErrTokenRevoked},
		{"rotated key 15 times", addr, now, gens(map[string]int{tok.UserID: 17}), ErrTokenRevoked},
		{"rotated key 16 times", addr, now, gens(map[string]int{tok.UserID: 18}), ErrTokenBadMAC},
		{"generation below the minted one", addr, now, gens(map[string]int{tok.UserID: 1}), ErrTokenBadMAC},
		{"unknown user", addr, now, gens(nil), ErrTokenBadMAC},
		{"wrong domain", local + "@evil.example", now, g, ErrTokenWrongDomain},
		{"subdomain is wrong", local + "@x.quorum.example.org", now, g, ErrTokenWrongDomain},
		{"tampered kind", flip(local, 2) + "@quorum.example.org", now, g, ErrTokenBadMAC},
		{"tampered payload", flip(local, 8) + "@quorum.example.org", now, g, ErrTokenBadMAC},
		{"tampered mac", flip(local, len(local)-3) + "@quorum.example.org", now, g, ErrTokenBadMAC},
		{"truncated", local[:len(local)-8] + "@quorum.example.org", now, g, ErrTokenMalformed},
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
	// No single changed character yields another valid address.
	for _, a := range []string{addr, comment} {
		l, _, _ := strings.Cut(a, "@")
		for i := len(LocalPrefix); i < len(l); i++ {
			for _, ch := range "a7" {
				b := []byte(l)
				if b[i] == byte(ch) {
					continue
				}
				b[i] = byte(ch)
				if _, err := tk.Verify(string(b)+"@quorum.example.org", now, g); err == nil {
					t.Errorf("changed %q verifies", b)
				}
			}
		}
	}
	if !tk.IsReplyAddress(strings.ToUpper(addr)) || tk.IsReplyAddress("garden@quorum.example.org") {
		t.Error("IsReplyAddress")
	}
	if got := tk.FindReplyAddress("garden@quorum.example.org", "<"+strings.ToUpper(addr)+">"); got != addr {
		t.Errorf("FindReplyAddress = %q", got)
	}
}

// legacyV1 are addresses minted by version 1 (before reply addresses fit in
// 64 octets), with testRoot for quorum.example.org, expiring 2026-12-23.
// They keep working until they expire.
var legacyV1 = []struct {
	addr string
	tok  Token
}{
	{"r+cfqfcsqavn2gjwnvohi2m7x555fzrxljinqwey3emvtgo2djnjq24nyzsebc34odtss3kltappka@quorum.example.org",
		Token{UserID: testUser, Kind: KindThread, ThreadID: testThread, KeyGeneration: 0}},
	{"r+cjqfcsqdvn2gjwnvohi2m7x555fzrxljinqwey3emvtgo2djnkamhvmtoqfxpbpqztjnnuxt7huq@quorum.example.org",
		Token{UserID: testUser, Kind: KindPoll, PollID: testThread, KeyGeneration: 3}},
	{"r+cnwfcsvmakvxizgzwvy5djt67xxuxgg5nfbwcytdmrswmz3infvbrivtytk6n5yiaebagbc3lh2wilcs5felauxcr3nsk3us@quorum.example.org",
		Token{UserID: testUser, Kind: KindComment, ThreadID: testThread, CommentID: testNotif, KeyGeneration: 300}},
}

func TestLegacyV1AddressesWorkUntilTheyExpire(t *testing.T) {
	tk := NewTokens(testRoot, "quorum.example.org")
	for _, l := range legacyV1 {
		want := l.tok
		want.Expires = time.Date(2026, 12, 23, 23, 59, 59, 999999999, time.UTC)
		current := gens(map[string]int{testUser: want.KeyGeneration})
		got, err := tk.Verify(strings.ToUpper(l.addr), now, current)
		if err != nil || got != want {
			t.Errorf("%s: got %+v, %v\nwant %+v", l.tok.Kind, got, err, want)
		}
		if _, err := tk.Verify(l.addr, want.Expires.Add(time.Second), current); !errors.Is(err, ErrTokenExpired) {
			t.Errorf("%s after expiry: %v", l.tok.Kind, err)
		}
		if _, err := tk.Verify(l.addr, now, gens(map[string]int{testUser: want.KeyGeneration + 1})); !errors.Is(err, ErrTokenRevoked) {
			t.Errorf("%s rotated: %v", l.tok.Kind, err)
		}
		local, _, _ := strings.Cut(l.addr, "@")
		b := []byte(local)
		b[10] ^= 1
		if _, err := tk.Verify(string(b)+"@quorum.example.org", now, current); err == nil {
			t.Errorf("%s tampered verifies", l.tok.Kind)
		}
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
		{UserID: testUser, Kind: 9, ThreadID: testThread, Expires: exp},
		{UserID: "", Kind: KindThread, ThreadID: testThread, Expires: exp},
		{UserID: "user-1", Kind: KindThread, ThreadID: testThread, Expires: exp},
		{UserID: testUser + "A", Kind: KindThread, ThreadID: testThread, Expires: exp},
		{UserID: testUser, Kind: KindThread, ThreadID: "thread-01JDX4", Expires: exp},
		{UserID: testUser, Kind: KindThread, ThreadID: strings.ToUpper(testThread), Expires: exp},
		{UserID: testUser, Kind: KindPoll, ThreadID: testThread, Expires: exp},
		{UserID: testUser, Kind: KindThread, ThreadID: testThread},
		{UserID: testUser, Kind: KindThread, ThreadID: testThread, Expires: exp, KeyGeneration: -1},
		{UserID: testUser, Kind: KindComment, ThreadID: testThread, CommentID: testNotif, Expires: exp},
		{UserID: testUser, Kind: KindComment, NotificationID: testNotif + "00", Expires: exp},
	}
	for _, b := range bad {
		if _, err := tk.Mint(b); err == nil {
			t.Errorf("Mint(%+v) succeeded", b)
		}
	}
	// A token of one domain's deployment is not valid for another's.
	a := mustMint(t, tk, Token{UserID: testUser, Kind: KindThread, ThreadID: testThread, Expires: exp})
	local, _, _ := strings.Cut(a, "@")
	other := NewTokens(testRoot, "other.example.org")
	if _, err := other.Verify(local+"@other.example.org", now, func(string) int { return 0 }); !errors.Is(err, ErrTokenBadMAC) {
		t.Errorf("cross-domain token: %v", err)
	}
}
