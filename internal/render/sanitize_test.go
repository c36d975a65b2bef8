package render

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/microcosm-cc/bluemonday"
	gmtext "github.com/yuin/goldmark/text"
)

// bluemondayPolicies are the policies render used before its own
// sanitiser (render.go at dfc15cd), kept here only to hold the sanitiser
// to them: bluemonday is a test dependency, no function links it. Since
// render.Version 3 no input (a task list's box is a character in a span
// of class "task").
func bluemondayPolicies() (rich, strict *bluemonday.Policy) {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "hr", "em", "strong", "del", "s", "code", "pre", "blockquote",
		"ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub")
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,6}$`)).OnElements("ol")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|right|center)$`)).OnElements("th", "td")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[a-zA-Z0-9_+-]{1,32}$`)).OnElements("code")
	p.AllowAttrs("href").Matching(regexp.MustCompile(`^(?i:https?:|mailto:)|` + memberPathExpr)).OnElements("a")
	p.AllowRelativeURLs(true)
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^mention$`)).OnElements("a")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^mention$|^task$`)).OnElements("span")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	return p, bluemonday.StrictPolicy()
}

// sanitiserCases are HTML the sanitiser must treat as bluemonday did:
// what the renderer emits, and hostile HTML given straight to it (the
// plain-text policy sees the source as typed).
var sanitiserCases = []string{
	`<p>plain</p>`,
	`<a href="https://example.org/a?b=1&amp;c=%22x%22">x</a>`,
	`<a href="HTTPS://EXAMPLE.ORG">x</a><a href="mailto:a@b.c">m</a>`,
	`<a href="javascript:alert(1)">x</a> after`,
	`<a href=" javascript:alert(1)">x</a>`,
	`<a href="https://a b">x</a>`,
	`<a href="httpſ://evil.example/">long s</a><a href="HTTP://x.org">upper</a><a href="MailTo:a@b.c">m</a>`,
	`<a href="https://example.org" rel="opener" target="_blank" onclick="x()">x</a>`,
	`<a href="https://example.org" href="javascript:x">x</a>`,
	`<a class="mention" href="/groups/g1?tab=members#member-u1">@ada</a>`,
	`<a class="mention" href="/groups/../admin">@ada</a>`,
	`<a class="mention">@ada</a><span class="mention">@bob</span><span class="evil">c</span>`,
	`<a href="//evil.example/x">x</a><a href="/x">y</a><a href="#top">z</a>`,
	`<a>no attributes</a> <a title="t">title only</a>`,
	`<a><a href="https://x.org">nested</a></a>`,
	`<ol start="3"><li>x</li></ol><ol start="-1"><li>y</li></ol><ol start="1234567"><li>z</li></ol>`,
	`<table><thead><tr><th align="left">h</th><th align="justify">j</th></tr></thead><tbody><tr><td align="center">c</td></tr></tbody></table>`,
	`<pre><code class="language-go">x := 1 &lt; 2</code></pre><code class="language-a b">x</code>`,
	`<ul><li><input checked="" disabled="" type="checkbox"> done</li><li><input disabled="" type="checkbox"> open</li></ul>`,
	`<input type="text" name="q"><input checked="checked"><input checked="yes">`,
	`<input disabled=""><input type="checkbox"><input type="checkbox" disabled="disabled" checked="checked" name="x">`,
	`<input type="CHECKBOX" disabled><input type="text" type="checkbox" disabled><input type="radio" disabled checked>`,
	`<input disabled="" type="checkbox"></input><li><input disabled type=checkbox onclick=x() value=1 checked=disabled>x</li>`,
	`<li><span class="task">☑</span> done</li><span class="task mention">x</span><span class="TASK">y</span><a class="task" href="https://x.org">z</a>`,
	`<input type="checkbox" disabled autofocus onfocus="alert(1)" form="f" formaction="javascript:x">`,
	`<script>alert(1)</script>text<style>p{}</style>`,
	`<SCRIPT SRC=//x.js></SCRIPT><scr<script>ipt>alert(1)</scr</script>ipt>`,
	`<iframe src="x">inside</iframe>outside<noscript>ns</noscript><title>t</title>`,
	`</iframe><iframe>x</iframe>after`,
	`<iframe><iframe>x</iframe>y</iframe>z`,
	`<object><param name=x></object>o<noembed>e</noembed><frameset><frame></frameset>`,
	`<img src=x onerror=alert(1)><svg onload=alert(1)><math><mi>x</mi></math>`,
	`<p style="color:red" onclick="x">styled</p><span style="x">s</span>`,
	`<!-- comment --><!DOCTYPE html><![CDATA[x]]>`,
	`<p>5 &lt; 6 &amp; 7 &gt; 3 &quot;q&quot; &#39; &nbsp; &eacute; &#x1F600;</p>`,
	`<br/><hr/><br><p/>`,
	`<div><span>x</span></div><b>b</b><i>i</i><u>u</u>`,
	`<textarea><p>x</p></textarea><xmp><p>y</p></xmp><plaintext><p>z`,
	`<a href="https://example.org/%zz">bad escape</a>`,
	`<a href="http://[::1">bad host</a>`,
	"<a href=\"https://example.org/\x00\">nul</a>",
	"<a href=\"https://example.org/\ttab\">tab</a>",
	`<unknown-element attr="x">y</unknown-element><İframe>z</İframe>`,
	`<p>unclosed <strong>bold <em>em`,
	`   `,
	``,
	`<`,
	`<<p>>`,
	`<p <a href=x>`,
}

