// Package mailtest checks the invariants of Quorum's HTML emails (the frame
// of internal/mail) for the tests of every package that sends one.
package mailtest

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// allowed are the elements an email may hold: the frame's (a table layout,
// a <style> for dark mode, a hidden preheader <div>) and the content's.
var allowed = map[string]bool{"html": true, "head": true, "meta": true, "title": true, "style": true, "body": true,
	"div": true, "table": true, "tr": true, "td": true, "main": true, "h1": true, "h2": true, "h3": true, "blockquote": true,
	"p": true, "a": true, "footer": true, "ul": true, "li": true, "section": true, "article": true,
	// rendered and sanitised Markdown a message may carry (an outcome)
	"strong": true, "em": true, "b": true, "i": true, "ol": true, "code": true, "pre": true, "br": true, "hr": true,
	"del": true, "s": true, "h4": true, "h5": true, "h6": true, "thead": true, "tbody": true, "th": true, "span": true}

// Want is what one email's HTML must show.
type Want struct {
	Lang, Dir string // the html element's and the frame's lang and dir
	// Base prefixes every link (the installation); "" accepts any
	// http(s) link of a test that quotes addresses people wrote.
	Base string
	// Action is the URL of the primary action, shown as a button ("" for
	// an email without one, as a digest).
	Action string
}

var remote = regexp.MustCompile(`(?i)url\s*\(|@import|https?:|//`)

// Page is what CheckHTML read: the links and the visible text.
type Page struct {
	Links []string // every href, unescaped
	Text  []string // visible text, one entry per text node, spaces collapsed (header and preheader excluded)
	// Preheader is the hidden preview line ("" when none).
	Preheader string
}

// CheckHTML checks doc against the invariants every email keeps: only the
// frame's and content's elements; no image, script, frame or remote
// resource (src, srcset, background, url(), @import, any URL in styles);
// no event handler; every link inside Base; lang and dir on <html> and on
// the frame; the product name as a text header; the action a styled
// button. It returns what it read for further checks.
func CheckHTML(t testing.TB, doc string, w Want) Page {
	t.Helper()
	var p Page
	z := html.NewTokenizer(strings.NewReader(doc))
	var stack []string
	var frameLang, frameDir, htmlLang, htmlDir string
	var button, brand, inPre bool
	hidden := 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		tok := z.Token()
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			if !allowed[tok.Data] {
				t.Errorf("element <%s> in the HTML", tok.Data)
			}
			attr := map[string]string{}
			for _, a := range tok.Attr {
				attr[a.Key] = a.Val
				switch {
				case strings.HasPrefix(a.Key, "on") || a.Key == "src" || a.Key == "srcset" || a.Key == "background" || a.Key == "action":
					t.Errorf("attribute %s=%q on <%s>", a.Key, a.Val, tok.Data)
				case a.Key == "style" && remote.MatchString(a.Val):
					t.Errorf("remote resource in a style: %q", a.Val)
				case a.Key == "href":
					p.Links = append(p.Links, a.Val)
					if w.Base != "" && !strings.HasPrefix(a.Val, w.Base+"/") {
						t.Errorf("link outside the installation: %q", a.Val)
					}
					if w.Base == "" && !strings.HasPrefix(a.Val, "https://") && !strings.HasPrefix(a.Val, "http://") {
						t.Errorf("link %q", a.Val)
					}
				}
			}
			switch {
			case tok.Data == "html":
				htmlLang, htmlDir = attr["lang"], attr["dir"]
			case tok.Data == "table" && frameLang == "" && attr["lang"] != "":
				frameLang, frameDir = attr["lang"], attr["dir"]
			case tok.Data == "div" && strings.Contains(attr["style"], "display:none"):
				inPre = true
			case tok.Data == "td" && attr["class"] == "q-brand":
				brand = true
			case tok.Data == "a" && w.Action != "" && attr["href"] == w.Action:
				st := attr["style"]
				button = attr["class"] == "q-btn-a" && strings.Contains(st, "display:inline-block") && strings.Contains(st, "padding:") &&
					strings.Contains(st, "color:#ffffff") && strings.Contains(st, "text-decoration:none")
			}
			if tt == html.StartTagToken {
				stack = append(stack, tok.Data)
				if tok.Data == "head" || tok.Data == "style" || tok.Data == "title" {
					hidden++
				}
			}
		case html.EndTagToken:
			if n := len(stack); n > 0 && stack[n-1] == tok.Data {
				stack = stack[:n-1]
			}
			switch tok.Data {
			case "head", "style", "title":
				hidden--
			case "div":
				inPre = false
			case "td":
				brand = false
			}
		case html.TextToken:
			s := strings.Join(strings.Fields(tok.Data), " ")
			if len(stack) > 0 && stack[len(stack)-1] == "style" && remote.MatchString(tok.Data) {
				t.Errorf("remote resource in the <style>: %q", tok.Data)
			}
			switch {
			case s == "" || hidden > 0:
			case inPre:
				p.Preheader = strings.TrimRight(tok.Data, "\u034f\u200c\u00a0 ")
			case brand:
				if s != "Quorum" {
					t.Errorf("header %q", s)
				}
			default:
				p.Text = append(p.Text, tok.Data)
			}
		}
	}
	if htmlLang != w.Lang || htmlDir != w.Dir {
		t.Errorf("<html lang=%q dir=%q>, want %q %q", htmlLang, htmlDir, w.Lang, w.Dir)
	}
	if frameLang != w.Lang || frameDir != w.Dir {
		t.Errorf("the frame's lang=%q dir=%q, want %q %q (webmail drops <html>)", frameLang, frameDir, w.Lang, w.Dir)
	}
	if !strings.Contains(doc, `class="q-brand"`) {
		t.Error("no product name header")
	}
	if w.Action != "" && !button {
		t.Errorf("the action %q is not a styled button", w.Action)
	}
	return p
}

