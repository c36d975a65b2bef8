package render

import (
	"bytes"
	"io"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// policy is an allow-list HTML sanitiser: the elements it names stay, with
// only the attributes it names, each only when its value matches; every
// other tag goes (its text stays, escaped), and so does the content of
// script, style and the other elements in skipContent. It does what
// bluemonday did with the same allow-list (TestSanitiserMatchesBluemonday
// holds it to bluemonday's output), without bluemonday's CSS handling:
// Quorum allows no style attribute, and bluemonday's CSS packages compiled
// about 80 regular expressions at every cold start of every function that
// links internal/render.
//
// The zero policy (no elements) strips every tag: the plain-text policy.
type policy struct {
	// elements maps an allowed element to its allowed attributes, each
	// with the rule its value must meet (rules.go).
	elements map[string]map[string]func(string) bool
	// links: an "a" element's href must be an absolute http, https or
	// mailto URL or a relative one, parseable, and gets rel="nofollow
	// noreferrer".
	links bool
}

// withoutAttrs are the elements kept when none of their attributes are
// (bluemonday's default set, of which the allow-list uses a part); any
// other allowed element without an allowed attribute is dropped, with its
// closing tag.
var withoutAttrs = map[string]bool{
	"abbr": true, "acronym": true, "address": true, "article": true, "aside": true, "audio": true, "b": true,
	"bdi": true, "blockquote": true, "body": true, "br": true, "button": true, "canvas": true, "caption": true,
	"center": true, "cite": true, "code": true, "col": true, "colgroup": true, "datalist": true, "dd": true,
	"del": true, "details": true, "dfn": true, "div": true, "dl": true, "dt": true, "em": true, "fieldset": true,
	"figcaption": true, "figure": true, "footer": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true,
	"h6": true, "head": true, "header": true, "hgroup": true, "hr": true, "html": true, "i": true, "ins": true,
	"kbd": true, "li": true, "mark": true, "marquee": true, "nav": true, "ol": true, "optgroup": true,
	"option": true, "p": true, "picture": true, "pre": true, "q": true, "rp": true, "rt": true, "ruby": true,
	"s": true, "samp": true, "script": true, "section": true, "select": true, "small": true, "span": true,
	"strike": true, "strong": true, "style": true, "sub": true, "summary": true, "sup": true, "svg": true,
	"table": true, "tbody": true, "td": true, "textarea": true, "tfoot": true, "th": true, "thead": true,
	"title": true, "time": true, "tr": true, "tt": true, "u": true, "ul": true, "var": true, "video": true,
	"wbr": true,
}

// skipContent are the elements whose content goes with their tags.
var skipContent = map[string]bool{
	"frame": true, "frameset": true, "iframe": true, "noembed": true, "noframes": true, "noscript": true,
	"nostyle": true, "object": true, "script": true, "style": true, "title": true,
}

// Sanitize returns s with what the policy does not allow removed; an
// input of white space only is returned as it is.
func (p *policy) Sanitize(s string) string {
	if strings.TrimSpace(s) == "" {
		return s
	}
	return string(p.sanitize(strings.NewReader(s)))
}

// SanitizeBytes is Sanitize for bytes.
func (p *policy) SanitizeBytes(b []byte) []byte {
	if len(bytes.TrimSpace(b)) == 0 {
		return b
	}
	return p.sanitize(bytes.NewReader(b))
}

// sanitize tokenises r as a browser would (golang.org/x/net/html) and
// writes back only what is allowed; a tokeniser error other than the end
// of the input yields nothing.
func (p *policy) sanitize(r io.Reader) []byte {
	var (
		out          bytes.Buffer
		skip         bool     // inside an element of skipContent: nothing is written
		skipping     int      // elements of skipContent opened less those closed
		skipClosing  []string // allowed elements dropped for want of attributes, whose closing tags go too
		lastStarted  string   // the element last opened and not closed: no text inside script or style
		tokenizer    = html.NewTokenizer(r)
		writeAllowed = func(t html.Token) {
			if !skip {
				out.WriteString(t.String())
			}
		}
	)
	for {
		if tokenizer.Next() == html.ErrorToken {
			if tokenizer.Err() == io.EOF {
				return out.Bytes()
			}
			return nil
		}
		t := tokenizer.Token()
		switch t.Type {
		case html.StartTagToken, html.SelfClosingTagToken:
			if t.Type == html.StartTagToken {
				lastStarted = t.Data
			}
			if t.Data == "script" || t.Data == "style" {
				continue
			}
			attrs, ok := p.elements[t.Data]
			if !ok {
				if t.Type == html.StartTagToken && skipContent[t.Data] {
					skip = true
					skipping++
				}
				continue
			}
			t.Attr = p.attrs(t.Data, t.Attr, attrs)
			if len(t.Attr) == 0 && !withoutAttrs[t.Data] {
				if t.Type == html.StartTagToken {
					skipClosing = append(skipClosing, t.Data)
				}
				continue
			}
			writeAllowed(t)
		case html.EndTagToken:
			if lastStarted == t.Data {
				lastStarted = ""
			}
			if t.Data == "script" || t.Data == "style" {
				continue
			}
			if n := len(skipClosing); n > 0 && skipClosing[n-1] == t.Data {
				skipClosing = skipClosing[:n-1]
				continue
			}
			if _, ok := p.elements[t.Data]; !ok {
				// As bluemonday counts: a stray closing tag counts too, and
				// then skipping ends only when the count comes back to zero
				// (stricter than needed, never laxer).
				if skipContent[t.Data] {
					if skipping--; skipping == 0 {
						skip = false
					}
				}
				continue
			}
			writeAllowed(t)
		case html.TextToken:
			if lastStarted != "script" && lastStarted != "style" {
				writeAllowed(t)
			}
		default: // comments and doctypes go
		}
	}
}

// attrs returns the attributes of element allowed (values matching), with
// an "a" element's href checked as a URL and rel="nofollow noreferrer"
// added to a link.
func (p *policy) attrs(element string, in []html.Attribute, allowed map[string]func(string) bool) []html.Attribute {
	var out []html.Attribute
	for _, a := range in {
		if ok := allowed[a.Key]; ok != nil && ok(a.Val) {
			out = append(out, a)
		}
	}
	if element != "a" || !p.links || len(out) == 0 {
		return out
	}
	kept, href := out[:0], false
	for _, a := range out {
		if a.Key == "href" {
			u, ok := safeHref(a.Val)
			if !ok {
				continue
			}
			a.Val, href = u, true
		}
		kept = append(kept, a)
	}
	if href {
		kept = append(kept, html.Attribute{Key: "rel", Val: "nofollow noreferrer"})
	}
	return kept
}

// safeHref returns the href a link may carry: a URL without white space
// inside that parses, either relative or of the schemes http, https or
// mailto, as net/url writes it back.
func safeHref(raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if strings.ContainsAny(raw, " \t\n") {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	switch u.Scheme {
	case "http", "https", "mailto":
		return u.String(), true
	case "":
		s := u.String()
		return s, s != ""
	}
	return "", false
}
