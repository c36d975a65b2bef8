package render

import (
	"github.com/quorum-app/quorum/internal/render/rendertest"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func corpus(t *testing.T) []string { return rendertest.XSSCorpus(t) }

var forbiddenElements = map[string]bool{
	"script": true, "style": true, "iframe": true, "object": true, "embed": true, "svg": true, "math": true,
	"form": true, "input": true, "img": true, "link": true, "meta": true, "base": true, "video": true, "audio": true,
	"source": true, "template": true, "noscript": true, "details": true, "marquee": true, "frame": true, "frameset": true,
}

// safeURL reports whether a URL attribute value can only navigate to an
// http(s) or mailto address, after the decoding a browser would do.
func safeURL(v string) bool {
	s := strings.ToLower(strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, v))
	if strings.HasPrefix(s, "#") || strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") {
		return true
	}
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "mailto:")
}

// Inert checks the structure of rendered HTML the way a browser would parse
// it: no active elements, no event handlers, no style, only safe URLs.
func Inert(t *testing.T, payload, out string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(out))
	if err != nil {
		t.Fatalf("output does not parse: %v", err)
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if forbiddenElements[n.Data] {
				t.Errorf("payload %q produced <%s>: %s", payload, n.Data, out)
			}
			for _, a := range n.Attr {
				k := strings.ToLower(a.Key)
				switch {
				case strings.HasPrefix(k, "on"):
					t.Errorf("payload %q produced event handler %s: %s", payload, k, out)
				case k == "style" || k == "srcdoc" || k == "background" || k == "formaction" || a.Namespace != "":
					t.Errorf("payload %q produced attribute %s: %s", payload, k, out)
				case k == "href" || k == "src" || k == "action" || k == "xlink:href":
					if !safeURL(a.Val) {
						t.Errorf("payload %q produced unsafe %s=%q", payload, k, a.Val)
					}
				}
			}
			if n.Data == "a" {
				rel := ""
				for _, a := range n.Attr {
					if a.Key == "rel" {
						rel = a.Val
					}
				}
				if !strings.Contains(rel, "nofollow") || !strings.Contains(rel, "noreferrer") {
					t.Errorf("link without rel=nofollow noreferrer: %s", out)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, r := range []string{"\u202e", "\u2066", "\u202d"} {
		if strings.Contains(out, r) {
			t.Errorf("payload %q kept an invisible direction control", payload)
		}
	}
}

func TestXSSCorpusRendersInert(t *testing.T) {
	r := New()
	payloads := corpus(t)
	if len(payloads) < 50 {
		t.Fatalf("corpus has only %d payloads", len(payloads))
	}
	for _, p := range payloads {
		Inert(t, p, string(r.Markdown(p)))
		// Plain text (email bodies, previews) has no markup at all.
		if txt := r.PlainText(p); strings.ContainsAny(txt, "<>") && strings.Contains(strings.ToLower(txt), "<script") {
			t.Errorf("plain text kept a tag: %q", txt)
		}
	}
}

func TestMarkdownFeaturesSurvive(t *testing.T) {
	r := New()
	cases := []struct{ in, want string }{
		{"**bold** and _em_", "<strong>bold</strong> and <em>em</em>"},
		{"[site](https://example.org/a?b=1)", `<a href="https://example.org/a?b=1" rel="nofollow noreferrer">site</a>`},
		{"line one\nline two", "line one<br>"},
		{"- a\n- b", "<li>a</li>"},
		{"| h |\n|---|\n| c |", "<td>c</td>"},
		{"~~gone~~", "<del>gone</del>"},
		{"```go\nx := 1\n```", `<code class="language-go">x := 1`},
		{"mail <someone@example.org>", `href="mailto:someone@example.org"`},
		{"5 < 6 & 7 > 3", "5 &lt; 6 &amp; 7 &gt; 3"},
	}
	for _, c := range cases {
		if got := string(r.Markdown(c.in)); !strings.Contains(got, c.want) {
			t.Errorf("Markdown(%q) = %q, want it to contain %q", c.in, got, c.want)
		}
	}
}

func TestExcerptAndClean(t *testing.T) {
	r := New()
	if got := r.Excerpt("Hello <b>world</b>, this is a long sentence about budgets", 20); got != "Hello world, this is…" {
		t.Fatalf("excerpt %q", got)
	}
	if got := Clean("a\u202eb\x00c"); got != "abc" {
		t.Fatalf("clean %q", got)
	}
	long := strings.Repeat("x", MaxSource+10)
	if got := r.Markdown(long); len(got) > MaxSource+100 {
		t.Fatalf("oversize source rendered %d bytes", len(got))
	}
}

func FuzzMarkdownInert(f *testing.F) {
	for _, p := range []string{"<script>x</script>", "[a](javascript:x)", "<img src=x onerror=y>", "**b**",
		"- [x] <input type=text onfocus=x autofocus>\n- [ ] <b>", "1. [X] a\n   - [ ] [b](javascript:x)"} {
		f.Add(p)
	}
	r := New()
	f.Fuzz(func(t *testing.T, s string) {
		Inert(t, s, string(r.Markdown(s)))
	})
}

// A document's wrapped lines join into one paragraph; a comment keeps them.
func TestDocumentJoinsWrappedLines(t *testing.T) {
	src := "One sentence wrapped\nover two lines.\n\n- a list item\n  wrapped too"
	doc := string(NewDocument().Markdown(src))
	if strings.Contains(doc, "<br") || !strings.Contains(doc, "<p>One sentence wrapped\nover two lines.</p>") {
		t.Errorf("document: %q", doc)
	}
	if c := string(New().Markdown(src)); !strings.Contains(c, "<br") {
		t.Errorf("comment lost its line break: %q", c)
	}
	if got := string(NewDocument().Markdown(`<script>x</script>[a](javascript:alert(1))`)); strings.Contains(got, "<script") || strings.Contains(got, "javascript:") {
		t.Errorf("document not sanitised: %q", got)
	}
}
