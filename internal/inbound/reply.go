package inbound

import (
	"regexp"
	"strings"
	"sync"

	"github.com/jaytaylor/html2text"
	erp "github.com/web-ridge/email-reply-parser"
	"golang.org/x/net/html"
)

// Bounds that keep reply extraction linear and fast on hostile input.
const (
	maxReplyInput   = 1 << 20 // bytes of body text examined
	maxLibraryLines = 300     // email-reply-parser is quadratic: only short texts
	maxLibraryBytes = 32 << 10
	maxHTMLNodes    = 200000
)

// ExtractReply returns what the sender wrote in m: the body without the
// quoted message, quote headers, signatures and mobile footers. A message
// whose subject marks it as a forward (Fwd:, FW:, WG:, TR:, RV:, 転送:) and any
// text following a forward marker ("---------- Forwarded message ---------",
// "Begin forwarded message:", ...) keep the forwarded content: it is what the
// sender meant to share, not a quote of our own notification.
//
// HTML-only messages are cut at the quote containers the big clients emit
// (gmail_quote, blockquote type=cite, moz-cite-prefix, divRplyFwdMsg,
// appendonsend, Outlook's border-top header block) before being converted to
// text; then the text rules apply (see ExtractReplyText).
func ExtractReply(m *Message) string {
	if m == nil {
		return ""
	}
	fwd := isForwardSubject(m.Subject)
	text := m.Text
	if !m.HasTextPart && strings.TrimSpace(m.HTML) != "" {
		if t, ok := htmlReplyText(m.HTML, fwd); ok {
			text = t
		}
	}
	return ExtractReplyText(text, fwd)
}

var forwardSubjectRe = lazyRegexp(`(?i)^\s*(?:(?:re|aw|sv|antw)\s*:\s*)*(?:fwd?|fw|wg|tr|rv|enc|doorst|vs|転送|轉寄|转发)\s*[:：]`)

func isForwardSubject(s string) bool { return forwardSubjectRe().MatchString(s) }

