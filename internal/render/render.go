// Package render turns user-written Markdown into HTML that is safe to put in
// pages and emails. goldmark renders (raw HTML in the source is escaped, not
// passed through), then the sanitiser (sanitize.go, on golang.org/x/net/html)
// checks the result against an allow-list:
// no scripts, styles, event handlers, frames, forms, SVG/MathML or images,
// and links only to http, https and mailto. The source is cleaned first
// (text.Block: no direction overrides or isolates), so text cannot disguise
// where a link goes.
package render

import (
	"bytes"
	stdhtml "html"
	"html/template"
	"regexp"
	"strings"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	gfmast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	gmtext "github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/quorum-app/quorum/internal/text"
	"github.com/quorum-app/quorum/third_party/goldmarkgfm"
)

// MaxSource bounds the Markdown accepted for one rendering.
const MaxSource = 100_000

// Version names the renderer's output: the Markdown extensions, the
// allow-list and the cleaning rules above. HTML stored beside its source
// (comments are rendered once, when written) is used only when it was
// rendered by this version; bump it whenever a change here would render
// any source differently, and stored HTML of an older version is rendered
// again from its source when read.
//
// 2: @mentions that resolve to a person are links (class "mention").
// 3: a task list's box is a character, ☐ or ☑ (taskBoxRenderer); it was
// an input whose type the allow-list dropped: an empty text box.
const Version = 3

// Current reports whether html, stored beside its source as rendered by
// version rv, is what this renderer would render, so it can be shown as
// it is: rv is Version; or, while Version is 3, rv is 2 and html has no
// task list box (version 3 changed nothing else: TestCurrentKeepsVersion2),
// so that stored HTML without one is not rendered again on every read,
// nor its mentions looked up again. Empty html is never current.
func Current(rv int, html string) bool {
	if html == "" {
		return false
	}
	return rv == Version || Version == 3 && rv == 2 && !strings.Contains(html, "<input")
}

// Renderer renders Markdown. It is safe for concurrent use. Its parser
// and allow-lists are built on first use, once: a function that wires a
// renderer but renders nothing on a cold start (the mailer's stream
// batches mostly, the inbound function) does not pay for them.
type Renderer struct {
	parts func() *parts
}

// parts are what a Renderer renders with.
type parts struct {
	md     goldmark.Markdown
	policy *policy // what Markdown may render to
	text   *policy // no tags at all
}

// New builds the renderer of what people write: a line break in the
// source is a line break on the page, as people typing a comment expect.
func New() *Renderer { return newRenderer(goldmark.WithRendererOptions(html.WithHardWraps())) }

// NewDocument builds the renderer of documents written in an editor (the
// operator's terms and privacy policy): lines wrapped in the source join
// into paragraphs, as Markdown has it; the same sanitising policy.
func NewDocument() *Renderer { return newRenderer() }

func newRenderer(opts ...goldmark.Option) *Renderer {
	return &Renderer{parts: sync.OnceValue(func() *parts { return build(opts) })}
}

func build(opts []goldmark.Option) *parts {
	md := goldmark.New(append([]goldmark.Option{goldmark.WithExtensions(goldmarkgfm.GFM),
		goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(mentionRenderer{}, 500),
			util.Prioritized(taskBoxRenderer{}, 100)))}, opts...)...)
	p := &policy{links: true, elements: map[string]map[string]func(string) bool{
		"ol":   {"start": isStart},
		"th":   {"align": isAlign},
		"td":   {"align": isAlign},
		"code": {"class": isLanguageClass},
		// Links go to http(s) and mailto addresses; the only relative
		// links are the renderer's own mentions (links.Member), which
		// alone may carry class "mention"; a span is a mention without a
		// link or a task list's box (taskBoxRenderer).
		"a":    {"href": isLinkHref, "class": isMentionClass},
		"span": {"class": isSpanClass},
	}}
	for _, e := range []string{"p", "br", "hr", "em", "strong", "del", "s", "pre", "blockquote",
		"ul", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "sup", "sub"} {
		p.elements[e] = nil
	}
	return &parts{md: md, policy: p, text: &policy{}}
}

// Clean cleans Markdown source as a multi-line body (text.Block): bidi
// overrides, embeddings and isolates, controls, BOM and the like go; line
// breaks, RLM/LRM and emoji sequences stay. Stored text is already clean;
// this covers text stored before the rule and text from other sources.
func Clean(s string) string { return text.Block(s) }

// Markdown renders src to sanitised HTML for templates (mentions stay
// text: MarkdownMentions links them).
func (r *Renderer) Markdown(src string) template.HTML { return r.MarkdownMentions(src, nil) }

