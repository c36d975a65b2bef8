package mail_test

import (
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/mail/mailtest"
)

func TestHTMLDocEscapesAndNamesItsLanguage(t *testing.T) {
	link := `https://x.test/?a=1&b="2"`
	doc := mail.HTMLDoc("ar", "rtl", `<Title> & "co"`, mail.Para("a < b")+mail.LinkPara(link, "Open <it>")+mail.Quote("it's <mine>"))
	for _, want := range []string{
		`<html lang="ar" dir="rtl">`, `<title>&lt;Title&gt; &amp; &#34;co&#34;</title>`, `>a &lt; b</p>`,
		`href="https://x.test/?a=1&amp;b=%222%22"`, `>Open &lt;it&gt;</a>`,
		`dir="auto"`, `>it&#39;s &lt;mine&gt;</blockquote>`,
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("document lacks %q:\n%s", want, doc)
		}
	}
	if strings.Contains(doc, "<it>") || strings.Contains(doc, "<mine>") {
		t.Errorf("unescaped text in %s", doc)
	}
	p := mailtest.CheckHTML(t, doc, mailtest.Want{Lang: "ar", Dir: "rtl", Base: "https://x.test", Action: `https://x.test/?a=1&b=%222%22`})
	mailtest.SameContent(t, "a < b\n\nOpen <it>: https://x.test/?a=1&b=%222%22\n\nit's <mine>\n", p)
}

// The frame: a single column at most 600 px wide, system fonts, the
// product name, dark mode as progressive enhancement, a hidden preheader
// with the excerpt, and no remote anything.
func TestFrameIsASingleColumnWithoutRemoteResources(t *testing.T) {
	doc := mail.Open("de", "ltr", "Betreff", `Ein "Auszug" <b>`) + mail.Para("Hallo") + mail.Button("https://q.test/polls/p1", "Abstimmen") +
		mail.FooterOpen + mail.Para("Warum") + mail.Close
	for _, want := range []string{"max-width:600px", "-apple-system", "sans-serif", "@media (prefers-color-scheme:dark)",
		`<meta name="viewport" content="width=device-width, initial-scale=1">`, `<meta name="color-scheme" content="light dark">`,
		">" + mail.Product + "</td>", "<footer>", "</footer>"} {
		if !strings.Contains(doc, want) {
			t.Errorf("frame lacks %q", want)
		}
	}
	for _, bad := range []string{"<img", "<link", "<script", "http://", "url(", "@import", "@font-face", "serif;", "font-family:serif"} {
		if strings.Contains(doc, bad) {
			t.Errorf("frame holds %q", bad)
		}
	}
	p := mailtest.CheckHTML(t, doc, mailtest.Want{Lang: "de", Dir: "ltr", Base: "https://q.test", Action: "https://q.test/polls/p1"})
	if p.Preheader != `Ein "Auszug" <b>` {
		t.Errorf("preheader %q", p.Preheader)
	}
	if !strings.Contains(doc, "Ein &#34;Auszug&#34; &lt;b&gt;") {
		t.Error("preheader not escaped")
	}
	// No preheader, no hidden div.
	if strings.Contains(mail.Open("en", "ltr", "S", ""), "display:none") {
		t.Error("an empty preheader")
	}
}

// An unsafe action URL is neutralised as html/template would.
func TestButtonFiltersUnsafeURLs(t *testing.T) {
	for _, u := range []string{"javascript:alert(1)", "JaVaScRiPt:x", "data:text/html,hi", "vbscript:x"} {
		if b := mail.Button(u, "x"); !strings.Contains(b, `href="#ZgotmplZ"`) {
			t.Errorf("%q: %s", u, b)
		}
	}
}
