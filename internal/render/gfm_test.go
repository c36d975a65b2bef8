package render

import (
	"bytes"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"

	"github.com/quorum-app/quorum/third_party/goldmarkgfm"
)

// gfmCases exercise each extension of the copy: tables (alignment,
// escaped pipes), strikethrough, task lists and autolinks.
var gfmCases = []string{
	"| a | b | c | d |\n|:--|--:|:-:|---|\n| 1 | 2 | 3 | 4 |\n| x \\| y | `a|b` | | |",
	"|a|\n|-|\n|b|\n\nnot | a | table\n- | -",
	"~~gone~~ ~one~ ~~~three~~~ a~~b~~c",
	"- [x] done\n- [ ] open\n- [X] upper\n  - [ ] nested\n1. [x] ordered",
	"see www.example.org/a?b=c&d=e, http://x.org/y.z) and https://example.org/(a)b_c ftp://f.org mailto:a@b.co a@b.co.",
	"*www.example.org* _https://x.org/_ ~http://y.org~ (www.z.org)",
	"www.a.b.c/" + string(bytes.Repeat([]byte("x"), 300)) + " www." + string(bytes.Repeat([]byte("a"), 300)) + ".org",
	"```go\nx := 1\n```\n\n> quote www.example.org\n\n# heading ~~x~~",
}

// TestGFMCopyMatchesGoldmark holds third_party/goldmarkgfm to goldmark's
// own extension.GFM: the same HTML for the cases above and the XSS corpus,
// rendered as comments (hard wraps) and as documents.
func TestGFMCopyMatchesGoldmark(t *testing.T) {
	inputs := append(append([]string{}, gfmCases...), corpus(t)...)
	for _, hard := range []bool{true, false} {
		ours, theirs := gfmPair(hard)
		for _, in := range inputs {
			sameGFM(t, in, ours, theirs)
		}
	}
}

func FuzzGFMCopyMatchesGoldmark(f *testing.F) {
	for _, c := range gfmCases {
		f.Add(c)
	}
	ours, theirs := gfmPair(true)
	f.Fuzz(func(t *testing.T, s string) {
		sameGFM(t, s, ours, theirs)
	})
}

func gfmPair(hardWraps bool) (ours, theirs goldmark.Markdown) {
	var opts []goldmark.Option
	if hardWraps {
		opts = append(opts, goldmark.WithRendererOptions(html.WithHardWraps()))
	}
	return goldmark.New(append(opts, goldmark.WithExtensions(goldmarkgfm.GFM))...),
		goldmark.New(append(opts, goldmark.WithExtensions(extension.GFM))...)
}

func sameGFM(t *testing.T, in string, ours, theirs goldmark.Markdown) {
	t.Helper()
	var a, b bytes.Buffer
	errA, errB := ours.Convert([]byte(in), &a), theirs.Convert([]byte(in), &b)
	if (errA == nil) != (errB == nil) || a.String() != b.String() {
		t.Errorf("source %q:\n copy     %q (%v)\n goldmark %q (%v)", in, a.String(), errA, b.String(), errB)
	}
}
