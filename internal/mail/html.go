package mail

import (
	"fmt"
	"strings"
)

// The HTML part of every email Quorum sends shares one frame (Open, Close):
// a single column at most 600 px wide that shrinks to a phone, the product
// name as a text header, a card holding the message, and a footer. It is
// written for email clients, not browsers: styles are inline (many clients
// drop <style>; the one in the head only adds dark mode and phone padding),
// the column is a table (Outlook ignores max-width on a div), the action is
// a table cell with a link ("bulletproof" button), fonts are the system's,
// and there is no image, no remote resource and no tracking pixel. The
// language and direction are set on <html> and again on the outer table,
// since webmail clients drop the <html> element.
//
// The colours are the web app's roles (internal/web/static/app.css): text
// on the card at least 4.5:1 in both schemes, the button's text too.
//
// The cores' plain emails (sign-in, invitations, approvals, exports) use
// HTMLDoc with Para, LinkPara (their one action, as a button) and Quote;
// notifications and digests (internal/notify) compose the same pieces with
// their own content.

// Product is the name in every email's header.
const Product = "Quorum"

// Inline styles of the frame's pieces, for the notification layouts.
const (
	fontStack = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Helvetica Neue',Arial,'Noto Sans','Noto Sans Arabic',sans-serif"
	// StyleP is a paragraph of the message.
	StyleP = "margin:0 0 16px;font-size:16px;line-height:1.5"
	// StyleH1 is the message's heading: what happened.
	StyleH1 = "margin:0 0 16px;font-size:20px;line-height:1.3;font-weight:700;color:#1d2330"
	// StyleH2 and StyleH3 head a digest's groups and topics.
	StyleH2 = "margin:24px 0 8px;font-size:17px;line-height:1.3;font-weight:700;color:#1d2330"
	StyleH3 = "margin:16px 0 8px;font-size:16px;line-height:1.4;font-weight:600"
	// StyleQuote is what someone wrote (an excerpt, an inviter's message).
	// (The bar is on the start side where clients know it; the tint shows
	// the quote where they do not.)
	StyleQuote = "margin:0 0 16px;padding:10px 16px;border-inline-start:4px solid #b4bac6;background:#f7f7f4;border-radius:4px;color:#1d2330"
	// StyleBox is a bordered block of details (a poll's, how to vote).
	StyleBox = "margin:0 0 16px;padding:12px 16px;border:1px solid #d9dbe1;border-radius:6px;background:#f7f7f4"
	// StyleMuted is secondary text (a hint).
	StyleMuted = "margin:0 0 16px;font-size:14px;line-height:1.5;color:#586174"
	// StyleLink is a link in the message.
	StyleLink = "color:#1f5fbf;text-decoration:underline"
	// StyleList is a list of the message.
	StyleList = "margin:0 0 16px;padding-inline-start:24px"
	// StyleFootLink is a link of the footer.
	StyleFootLink = "color:#586174;text-decoration:underline"
)

// darkCSS is the progressive part, for the clients that keep a <style>
// element: dark mode, phone padding, and the look of rendered Markdown a
// message may carry (code, tables). The classes name the pieces.
const darkCSS = `<style>
:root{color-scheme:light dark;supported-color-schemes:light dark}
@media (prefers-color-scheme:dark){
.q-page{background:#14171d!important;color:#e8eaef!important}
.q-card{background:#1c2029!important;border-color:#333a48!important;color:#e8eaef!important}
.q-card h1,.q-card h2,.q-card h3,.q-brand,.q-quote{color:#e8eaef!important}
.q-quote{border-color:#586174!important;background:#14171d!important}
.q-box{background:#14171d!important;border-color:#333a48!important}
.q-muted,.q-foot,.q-foot a{color:#a7afbf!important}
.q-card a{color:#7fb0ff!important}
.q-btn{background:#7fb0ff!important}
.q-card a.q-btn-a{color:#0b1220!important}
}
.q-card pre{white-space:pre-wrap;overflow-wrap:anywhere}
.q-card code,.q-card pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.95em}
.q-card table{border-collapse:collapse;max-width:100%}
.q-card a:not([style]){color:#1f5fbf}
.q-card blockquote:not([style]){margin:0 0 16px;padding:0 16px;border-inline-start:4px solid #b4bac6}
@media (max-width:620px){.q-outer{padding:12px 8px!important}.q-card{padding:20px 16px!important}}
</style>`

// preheaderPad keeps clients from appending the body's first words to the
// preview after the preheader.
var preheaderPad = strings.Repeat("&#847;&zwnj;&nbsp;", 30)