// SameContent checks that the text part says what the HTML part shows:
// every line of the text part is in the HTML (a "Label: URL" line as the
// label's text and a link to the URL; quote marks, list bullets and the
// signature dashes aside) and every text of the HTML is in the text part.
func SameContent(t testing.TB, text string, p Page) {
	t.Helper()
	htmlText := " " + norm(strings.Join(p.Text, "\n")) + " "
	text = strings.ReplaceAll(text, "\r\n", "\n")
	plain := " " + norm(text) + " "
	urlRE := regexp.MustCompile(`https?://\S+`)
	for _, line := range strings.Split(text, "\n") {
		for _, u := range urlRE.FindAllString(line, -1) {
			if !slices.Contains(p.Links, u) {
				t.Errorf("the text part's link %q is not in the HTML part (%q)", u, p.Links)
			}
		}
		l := strings.TrimSpace(urlRE.ReplaceAllString(line, ""))
		l = strings.TrimSuffix(l, ":")
		for _, pre := range []string{"> ", ">", "* ", "== ", "-- ", "--"} {
			l = strings.TrimPrefix(l, pre)
		}
		l = strings.TrimSuffix(l, " ==")
		if l = norm(l); l != "" && !strings.Contains(htmlText, l) {
			t.Errorf("the text part's %q is not in the HTML part", l)
		}
	}
	for _, s := range p.Text {
		for _, line := range strings.Split(s, "\n") {
			if l := norm(line); l != "" && !strings.Contains(plain, l) {
				t.Errorf("the HTML part's %q is not in the text part", l)
			}
		}
	}
}

func norm(s string) string { return strings.Join(strings.Fields(s), " ") }

// Save writes an email's HTML part to the folder QUORUM_MAIL_SAMPLES names
// (nothing when unset), to look at it in a browser or a mail client.
func Save(t testing.TB, name, doc string) {
	t.Helper()
	if dir := os.Getenv("QUORUM_MAIL_SAMPLES"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name+".html"), []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