// TestSanitiserMatchesBluemonday holds the sanitiser to bluemonday with
// the allow-list render uses: the same output, byte for byte, for the
// cases above, the XSS corpus given straight to it and the corpus as the
// Markdown renderer turns it into HTML.
func TestSanitiserMatchesBluemonday(t *testing.T) {
	rich, strict := bluemondayPolicies()
	parts := New().parts()
	inputs := append([]string{}, sanitiserCases...)
	for _, p := range corpus(t) {
		inputs = append(inputs, p)
		var buf bytes.Buffer
		source := []byte(Clean(p))
		if err := parts.md.Renderer().Render(&buf, source, parts.md.Parser().Parse(gmtextReader(source))); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, buf.String())
	}
	for _, in := range inputs {
		sameAsBluemonday(t, in, rich, strict, parts)
	}
}

func sameAsBluemonday(t *testing.T, in string, rich, strict *bluemonday.Policy, parts *parts) {
	t.Helper()
	if got, want := string(parts.policy.SanitizeBytes([]byte(in))), string(rich.SanitizeBytes([]byte(in))); got != want {
		t.Errorf("allow-list of %q:\n got  %q\n want %q (bluemonday)", in, got, want)
	}
	if got, want := parts.text.Sanitize(in), strict.Sanitize(in); got != want {
		t.Errorf("plain text of %q:\n got  %q\n want %q (bluemonday)", in, got, want)
	}
}

// FuzzSanitiserMatchesBluemonday: any input, HTML or not, is sanitised as
// bluemonday sanitised it.
func FuzzSanitiserMatchesBluemonday(f *testing.F) {
	for _, c := range sanitiserCases {
		f.Add(c)
	}
	rich, strict := bluemondayPolicies()
	parts := New().parts()
	f.Fuzz(func(t *testing.T, s string) {
		sameAsBluemonday(t, s, rich, strict, parts)
	})
}

// The renderer's links get rel="nofollow noreferrer"; a link the allow-list
// refuses keeps its text.
func TestSanitiserLinks(t *testing.T) {
	p := New().parts().policy
	for in, want := range map[string]string{
		`<a href="https://example.org/">x</a>`: `<a href="https://example.org/" rel="nofollow noreferrer">x</a>`,
		`<a href="javascript:alert(1)">x</a>`:  `x`,
		`<a href="data:text/html,x">x</a>`:     `x`,
		`<a class="mention">@a</a>`:            `<a class="mention">@a</a>`,
	} {
		if got := p.Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
	if got := (&policy{}).Sanitize(`<b>x</b><script>y</script>&lt;z`); got != "x&lt;z" {
		t.Errorf("plain text: %q", got)
	}
	if strings.Contains(New().parts().policy.Sanitize(`<p style="x">y</p>`), "style") {
		t.Error("a style attribute survived")
	}
}

func gmtextReader(source []byte) gmtext.Reader { return gmtext.NewReader(source) }