// Open starts an email's HTML part: the document in language lang (a
// supported code) and direction dir ("ltr" or "rtl"), titled title, with
// preheader (plain text; "" for none) as the hidden preview line, the
// header, and the card where the message goes (inside <main>).
func Open(lang, dir, title, preheader string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"" + Escape(lang) + "\" dir=\"" + Escape(dir) + "\">\n<head>\n<meta charset=\"utf-8\">\n" +
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n" +
		"<meta name=\"color-scheme\" content=\"light dark\">\n<meta name=\"supported-color-schemes\" content=\"light dark\">\n" +
		"<title>" + Escape(title) + "</title>\n" + darkCSS + "\n</head>\n" +
		`<body class="q-page" style="margin:0;padding:0;background:#f7f7f4;color:#1d2330;font-family:` + fontStack + `">` + "\n")
	if preheader != "" {
		b.WriteString(`<div style="display:none;max-height:0;max-width:0;overflow:hidden;opacity:0;font-size:1px;line-height:1px;color:#f7f7f4">` +
			Escape(preheader) + preheaderPad + "</div>\n")
	}
	b.WriteString(`<table role="presentation" class="q-page" lang="` + Escape(lang) + `" dir="` + Escape(dir) +
		`" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;background:#f7f7f4;color:#1d2330;font-family:` + fontStack + `">` + "\n" +
		`<tr><td class="q-outer" align="center" style="padding:24px 12px">` + "\n" +
		`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px">` + "\n" +
		`<tr><td class="q-brand" style="padding:0 4px 12px;font-size:18px;font-weight:700;color:#1d2330;text-align:start">` + Product + "</td></tr>\n" +
		`<tr><td class="q-card" style="background:#ffffff;border:1px solid #d9dbe1;border-radius:8px;padding:28px 24px;text-align:start;color:#1d2330;font-size:16px;line-height:1.5;overflow-wrap:break-word;word-wrap:break-word">` + "\n" +
		"<main>\n")
	return b.String()
}

// FooterOpen ends the card and starts the footer (below it, small and
// muted): why the email was sent and its links.
const FooterOpen = "</main>\n</td></tr>\n" +
	`<tr><td class="q-foot" style="padding:16px 4px;font-size:13px;line-height:1.5;color:#586174;text-align:start">` + "\n<footer>\n"

// Close ends the footer (after FooterOpen) and the document.
const Close = "</footer>\n</td></tr>\n</table>\n</td></tr>\n</table>\n</body>\n</html>\n"

// closeBare ends the card and the document of an email without a footer.
const closeBare = "</main>\n</td></tr>\n</table>\n</td></tr>\n</table>\n</body>\n</html>\n"

// Button is the message's primary action: a link styled as a button
// (white on the accent colour, 7:1), in a table cell so that clients which
// ignore a link's padding still show a coloured block. url is escaped as
// an href (EscapeURL).
func Button(url, text string) string {
	return `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 20px"><tr>` +
		`<td class="q-btn" bgcolor="#1f5fbf" style="background:#1f5fbf;border-radius:6px">` +
		`<a class="q-btn-a" href="` + EscapeURL(url) + `" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;line-height:1.25;color:#ffffff;text-decoration:none;border-radius:6px">` +
		Escape(text) + "</a></td></tr></table>\n"
}

// HTMLDoc is an email's HTML part in the shared frame, without a footer: a
// document naming its language (lang, a supported language code) and
// direction (dir, "ltr" or "rtl"), titled title, around body (HTML, already
// escaped: Para, LinkPara, Quote). It has no preheader: the first
// paragraph is the preview line.
func HTMLDoc(lang, dir, title, body string) string {
	return Open(lang, dir, title, "") + body + "\n" + closeBare
}

// Para is text as a paragraph.
func Para(text string) string { return `<p style="` + StyleP + `">` + Escape(text) + "</p>" }

// LinkPara is the email's action: a link styled as a button (Button).
func LinkPara(url, text string) string { return Button(url, text) }

// Quote is text someone wrote, quoted in its own direction.
func Quote(text string) string {
	return `<blockquote class="q-quote" dir="auto" style="` + StyleQuote + `;white-space:pre-wrap">` + Escape(text) + "</blockquote>"
}

// Escape escapes text for HTML element content and quoted attributes, as
// html/template does (other bytes, invalid UTF-8 included, are kept).
func Escape(s string) string {
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

// EscapeURL makes s safe as an href, as html/template does: URLs with a
// scheme other than http, https or mailto become "#ZgotmplZ"; bytes that
// URLs may not hold are percent-encoded; the result is escaped for the
// attribute.
func EscapeURL(s string) string {
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
	return Escape(b.String())
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
