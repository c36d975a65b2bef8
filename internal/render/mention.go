package render

import (
	"bytes"
	"html/template"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// The mention rule, once for the notifications (discussion resolves the
// keys to people) and for the page (the renderer links them): "@" and a
// name of letters, digits, dots, underscores and hyphens, not preceded by
// a letter, digit, "_", "@", "/" or "." (so e-mail addresses and paths are
// not mentions), in the text of the Markdown: not in code, not in a link's
// text. Trailing dots, underscores and hyphens end the sentence, not the
// name.
var mentionRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[^\p{L}\p{N}_@/.])@([\p{L}\p{N}][\p{L}\p{N}._-]{0,63})`)
}) // compiled on first use, not at every cold start

// MentionKey normalises a name or a mention for matching: lower case,
// without spaces, dots, underscores and hyphens ("@ada.lovelace" and
// "Ada Lovelace" are both "adalovelace").
func MentionKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '.' || r == '_' || r == '-' {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// MaxMentionKeys bounds the distinct mentions read from one source.
const MaxMentionKeys = 100

// MentionResolver tells whom a mention key (MentionKey) names: ok false
// when no one, and then the text stays plain. href is the person's link
// (links.Member): empty (or any other link) renders the mention
// highlighted without a link.
type MentionResolver func(key string) (href string, ok bool)

// MentionKeys returns the keys of the @mentions of src, in order, each
// once (at most MaxMentionKeys).
func (r *Renderer) MentionKeys(src string) []string {
	source := []byte(Clean(truncate(src)))
	if bytes.IndexByte(source, '@') < 0 {
		return nil
	}
	var keys []string
	seen := map[string]bool{}
	walkMentions(r.parse(source), source, func(_ *ast.Text, _, _ int, key string) {
		if !seen[key] && len(keys) < MaxMentionKeys {
			seen[key] = true
			keys = append(keys, key)
		}
	})
	return keys
}

// MarkdownMentions renders src as Markdown does, with the mentions
// resolve knows as <a class="mention" href=...>@name</a> (or <span
// class="mention"> without a link).
func (r *Renderer) MarkdownMentions(src string, resolve MentionResolver) template.HTML {
	source := []byte(Clean(truncate(src)))
	doc := r.parse(source)
	if resolve != nil && bytes.IndexByte(source, '@') >= 0 {
		walkMentions(doc, source, func(t *ast.Text, at, end int, key string) {
			href, ok := resolve(key)
			if !ok {
				return
			}
			// The text before the mention, then the mention; t keeps what
			// follows (and its line break).
			parent := t.Parent()
			if at > t.Segment.Start {
				parent.InsertBefore(parent, t, ast.NewTextSegment(text.NewSegment(t.Segment.Start, at)))
			}
			parent.InsertBefore(parent, t, &mentionNode{Href: href, Label: string(source[at:end])})
			t.Segment = text.NewSegment(end, t.Segment.Stop)
		})
	}
	return r.finish(src, source, doc)
}

// walkMentions calls found for each mention in the text of doc, left to
// right: t is the text node, [at, end) the "@name" in source.
func walkMentions(doc ast.Node, source []byte, found func(t *ast.Text, at, end int, key string)) {
	var texts []*ast.Text
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.CodeSpan, *ast.Link, *ast.AutoLink, *ast.Image, *ast.CodeBlock, *ast.FencedCodeBlock, *ast.HTMLBlock, *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			if !n.IsRaw() {
				texts = append(texts, n)
			}
		}
		return ast.WalkContinue, nil
	})
	re := mentionRE()
	for _, t := range texts {
		start, stop := t.Segment.Start, t.Segment.Stop
		if start >= stop || bytes.IndexByte(source[start:stop], '@') < 0 {
			continue
		}
		// The character before the text decides as it does inside it.
		from := start
		if from > 0 {
			_, size := utf8.DecodeLastRune(source[:from])
			from -= size
		}
		for _, m := range re.FindAllSubmatchIndex(source[from:stop], -1) {
			at, end := from+m[2]-1, from+m[3]
			if at < start {
				continue
			}
			name := strings.TrimRight(string(source[at+1:end]), "._-")
			end = at + 1 + len(name)
			found(t, at, end, MentionKey(name))
		}
	}
}

// mentionNode is a resolved mention in the tree.
type mentionNode struct {
	ast.BaseInline
	Href, Label string
}

var kindMention = ast.NewNodeKind("Mention")

func (n *mentionNode) Kind() ast.NodeKind { return kindMention }

func (n *mentionNode) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Href": n.Href}, nil)
}

// mentionRenderer writes mention nodes; the sanitiser keeps class
// "mention" and hrefs of the links.Member form only.
type mentionRenderer struct{}

func (mentionRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindMention, func(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		n := node.(*mentionNode)
		label := template.HTMLEscapeString(n.Label)
		if !isMemberPath(n.Href) { // no link, or not one to a member

			_, _ = w.WriteString(`<span class="mention">` + label + `</span>`)
		} else {
			_, _ = w.WriteString(`<a class="mention" href="` + template.HTMLEscapeString(n.Href) + `">` + label + `</a>`)
		}
		return ast.WalkSkipChildren, nil
	})
}