func truncate(src string) string {
	if len(src) > MaxSource {
		return src[:MaxSource]
	}
	return src
}

// parse parses cleaned source.
func (r *Renderer) parse(source []byte) ast.Node {
	return r.parts().md.Parser().Parse(gmtext.NewReader(source))
}

// finish renders the tree of source and sanitises it; src is the
// original, for the fallback.
func (r *Renderer) finish(src string, source []byte, doc ast.Node) template.HTML {
	var buf bytes.Buffer
	if err := r.parts().md.Renderer().Render(&buf, source, doc); err != nil {
		// goldmark only fails on writer errors; fall back to escaped text.
		return template.HTML(template.HTMLEscapeString(truncate(src))) // #nosec G203 -- escaped just here
	}
	return template.HTML(r.parts().policy.SanitizeBytes(buf.Bytes())) // #nosec G203 -- the allow-list policy sanitised it
}

// PlainText renders src as plain text (for text/plain email bodies and
// previews): Markdown markup stays as typed, HTML tags are stripped.
func (r *Renderer) PlainText(src string) string {
	return strings.TrimSpace(r.parts().text.Sanitize(Clean(src)))
}

// textRE are the patterns Text uses: where the rendered HTML ends a block,
// starts a list item or ends a cell; compiled on first use, not at every
// cold start.
type textRE struct{ blockEnd, listItem, cellEnd, blankRun, between, taskItem *regexp.Regexp }

var textPatterns = sync.OnceValue(func() textRE {
	return textRE{
		blockEnd: regexp.MustCompile(`(?i)<br\s*/?>|</(p|h[1-6]|li|blockquote|pre|tr|table|ul|ol)>`),
		listItem: regexp.MustCompile(`(?i)<li[^>]*>`),
		cellEnd:  regexp.MustCompile(`(?i)</t[dh]>`),
		blankRun: regexp.MustCompile(`\n[ \t]*(\n[ \t]*)+`),
		between:  regexp.MustCompile(`>\s*\n\s*<`), // the renderer's line breaks between tags
		taskItem: regexp.MustCompile(`<li>(<p>)?<span class="task">`),
	}
})

// Text is src as a reader sees it, in plain text: the Markdown rendered
// (no "**", no "> ", no escaped "&gt;"), each block on its own line, list
// items as "• item", table cells separated by " · "; HTML tags written in
// the source are left out, as on the page. For excerpts and the text part
// of emails.
func (r *Renderer) Text(src string) string {
	re := textPatterns()
	text := r.parts().text
	plain := stdhtml.UnescapeString(text.Sanitize(Clean(src)))
	out := re.between.ReplaceAllString(string(r.Markdown(plain)), "><")
	out = re.taskItem.ReplaceAllString(out, "\n")   // a task's box takes its bullet's place
	out = re.listItem.ReplaceAllString(out, "\n• ") // a new line: a nested list starts inside its parent's item
	out = re.cellEnd.ReplaceAllString(out, " · ")
	out = re.blockEnd.ReplaceAllString(out, "\n")
	out = stdhtml.UnescapeString(text.Sanitize(out))
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(strings.TrimSpace(l), " ·")
	}
	return strings.TrimSpace(re.blankRun.ReplaceAllString(strings.Join(lines, "\n"), "\n"))
}

// Box and CheckedBox are a task list's boxes ("- [ ] to do", "- [x]
// done"): characters, not form controls, so that a page holds none in
// what people write, a screen reader names them, and mail clients, which
// drop form controls, show them as the page does.
const (
	Box        = "☐"
	CheckedBox = "☑"
)

// taskBoxRenderer writes a task list's box as its character in a span of
// class "task" (the page's style sets it apart).
type taskBoxRenderer struct{}

func (taskBoxRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(gfmast.KindTaskCheckBox, func(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			c := Box
			if node.(*gfmast.TaskCheckBox).IsChecked {
				c = CheckedBox
			}
			_, _ = w.WriteString(`<span class="task">` + c + "</span> ")
		}
		return ast.WalkContinue, nil
	})
}

// Excerpt returns the first n runes of the text (Text, on one line), on a
// word boundary.
func (r *Renderer) Excerpt(src string, n int) string {
	t := strings.Join(strings.Fields(r.Text(src)), " ")
	runes := []rune(t)
	if len(runes) <= n {
		return t
	}
	cut := string(runes[:n])
	// Cut inside a word only when no word boundary is near.
	if runes[n] != ' ' {
		if i := strings.LastIndex(cut, " "); i > n/2 {
			cut = cut[:i]
		}
	}
	return cut + "…"
}
