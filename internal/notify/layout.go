package notify

import (
	"strings"

	"github.com/quorum-app/quorum/internal/mail"
)

// The notification and digest emails are written here in Go rather than
// with text/template and html/template. Executing a template makes the
// linker keep every exported method of every type the program uses (a
// template may call any of them by name): that alone made the mailer and
// scheduler functions 26 MB instead of 15, and parsing the templates cost
// every cold start. TestLayoutsMatchTheTemplates checks that the output is
// byte for byte what the templates (testdata/templates) produced, escaping
// included.

// The HTML parts use the frame every Quorum email shares (mail.Open,
// mail.FooterOpen, mail.Close: a single column, the product name, a card,
// a footer) and its inline styles; what is here is the notification's own
// hierarchy: what happened (the heading), what was written (the excerpt),
// the poll's details, the action as a button, how to vote or reply, then
// why the email came and the unsubscribe and settings links.

// footer writes both parts' footers: why the email was sent and its links.
func footer(t, h *strings.Builder, why string, links []link) {
	t.WriteString("-- \n" + why + "\n")
	for _, l := range links {
		t.WriteString("\n" + l.Text + ": " + l.URL)
	}
	t.WriteString("\n")
	h.WriteString(mail.FooterOpen + `<p style="margin:0 0 8px">` + esc(why) + "</p>\n" + `<ul style="list-style:none;margin:0;padding:0">` + "\n")
	for _, l := range links {
		h.WriteString(`<li style="margin:0;padding:5px 0"><a href="` + escURL(l.URL) + `" style="` + mail.StyleFootLink + `">` + esc(l.Text) + "</a></li>\n")
	}
	h.WriteString("</ul>\n" + mail.Close)
}

// quote writes lines someone wrote as a quote, each line in its own
// direction.
func quote(h *strings.Builder, lines []string) {
	h.WriteString(`<blockquote class="q-quote" style="` + mail.StyleQuote + `">` + "\n")
	for _, line := range lines {
		h.WriteString(`<p dir="auto" style="margin:0;white-space:pre-wrap">` + esc(line) + "</p>\n")
	}
	h.WriteString("</blockquote>\n")
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
	t.WriteString("\n" + v.ActionText + ": " + v.ActionURL + "\n")
	if v.HowToVote != "" {
		t.WriteString("\n" + v.HowToVote + "\n")
	}
	if v.ReplyHint != "" {
		t.WriteString("\n" + v.ReplyHint + "\n")
	}
	t.WriteString("\n")

	h.WriteString(mail.Open(v.Lang, v.Dir, v.Subject, v.Preheader))
	h.WriteString(`<h1 style="` + mail.StyleH1 + `">` + esc(v.Heading) + "</h1>\n")
	if len(v.Excerpt) > 0 {
		quote(&h, v.Excerpt)
	}
	if c := v.Content; c != nil {
		h.WriteString(c.HTML + "\n")
	}
	if len(v.Details) > 0 {
		h.WriteString(`<div class="q-box" style="` + mail.StyleBox + `">` + "\n")
		for _, line := range v.Details {
			h.WriteString(`<p dir="auto" style="margin:0;white-space:pre-wrap">` + esc(line) + "</p>\n")
		}
		h.WriteString("</div>\n")
	}
	h.WriteString(mail.Button(v.ActionURL, v.ActionText))
	if v.HowToVote != "" {
		h.WriteString(`<p class="q-box" dir="auto" style="` + mail.StyleBox + `;white-space:pre-wrap">` + esc(v.HowToVote) + "</p>\n")
	}
	if v.ReplyHint != "" {
		h.WriteString(`<p class="q-muted" style="` + mail.StyleMuted + `">` + esc(v.ReplyHint) + "</p>\n")
	}
	footer(&t, &h, v.Why, v.Links)
	return t.String(), h.String()
}

// digestQuote is a digest item's excerpt: muted, under its heading.
const digestQuote = "margin:4px 0 0;color:#586174"

// layoutDigest returns the text and HTML parts of a digest.
func layoutDigest(v digestView) (string, string) {
	var t, h strings.Builder
	t.WriteString(v.Heading + "\n")
	h.WriteString(mail.Open(v.Lang, v.Dir, v.Subject, v.Preheader))
	h.WriteString(`<h1 style="` + mail.StyleH1 + `">` + esc(v.Heading) + "</h1>\n")
	for _, g := range v.Groups {
		t.WriteString("\n== " + g.Name + " ==\n")
		h.WriteString("<section>\n" + `<h2 dir="auto" style="` + mail.StyleH2 + `">` + esc(g.Name) + "</h2>\n")
		for _, tp := range g.Topics {
			t.WriteString("\n" + tp.Title + "\n" + tp.URL + "\n")
			h.WriteString("<article>\n" + `<h3 dir="auto" style="` + mail.StyleH3 + `"><a href="` + escURL(tp.URL) + `" style="` + mail.StyleLink + `">` +
				esc(tp.Title) + "</a></h3>\n" + `<ul style="` + mail.StyleList + `">` + "\n")
			for _, it := range tp.Items {
				t.WriteString("  * " + it.Heading)
				h.WriteString(`<li style="margin:0 0 8px">` + esc(it.Heading))
				if len(it.Excerpt) > 0 {
					// Short markup: a digest of 200 items stays under the
					// size at which Gmail clips a message (102 KB).
					h.WriteString(`<blockquote class="q-muted" dir="auto" style="` + digestQuote + `">`)
					for i, line := range it.Excerpt {
						t.WriteString("\n    > " + line)
						if i > 0 {
							h.WriteString("<br>")
						}
						h.WriteString(esc(line))
					}
					h.WriteString("</blockquote>")
				}
				t.WriteString("\n")
				h.WriteString("</li>\n")
			}
			if tp.More != "" {
				t.WriteString("  " + tp.More + "\n")
				h.WriteString(`<li dir="auto" style="margin:0 0 8px;list-style:none"><a href="` + escURL(tp.URL) + `" style="` + mail.StyleLink + `">` + esc(tp.More) + "</a></li>\n")
			}
			h.WriteString("</ul>\n</article>\n")
		}
		h.WriteString("</section>\n")
	}
	if v.More != "" {
		t.WriteString("\n" + v.More + ": " + v.MoreURL + "\n")
		h.WriteString(`<p dir="auto" style="margin:16px 0 0;font-weight:600"><a href="` + escURL(v.MoreURL) + `" style="` + mail.StyleLink + `">` + esc(v.More) + "</a></p>\n")
	}
	t.WriteString("\n")
	footer(&t, &h, v.Why, v.Links)
	return t.String(), h.String()
}

// esc and escURL are the escapes html/template applies (mail.Escape,
// mail.EscapeURL), which TestLayoutsMatchTheTemplates holds them to.
func esc(s string) string { return mail.Escape(s) }

func escURL(s string) string { return mail.EscapeURL(s) }
