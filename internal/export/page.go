package export

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// writeGroupPage writes index.html, the group to read offline. It is
// written in Go, not executed from html/template: executing a template
// makes the linker keep every exported method of every type in the
// program, and the scheduler, which runs exports, was 34 MB for it
// (docs/architecture.md, "Cold starts and binary size").
// TestGroupPageMatchesTheTemplate checks the output is byte for byte what
// the html/template version wrote, escaping included.
func writeGroupPage(w io.Writer, d *pageData) {
	p := &pageWriter{w: w}
	p.raw(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>`, esc(d.Group.Name), `: Quorum export</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:50rem;margin:0 auto;padding:1rem;color:#1b1f24}
article{border-top:1px solid #ccc;margin-top:1.5rem}.item{margin:.75rem 0;padding-left:.75rem;border-left:3px solid #ddd}
.body{white-space:pre-wrap;overflow-wrap:anywhere}.meta{color:#555;font-size:.9em}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
</style></head><body>
<h1>`, esc(d.Group.Name), `</h1>
<p class="body">`, esc(d.Group.Description), `</p>
<p class="meta">Exported from Quorum on `, esc(pageDate(d.At)), `.</p>
<nav><h2>Threads</h2><ul>`)
	for _, t := range d.Threads {
		p.raw(`<li><a href="#t-`, urlPart(t.ID), `">`, esc(t.Title), `</a></li>`)
	}
	p.raw("</ul>\n")
	if len(d.Loose) > 0 {
		p.raw(`<h2>Polls outside threads</h2><ul>`)
		for _, pl := range d.Loose {
			p.raw(`<li><a href="#p-`, urlPart(pl.ID), `">`, esc(pl.Definition.Title), `</a></li>`)
		}
		p.raw(`</ul>`)
	}
	p.raw("</nav>\n")
	if len(d.Subgroups) > 0 {
		p.raw(`<h2>Subgroups</h2><ul>`)
		for _, s := range d.Subgroups {
			p.raw(`<li><a href="`, urlRef(s.Path), `">`, esc(s.Name), `</a></li>`)
		}
		p.raw(`</ul>`)
	}
	p.raw("\n<h2>Members</h2><ul>")
	for _, m := range d.Members {
		p.raw(`<li>`, esc(m.Name), ` (`, esc(m.Role), `)</li>`)
	}
	p.raw("</ul>\n")
	if len(d.Tags) > 0 {
		p.raw(`<h2>Tags</h2><ul>`)
		for _, tg := range d.Tags {
			p.raw(`<li>`, esc(tg.Name), ` <span class="meta">(`, esc(tg.Colour), `)</span></li>`)
		}
		p.raw(`</ul>`)
	}
	p.raw("\n")
	for _, t := range d.Threads {
		p.thread(t)
	}
	p.raw("\n")
	for _, pl := range d.Loose {
		p.raw(`<article>`)
		p.poll(pl)
		p.raw(`</article>`)
	}
	p.raw("\n</body></html>\n\n")
}

type pageWriter struct{ w io.Writer }

// raw writes s as it is: markup, or text already escaped.
func (p *pageWriter) raw(s ...string) {
	for _, x := range s {
		_, _ = io.WriteString(p.w, x) // the writer is a bytes.Buffer
	}
}

func (p *pageWriter) thread(t *htmlThread) {
	p.raw(`<article id="t-`, esc(t.ID), `"><h2>`, esc(t.Title), "</h2>\n",
		`<p class="meta">Started by `, esc(t.AuthorName), ` on `, esc(pageDate(t.CreatedAt)))
	if t.Closed {
		p.raw(` · closed`)
	}
	p.raw("</p>\n")
	p.tags(t.Tags)
	p.raw("\n<div class=\"body\">", esc(t.Description), "</div>\n")
	if len(t.Files) > 0 {
		p.raw(`<h3>Files</h3><ul>`)
		for _, f := range t.Files {
			p.raw(`<li>`)
			if f.Path != "" {
				p.raw(`<a href="`, urlRef(f.Path), `">`, esc(f.Name), `</a>`)
			} else {
				p.raw(esc(f.Name), ` (not in this archive)`)
			}
			p.raw(` (`, strconv.FormatInt(f.Size, 10), ` bytes)</li>`)
		}
		p.raw(`</ul>`)
	}
	p.raw("\n")
	for _, it := range t.Items {
		if it.Kind != "comment" {
			continue
		}
		p.raw(`<div class="item" id="c-`, esc(it.ID), `"><p class="meta">`, esc(it.ActorName), `, `, esc(pageDate(it.At)))
		if it.ParentID != "" {
			p.raw(` · <a href="#c-`, urlPart(it.ParentID), `">in reply</a>`)
		}
		p.raw("</p>\n")
		if it.Deleted {
			p.raw(`<p class="meta">Comment deleted.</p>`)
		} else {
			p.raw(`<div class="body">`, esc(it.Body), `</div>`)
		}
		p.raw(`</div>`)
	}
	p.raw("\n")
	for _, pl := range t.Polls {
		p.poll(pl)
	}
	p.raw("\n</article>")
}

func (p *pageWriter) poll(pl *htmlPoll) {
	p.raw(`<section id="p-`, esc(pl.ID), `"><h3>Poll: `, esc(pl.Definition.Title), "</h3>\n",
		`<p class="meta">`, esc(pl.Definition.Type), ` · `, esc(pl.Status))
	if pl.ClosedAt != nil {
		p.raw(` · closed `, esc(pageDate(*pl.ClosedAt)))
	}
	p.raw("</p>\n")
	p.tags(pl.Tags)
	p.raw(`<div class="body">`, esc(pl.Definition.Details), "</div>\n")
	if pl.Hidden != "" {
		until := "the poll closes"
		if pl.Hidden == "vote" {
			until = "you vote"
		}
		p.raw(`<p>Results are hidden until `, until, "; they and the ballots are not in this export.</p>\n")
	} else {
		if r := pl.Results; r != nil {
			p.raw(`<table><caption>Results: `, strconv.FormatInt(r.Decided, 10), ` of `, strconv.FormatInt(r.Eligible, 10),
				" voted</caption>\n", `<tr><th scope="col">Option</th><th scope="col">Total</th><th scope="col">Voters</th></tr>`, "\n")
			for _, o := range r.Options {
				p.raw(`<tr><td>`, esc(o.Label), `</td><td>`, strconv.FormatInt(o.Total, 10), `</td><td>`,
					strconv.FormatInt(o.Voters, 10), `</td></tr>`)
			}
			p.raw(`</table>`)
		}
		p.raw("\n", `<p class="meta">`, strconv.Itoa(pl.Ballots), ` ballots in group.jsonl.</p>`)
	}
	p.raw("\n")
	if pl.Outcome != "" {
		p.raw(`<p><strong>Outcome:</strong> <span class="body">`, esc(pl.Outcome), `</span></p>`)
	}
	p.raw("\n</section>")
}

func (p *pageWriter) tags(tags []htmlTag) {
	if len(tags) == 0 {
		return
	}
	p.raw(`<p class="meta">Tags: `)
	for i, t := range tags {
		if i > 0 {
			p.raw(`, `)
		}
		p.raw(esc(t.Name), ` (`, esc(t.Colour), `)`)
	}
	p.raw(`</p>`)
}

// pageDate is how the page writes a moment.
func pageDate(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") }

// esc escapes text for an element's content or a quoted attribute, as
// html/template does.
var esc = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;",
	"<", "&lt;", ">", "&gt;").Replace

// urlPart percent-encodes s for a fragment (href="#t-…"): every byte but
// letters, digits and -._~, as html/template does.
func urlPart(s string) string { return percent(s, false) }

// urlRef is a relative link into the archive, for an href: percent-encoded
// where it is not a URL character, then escaped for the attribute. A link
// with a scheme other than http, https or mailto (which the archive's own
// paths never have) is replaced, as html/template replaces an unsafe one.
func urlRef(s string) string {
	if i := strings.IndexByte(s, ':'); i >= 0 && !strings.Contains(s[:i], "/") {
		if scheme := strings.ToLower(s[:i]); scheme != "http" && scheme != "https" && scheme != "mailto" {
			return "#ZgotmplZ"
		}
	}
	return esc(percent(s, true))
}

// percent is html/template's URL escaping: with norm, reserved characters
// and valid escapes stay as they are.
func percent(s string, norm bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		keep := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0
		if norm && !keep {
			keep = strings.IndexByte("!#$&*+,/:;=?@[]", c) >= 0 ||
				c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2])
		}
		if keep {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02x", c)
		}
	}
	return b.String()
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
