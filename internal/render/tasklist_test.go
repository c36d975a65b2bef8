package render

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/renderer/html"

	"github.com/quorum-app/quorum/third_party/goldmarkgfm"
)

// A task list's boxes ("- [ ] …", "- [x] …") render as the characters ☐
// and ☑, never a form control (an input without its type, which the
// allow-list dropped, showed as an empty text box), and read as such in
// plain text, where the box takes the bullet's place.
func TestTaskListBoxes(t *testing.T) {
	r := New()
	const src = "Shopping:\n\n- [ ] buy milk\n- [x] bake **bread**\n  - [X] nested\n- plain item"
	h := string(r.Markdown(src))
	for _, want := range []string{
		`<li><span class="task">☐</span> buy milk</li>`,
		`<li><span class="task">☑</span> bake <strong>bread</strong>`,
		`<li><span class="task">☑</span> nested</li>`,
		`<li>plain item</li>`,
	} {
		if !strings.Contains(h, want) {
			t.Errorf("Markdown lacks %s:\n%s", want, h)
		}
	}
	if strings.Contains(h, "<input") {
		t.Errorf("Markdown holds an input:\n%s", h)
	}
	// A loose list: each item a paragraph.
	if got := string(r.Markdown("- [x] one\n\n- [ ] two")); !strings.Contains(got, "<li>\n<p><span class=\"task\">☑</span> one</p>") {
		t.Errorf("loose list: %s", got)
	}
	if got, want := r.Text(src), "Shopping:\n☐ buy milk\n☑ bake bread\n☑ nested\n• plain item"; got != want {
		t.Errorf("Text:\n got %q\nwant %q", got, want)
	}
	if got, want := r.Text("- [x] one\n\n- [ ] two"), "☑ one\n☐ two"; got != want {
		t.Errorf("Text of a loose list: got %q, want %q", got, want)
	}
	if got, want := r.Excerpt(src, 42), "Shopping: ☐ buy milk ☑ bake bread ☑ nested…"; got != want {
		t.Errorf("Excerpt: got %q, want %q", got, want)
	}
	// Only a list item's "[ ]" is a box.
	if got := string(r.Markdown("[ ] not in a list, `- [x] code`")); strings.Contains(got, "task") {
		t.Errorf("a box outside a list: %s", got)
	}
}

// version2 renders src as render.Version 2 did: goldmark's own task list
// boxes (inputs) through version 2's allow-list (bluemonday, as
// bluemondayPolicies was then: inputs with checked and disabled, span of
// class mention only).
func version2(t testing.TB) func(src string) string {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "hr", "em", "strong", "del", "s", "code", "pre", "blockquote",
		"ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub")
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,6}$`)).OnElements("ol")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|right|center)$`)).OnElements("th", "td")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[a-zA-Z0-9_+-]{1,32}$`)).OnElements("code")
	p.AllowAttrs("checked", "disabled").Matching(regexp.MustCompile(`^$|^checked$|^disabled$`)).OnElements("input")
	p.AllowAttrs("href").Matching(regexp.MustCompile(`^(?i:https?:|mailto:)|` + memberPathExpr)).OnElements("a")
	p.AllowRelativeURLs(true)
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^mention$`)).OnElements("a", "span")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	md := goldmark.New(goldmark.WithExtensions(goldmarkgfm.GFM), goldmark.WithRendererOptions(html.WithHardWraps()))
	return func(src string) string {
		var buf bytes.Buffer
		if err := md.Convert([]byte(Clean(src)), &buf); err != nil {
			t.Fatal(err)
		}
		return p.Sanitize(buf.String())
	}
}

// Version 3 renders every source as version 2 did but for task list
// boxes, which version 2 wrote as inputs: stored HTML of version 2 without
// an input is current (Current) and is not rendered again on every read.
// Checked on the GFM cases, the XSS corpus and the task lists above.
func TestCurrentKeepsVersion2(t *testing.T) {
	v2, r := version2(t), New()
	inputs := append(append([]string{}, gfmCases...), corpus(t)...)
	inputs = append(inputs, "- [ ] a\n- [x] b", "- [x] one\n\n- [ ] two", "[ ] not a box", "text @mention and `code`")
	boxes := 0
	for _, in := range inputs {
		old, now := v2(in), string(r.Markdown(in))
		if strings.Contains(old, "<input") {
			boxes++
			if Current(2, old) {
				t.Errorf("version 2 HTML with a box counts as current: %q", old)
			}
			continue
		}
		if old != now {
			t.Errorf("source %q:\n version 2 %q\n version 3 %q", in, old, now)
		}
		if old != "" && !Current(2, old) {
			t.Errorf("version 2 HTML without a box is not current: %q", old)
		}
	}
	if boxes < 3 {
		t.Errorf("only %d inputs had task list boxes", boxes)
	}
	if Current(1, "<p>x</p>") || Current(Version, "") || !Current(Version, "<p>x</p>") {
		t.Error("Current: version 1, empty or this version")
	}
}

// FuzzCurrentKeepsVersion2: any source, as TestCurrentKeepsVersion2.
func FuzzCurrentKeepsVersion2(f *testing.F) {
	for _, c := range gfmCases {
		f.Add(c)
	}
	v2, r := version2(f), New()
	f.Fuzz(func(t *testing.T, in string) {
		if old := v2(in); !strings.Contains(old, "<input") && old != string(r.Markdown(in)) {
			t.Errorf("source %q: version 2 %q, version 3 %q", in, old, r.Markdown(in))
		}
	})
}
