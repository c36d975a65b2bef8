package mail

import (
	"strings"
	"testing"
)

func TestHTMLDocEscapesAndNamesItsLanguage(t *testing.T) {
	doc := HTMLDoc("ar", "rtl", `<Title> & "co"`, Para("a < b")+LinkPara(`https://x.test/?a=1&b="2"`, "Open <it>")+Quote("it's <mine>"))
	for _, want := range []string{
		`<html lang="ar" dir="rtl">`, `<title>&lt;Title&gt; &amp; &quot;co&quot;</title>`, `<p>a &lt; b</p>`,
		`<p><a href="https://x.test/?a=1&amp;b=&quot;2&quot;">Open &lt;it&gt;</a></p>`,
		`<blockquote dir="auto">it&#39;s &lt;mine&gt;</blockquote>`,
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("document lacks %q:\n%s", want, doc)
		}
	}
	if strings.Contains(doc, "<it>") || strings.Contains(doc, "<mine>") {
		t.Errorf("unescaped text in %s", doc)
	}
}