// Line classifiers. They run on a trimmed line with Markdown/HTML-to-text
// emphasis stars removed.
var (
	// "On <date>, <name> wrote:" in English, French, German, Spanish,
	// Italian, Portuguese, Dutch, Swedish; the header may wrap over up to
	// three lines (Gmail wraps at 78 columns).
	quoteHeaderRes = sync.OnceValue(func() []*regexp.Regexp {
		return []*regexp.Regexp{
			regexp.MustCompile(`(?i)^on\b.*\b(?:wrote|writes|sent)\s*:?$`),
			regexp.MustCompile(`(?i)^le\b.*\ba\s+[ée]crit\s*:?$`),
			regexp.MustCompile(`(?i)^am\b.*\bschrieb\b.*:$`),
			regexp.MustCompile(`(?i)^.*\bschrieb\s+am\b.*:$`),
			regexp.MustCompile(`(?i)^el\b.*\bescribi[óo]\s*:?$`),
			regexp.MustCompile(`(?i)^il\b.*\bha\s+scritto\s*:?$`),
			regexp.MustCompile(`(?i)^(?:em|no\s+dia)\b.*\bescreveu\s*:?$`),
			regexp.MustCompile(`(?i)^op\b.*\bschreef\b.*:$`),
			regexp.MustCompile(`(?i)^den\b.*\bskrev\b.*:$`),
			// Gmail Japanese/Chinese: "2026年11月23日(月) 18:40 Bob <b@x>:",
			// "Bob <b@x> 于2026年11月23日周一 18:40写道：".
			regexp.MustCompile(`^.*\d{4}\s*年.*(?:<[^<>\s]+@[^<>\s]+>|写道|寫道).*[:：]$`),
			// Generic: "2026-11-23 18:40 GMT+01:00 Bob <b@x>:" and friends — a
			// date with a year plus a bracketed address, ending with a colon.
			regexp.MustCompile(`^.*\b(?:19|20)\d\d\b.*<[^<>\s]+@[^<>\s]+>.*[:：]$`),
		}
	})
	// Japanese headers are explicit enough to need no date: Apple Mail
	// "2026/11/23 18:40、Bob <b@x>のメッセージ:", Thunderbird "Bob
	// さんは書きました:", Outlook "... が書きました:".
	jaQuoteHeaderRe = lazyRegexp(`^.+(?:のメッセージ|さんは書きました|は書きました|が書きました)\s*[:：]$`)
	// "-----Original Message-----" and translations.
	originalMessageRe = lazyRegexp(`(?i)^-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine|mensaje original|元のメッセージ|messaggio originale|oorspronkelijk bericht|mensagem original)\s*-{2,}$`)
	// Outlook's separator line.
	underscoreRe = lazyRegexp(`^_{10,}$`)
	// Header fields of a quoted/forwarded header block (Outlook, Apple, Gmail).
	fromFieldRe   = lazyRegexp(`(?i)^(?:from|de|von|van|da|od|fra|från|差出人|送信者|发件人|寄件者)\s*[:：]\s*\S`)
	dateFieldRe   = lazyRegexp(`(?i)^(?:sent|date|envoy[ée]|gesendet|datum|enviado|fecha|inviato|data|verzonden|送信日時|日付|日時|发送时间|發送時間)\s*[:：]`)
	otherFieldRe  = lazyRegexp(`(?i)^(?:to|subject|cc|objet|[àa]|betreff|an|asunto|para|oggetto|onderwerp|aan|件名|宛先|收件人|主题)\s*[:：]`)
	headerLikeRe  = lazyRegexp(`(?i)^(?:from|de|von|van|da|sent|date|to|subject|差出人|送信者|发件人)\s*[:：]`)
	forwardMarker = lazyRegexp(`(?i)^(?:-{3,}\s*(?:forwarded message|original message follows|weitergeleitete nachricht|message transf[ée]r[ée]|mensaje reenviado|mensaje original reenviado|messaggio inoltrato|doorgestuurd bericht|転送されたメッセージ|转发的邮件)\s*-{3,}|begin forwarded message\s*:|d[ée]but du message r[ée]exp[ée]di[ée]\s*:|anfang der weitergeleiteten nachricht\s*:|inicio del mensaje reenviado\s*:|転送されたメッセージ\s*[:：])$`)
	// Mobile and webmail footers: the whole line.
	footerRe = lazyRegexp(`(?i)^(?:sent (?:from|with|via|using) (?:my |the )?.+|sent on the go.*|get outlook for (?:ios|android).*|envoy[ée] (?:de|depuis) (?:mon |ma |l'|un )?.+|von meinem .+ gesendet|gesendet von (?:meinem )?.+|enviado desde (?:mi )?.+|enviado do meu .+|inviato da(?:l mio)? .+|verzonden (?:met|vanaf) (?:mijn )?.+|.+から送信)$`)
	deviceRe = lazyRegexp(`(?i)iphone|ipad|ipod|android|galaxy|samsung|pixel|blackberry|mobile|smartphone|outlook|mail|yahoo|gmail|proton|windows|mac|huawei|xiaomi|oneplus|nokia|fairphone|tablet|handy|móvil|movil|portable|telefon|phone`)
)

func normLine(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\u00a0", " "))
	s = strings.ReplaceAll(s, "*", "")
	return strings.TrimSpace(s)
}

