package inbound

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/quorum-app/quorum/internal/poll"
)

// FuzzParse runs the whole inbound parsing path on arbitrary bytes: Parse,
// Classify, ExtractReply, Authenticate and ParseVote. None may panic, and
// each input must finish quickly.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte("Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n--a--"))
	f.Add([]byte("Content-Type: text/html\r\n\r\n<div class=gmail_quote><blockquote type=cite>" + strings.Repeat("<div>", 500)))
	proposal := poll.New(poll.TypeProposal)
	score := poll.New(poll.TypeScore)
	score.Options = []poll.Option{{ID: "a", Label: "Alpha"}, {ID: "b", Label: "Beta"}}
	f.Fuzz(func(t *testing.T, raw []byte) {
		start := time.Now()
		m, err := Parse(raw)
		if err != nil {
			return
		}
		_ = Classify(m, testDomain)
		reply := ExtractReply(m)
		if !utf8.ValidString(reply) {
			t.Fatalf("reply is not UTF-8: %q", reply)
		}
		for _, a := range m.Attachments {
			if strings.ContainsAny(a.Filename, "/\\\x00") || a.Filename == "" || len(a.Filename) > MaxFilenameBytes+16 {
				t.Fatalf("unsafe filename %q", a.Filename)
			}
		}
		_, _ = Authenticate(m, passing(m))
		_, _ = ParseVote(proposal, reply)
		_, _ = ParseVote(score, reply)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("took %v on %d bytes", d, len(raw))
		}
	})
}

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
