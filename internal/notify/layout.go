package notify

import (
	"fmt"
	"strings"
)

// The notification and digest emails are written here in Go rather than
// with text/template and html/template. Executing a template makes the
// linker keep every exported method of every type the program uses (a
// template may call any of them by name): that alone made the mailer and
// scheduler functions 26 MB instead of 15, and parsing the templates cost
// every cold start. TestLayoutsMatchTheTemplates checks that the output is
// byte for byte what the templates (testdata/templates) produced, escaping
// included.

// htmlHead opens the HTML part: the recipient's language and direction
// (lang is a supported language code, dir "ltr" or "rtl": no escaping
// needed, but escaped all the same).
func htmlHead(lang, dir string) string {
	return "<!DOCTYPE html>\n<html lang=\"" + esc(lang) + "\" dir=\"" + esc(dir) + "\">\n<head>\n<meta charset=\"utf-8\">\n" +
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>"
}

const htmlFooterStart = `<footer>
<hr>
<p>`

// footer writes both parts' footers: why the email was sent and its links.
func footer(t, h *strings.Builder, why string, links []link) {
	t.WriteString("-- \n" + why + "\n")
	for _, l := range links {
		t.WriteString("\n" + l.Text + ": " + l.URL)
	}
	t.WriteString("\n")
	h.WriteString(htmlFooterStart + esc(why) + "</p>\n<ul>\n")
	for _, l := range links {
		h.WriteString(`<li><a href="` + escURL(l.URL) + `">` + esc(l.Text) + "</a></li>\n")
	}
	h.WriteString("</ul>\n</footer>\n</body>\n</html>\n")
}

// layoutNotification returns the text and HTML parts of a notification.
func layoutNotification(v view) (string, string) {
	var t, h strings.Builder
	t.WriteString(v.Heading + "\n")
	if len(v.Excerpt) > 0 {
		t.WriteString("\n")
		for _, line := range v.Excerpt {
			t.WriteString("> " + line + "\n")
		}
	}
	if c := v.Content; c != nil {
		t.WriteString("\n" + strings.Join(c.Text, "\n") + "\n")
	}
	if len(v.Details) > 0 {
		t.WriteString("\n")
		for _, line := range v.Details {
			t.WriteString(line + "\n")
		}
	}
	if v.HowToVote != "" {
		t.WriteString("\n" + v.HowToVote + "\n")
	}
	t.WriteString("\n" + v.ActionText + ": " + v.ActionURL + "\n")
	if v.ReplyHint != "" {
		t.WriteString("\n" + v.ReplyHint + "\n")
	}
	t.WriteString("\n")

	h.WriteString(htmlHead(v.Lang, v.Dir) + esc(v.Subject) + "</title>\n</head>\n<body>\n<main>\n")
	h.WriteString(`<h1 style="font-size:1.25em">` + esc(v.Heading) + "</h1>\n")
	if len(v.Excerpt) > 0 {
		h.WriteString("<blockquote>\n")
		for _, line := range v.Excerpt {
			h.WriteString(`<p dir="auto">` + esc(line) + "</p>\n")
		}
		h.WriteString("</blockquote>")
	}
	if c := v.Content; c != nil {
		h.WriteString("\n" + c.HTML)
	}
	for _, line := range v.Details {
		h.WriteString("\n" + `<p dir="auto">` + esc(line) + "</p>")
	}
	if v.HowToVote != "" {
		h.WriteString("\n" + `<p dir="auto" style="white-space:pre-wrap">` + esc(v.HowToVote) + "</p>")
	}
	h.WriteString("\n" + `<p><a href="` + escURL(v.ActionURL) + `">` + esc(v.ActionText) + "</a></p>\n")
	if v.ReplyHint != "" {
		h.WriteString("<p>" + esc(v.ReplyHint) + "</p>")
	}
	h.WriteString("\n</main>\n")
	footer(&t, &h, v.Why, v.Links)
	return t.String(), h.String()
}

// layoutDigest returns the text and HTML parts of a digest.
func layoutDigest(v digestView) (string, string) {
	var t, h strings.Builder
	t.WriteString(v.Heading + "\n")
	h.WriteString(htmlHead(v.Lang, v.Dir) + esc(v.Subject) + "</title>\n</head>\n<body>\n<main>\n")
	h.WriteString(`<h1 style="font-size:1.25em">` + esc(v.Heading) + "</h1>\n")
	for _, g := range v.Groups {
		t.WriteString("\n== " + g.Name + " ==\n")
		h.WriteString("<section>\n" + `<h2 dir="auto" style="font-size:1.1em">` + esc(g.Name) + "</h2>\n")
		for _, tp := range g.Topics {
			t.WriteString("\n" + tp.Title + "\n" + tp.URL + "\n")
			h.WriteString("<article>\n" + `<h3 dir="auto" style="font-size:1em"><a href="` + escURL(tp.URL) + `">` + esc(tp.Title) + "</a></h3>\n<ul>\n")
			for _, it := range tp.Items {
				t.WriteString("  * " + it.Heading)
				h.WriteString("<li><p>" + esc(it.Heading) + "</p>")
				if len(it.Excerpt) > 0 {
					h.WriteString("<blockquote>")
					for _, line := range it.Excerpt {
						t.WriteString("\n    > " + line)
						h.WriteString(`<p dir="auto">` + esc(line) + "</p>")
					}
					h.WriteString("</blockquote>")
				}
				t.WriteString("\n")
				h.WriteString("</li>\n")
			}
			h.WriteString("</ul>\n</article>\n")
		}
		h.WriteString("</section>\n")
	}
	t.WriteString("\n")
	h.WriteString("</main>\n")
	footer(&t, &h, v.Why, v.Links)
	return t.String(), h.String()
}

// esc escapes text for HTML element content and quoted attributes, as
// html/template does (other bytes, invalid UTF-8 included, are kept).
func esc(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case 0:
			b.WriteString("\uFFFD")
		case '"':
			b.WriteString("&#34;")
		case '&':
			b.WriteString("&amp;")
		case '\'':
			b.WriteString("&#39;")
		case '+':
			b.WriteString("&#43;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// escURL makes s safe as an href, as html/template does: URLs with a
// scheme other than http, https or mailto become "#ZgotmplZ"; bytes that
// URLs may not hold are percent-encoded; the result is escaped for the
// attribute.
func escURL(s string) string {
	if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") {
		switch strings.ToLower(scheme) {
		case "http", "https", "mailto":
		default:
			return "#ZgotmplZ"
		}
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			// A valid escape is kept, not re-encoded; html/template's test
			// for one (i+2 < len) also re-encodes an escape ending s.
			if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
				b.WriteByte(c)
			} else {
				b.WriteString("%25")
			}
		case strings.IndexByte("!#$&*+,/:;=?@[]-._~", c) >= 0,
			'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02x", c)
		}
	}
	return esc(b.String())
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
