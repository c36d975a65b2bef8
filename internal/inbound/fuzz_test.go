package inbound

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/quorum-app/quorum/internal/lang"
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
	meeting := poll.New(poll.TypeMeeting)
	meeting.Settings.CanRespondMaybe = true
	for i := range 3 {
		meeting.Options = append(meeting.Options, poll.Option{ID: string(rune('a' + i)), Start: time.Date(2026, 12, 1+i, 18, 0, 0, 0, time.UTC)})
	}
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
		l := lang.Supported[len(raw)%len(lang.Supported)] // every language's words get fuzzed
		_, _ = ParseVote(proposal, l, reply)
		_, _ = ParseVote(score, l, reply)
		_, _ = ParseVote(meeting, l, reply)
		// A hang guard, not a measure of speed (that is the benchmarks'):
		// an input of at most a few KB that takes this long has found
		// work that grows out of bounds. Generous, because fuzz-units runs
		// beside the whole test suite on a loaded 2-core machine, where a
		// seed once took 2.9 s.
		if d := time.Since(start); d > 30*time.Second {
			t.Fatalf("took %v on %d bytes", d, len(raw))
		}
	})
}
