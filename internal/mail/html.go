package mail

import "strings"

// The HTML part of the cores' plain emails (sign-in, invitations,
// approvals): a small document in the reader's language and direction.
// Notifications and digests have their own richer layout (internal/notify).

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")

// Escape escapes text for HTML content and quoted attribute values.
func Escape(s string) string { return escaper.Replace(s) }

// HTMLDoc is an email's HTML part: a document naming its language (lang,
// a supported language code) and direction (dir, "ltr" or "rtl"), titled
// title, around body (HTML, already escaped).
func HTMLDoc(lang, dir, title, body string) string {
	return "<!DOCTYPE html>\n<html lang=\"" + Escape(lang) + "\" dir=\"" + Escape(dir) + "\">\n<head>\n<meta charset=\"utf-8\">\n" +
		"<title>" + Escape(title) + "</title>\n</head>\n<body>\n" + body + "\n</body>\n</html>\n"
}

// Para is text as a paragraph.
func Para(text string) string { return "<p>" + Escape(text) + "</p>" }

// LinkPara is a paragraph holding one link.
func LinkPara(url, text string) string {
	return `<p><a href="` + Escape(url) + `">` + Escape(text) + "</a></p>"
}

// Quote is text someone wrote, quoted in its own direction.
func Quote(text string) string { return `<blockquote dir="auto">` + Escape(text) + "</blockquote>" }