func isQuoteHeader(s string) bool {
	if len(s) > 600 || !headerEnding(s) {
		return false
	}
	for _, re := range quoteHeaderRes() {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// headerEnding is a cheap filter: every quote header ends with a colon or
// with the verb.
func headerEnding(s string) bool {
	if strings.HasSuffix(s, ":") || strings.HasSuffix(s, "：") {
		return true
	}
	l := strings.ToLower(s)
	for _, v := range []string{"wrote", "writes", "sent", "crit", "escribió", "escribio", "scritto", "escreveu"} {
		if strings.HasSuffix(l, v) {
			return true
		}
	}
	return false
}

// quoteHeaderAt reports whether a quote header starts at line i (joining up
// to three lines, as clients wrap long headers). A header needs a digit or
// an address so that prose ("On reflection, what Bob wrote:") survives.
func quoteHeaderAt(norm []string, i int) bool {
	if norm[i] == "" || strings.HasPrefix(norm[i], ">") {
		return false
	}
	joined := norm[i]
	for k := 0; k < 3; k++ {
		if len(joined) <= 600 && headerEnding(joined) && jaQuoteHeaderRe().MatchString(joined) {
			return true
		}
		if isQuoteHeader(joined) && strings.ContainsAny(joined, "0123456789@") {
			return true
		}
		j := i + k + 1
		if j >= len(norm) || norm[j] == "" || len(joined) > 400 {
			return false
		}
		joined += " " + norm[j]
	}
	return false
}

// headerBlockAt reports an Outlook-style header block ("From: ... / Sent:
// ... / To: ... / Subject: ...") starting at line i.
func headerBlockAt(norm []string, i int) bool {
	if !fromFieldRe().MatchString(norm[i]) {
		return false
	}
	date, other := false, false
	for j := i + 1; j < len(norm) && j <= i+8; j++ {
		switch {
		case dateFieldRe().MatchString(norm[j]):
			date = true
		case otherFieldRe().MatchString(norm[j]):
			other = true
		}
	}
	return date && other
}

func nextNonEmpty(norm []string, i int) string {
	for j := i + 1; j < len(norm); j++ {
		if norm[j] != "" {
			return norm[j]
		}
	}
	return ""
}

func isFooter(s string) bool {
	if len(s) > 90 {
		return false
	}
	return footerRe().MatchString(s) && (deviceRe().MatchString(s) || strings.HasSuffix(s, "から送信"))
}

// ExtractReplyText applies the text rules of ExtractReply to a plain-text
// body. The reply ends at the first of:
//   - a quote header ("On ... wrote:", "Le ... a écrit :", "Am ... schrieb
//     ...:", "El ... escribió:", "...のメッセージ:", "...さんは書きました:",
//     "2026年11月23日(月) 18:40 Bob <b@x>:", "<date> <Name <addr>>:"), also
//     when wrapped over up to three lines;
//   - "-----Original Message-----" (and translations);
//   - Outlook's "________________________________" line followed by a header
//     field (unless forward is true) or by nothing;
//   - an Outlook/Apple header block: From: followed within 8 lines by Sent:
//     or Date: and To:/Subject: (English, French, German, Spanish, Italian,
//     Dutch, Japanese, Chinese field names) — unless forward is true;
//   - the signature separator "-- " (or "--");
//   - a mobile/webmail footer line ("Sent from my iPhone", "Envoyé de mon
//     iPhone", "Von meinem iPhone gesendet", "Enviado desde mi iPhone",
//     "Get Outlook for iOS", "iPhoneから送信", ...).
//
// A forward marker ("---------- Forwarded message ---------", "Begin
// forwarded message:", ...) met before any of these keeps everything from
// the marker on, verbatim. After the cut, a trailing block of ">"-quoted
// lines is removed; ">" lines inside the text (Markdown quotes, inline
// replies) stay. Finally email-reply-parser runs on short results to catch
// quote headers in further languages; its cut is taken only when it falls
// on a line that looks like a quote header (never on its name/greeting
// signature heuristics, which eat user text such as Markdown lists).
// Lines are kept as written (Markdown, non-Latin text); only leading and
// trailing blank lines are removed.
func ExtractReplyText(text string, forward bool) string {
	if len(text) > maxReplyInput {
		text = truncateUTF8(text, maxReplyInput)
	}
	text = cleanText(text)
	lines := strings.Split(text, "\n")
	norm := make([]string, len(lines))
	for i, l := range lines {
		norm[i] = normLine(l)
	}
	cut, fwdAt := len(lines), -1
	for i, n := range norm {
		if n == "" {
			continue
		}
		if forwardMarker().MatchString(n) {
			fwdAt = i
			break
		}
		if quoteHeaderAt(norm, i) || originalMessageRe().MatchString(n) || strings.TrimRight(lines[i], " \t") == "--" || isFooter(n) {
			cut = i
			break
		}
		if underscoreRe().MatchString(n) {
			if next := nextNonEmpty(norm, i); next == "" || (!forward && headerLikeRe().MatchString(next)) {
				cut = i
				break
			}
		}
		if !forward && headerBlockAt(norm, i) {
			cut = i
			break
		}
	}
	var tail []string
	if fwdAt >= 0 {
		cut = fwdAt
		tail = lines[fwdAt:]
	}
	head := trimTrailingQuote(lines[:cut])
	out := strings.Join(trimBlankLines(head), "\n")
	if fwdAt < 0 {
		out = libraryCut(out)
	}
	if len(tail) > 0 {
		t := strings.Join(trimBlankLines(tail), "\n")
		if out != "" {
			out += "\n\n" + t
		} else {
			out = t
		}
	}
	return out
}

// trimTrailingQuote drops a trailing run of ">"-quoted and blank lines.
func trimTrailingQuote(lines []string) []string {
	end := len(lines)
	quoted := false
	for end > 0 {
		t := strings.TrimSpace(lines[end-1])
		if t == "" {
			end--
			continue
		}
		if strings.HasPrefix(t, ">") {
			quoted = true
			end--
			continue
		}
		break
	}
	if !quoted {
		return lines
	}
	return lines[:end]
}

func trimBlankLines(lines []string) []string {
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.TrimRight(l, " \t")
	}
	return out
}

var looseHeaderRe = lazyRegexp(`^.*\b(?:19|20)\d\d\b.*(?:@.*|[:：])$`)

// libraryCut runs email-reply-parser and keeps its result only when it is a
// prefix of text cut at a line that looks like a quote header.
func libraryCut(text string) string {
	if text == "" || len(text) > maxLibraryBytes || strings.Count(text, "\n") > maxLibraryLines {
		return text
	}
	got := erp.Parse(text)
	if got == "" || len(got) >= len(text) || !strings.HasPrefix(text, got) {
		return text
	}
	rest := strings.Split(strings.TrimLeft(text[len(got):], " \t\n"), "\n")
	first := normLine(rest[0])
	if len(rest) > 1 && !strings.HasSuffix(first, ":") {
		first += " " + normLine(rest[1])
	}
	if strings.HasPrefix(first, ">") || !looseHeaderRe().MatchString(first) {
		return text
	}
	return strings.TrimRight(got, " \t\n")
}

// ---- HTML ----

// htmlReplyText converts an HTML body to text after cutting it at the first
// quote container. ok is false when the HTML cannot be parsed.
func htmlReplyText(src string, forward bool) (string, bool) {
	if len(src) > maxReplyInput*4 {
		src = truncateUTF8(src, maxReplyInput*4)
	}
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return "", false
	}
	count := 0
	var marker *html.Node
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if marker != nil || count > maxHTMLNodes || depth > 400 {
			return
		}
		count++
		if n.Type == html.ElementNode && isQuoteContainer(n) && !(forward || startsWithForward(n)) {
			marker = n
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(doc, 0)
	if count > maxHTMLNodes {
		return "", false
	}
	if marker != nil {
		cutFrom(marker)
	}
	out, err := html2text.FromHTMLNode(doc, html2text.Options{OmitLinks: true})
	if err != nil {
		return "", false
	}
	return cleanText(out), true
}

// cutFrom removes n and everything after it in document order.
func cutFrom(n *html.Node) {
	for cur := n; cur != nil && cur.Parent != nil; cur = cur.Parent {
		for s := cur.NextSibling; s != nil; {
			next := s.NextSibling
			cur.Parent.RemoveChild(s)
			s = next
		}
	}
	if n.Parent != nil {
		n.Parent.RemoveChild(n)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

var quoteClasses = []string{"gmail_quote", "gmail_extra", "gmail_signature", "moz-cite-prefix", "moz-signature",
	"yahoo_quoted", "protonmail_quote", "zmail_extra", "ms-outlook-ios-signature", "apple-mail-signature"}

func isQuoteContainer(n *html.Node) bool {
	class := " " + strings.ToLower(attr(n, "class")) + " "
	for _, c := range quoteClasses {
		if strings.Contains(class, " "+c+" ") {
			return true
		}
	}
	switch strings.ToLower(attr(n, "id")) {
	case "divrplyfwdmsg", "appendonsend", "stopspelling", "signature", "ms-outlook-mobile-signature":
		return true
	}
	switch n.Data {
	case "blockquote":
		return strings.EqualFold(attr(n, "type"), "cite")
	case "hr":
		return attr(n, "tabindex") == "-1"
	case "div":
		style := strings.ToLower(strings.Join(strings.Fields(attr(n, "style")), ""))
		return strings.Contains(style, "border-top:solid#e1e1e1") || strings.Contains(style, "border-top:solid#b5c4df")
	}
	return false
}

// startsWithForward reports whether a quote container holds a forwarded
// message (Gmail puts forwards in a gmail_quote div too).
func startsWithForward(n *html.Node) bool {
	var b strings.Builder
	var text func(*html.Node)
	text = func(c *html.Node) {
		if b.Len() > 300 {
			return
		}
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
			b.WriteByte(' ')
		}
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			text(k)
		}
	}
	text(n)
	s := strings.ToLower(b.String())
	return strings.Contains(s, "forwarded message") || strings.Contains(s, "begin forwarded message") ||
		strings.Contains(s, "weitergeleitete nachricht") || strings.Contains(s, "message transféré") ||
		strings.Contains(s, "mensaje reenviado") || strings.Contains(s, "転送されたメッセージ")
}
