package notify

import (
	"bytes"
	htmltemplate "html/template"
	"math/rand/v2"
	"strings"
	"testing"
	texttemplate "text/template"
)

// The templates the emails were written with before layout.go: the Go
// layouts must produce exactly what they produce. shell.html is the frame
// every email shares (internal/mail: Open, FooterOpen, Close, Button); a
// change of the layout changes these goldens on purpose.
var (
	oldHTML = htmltemplate.Must(htmltemplate.New("").ParseGlob("testdata/templates/*.html"))
	oldText = texttemplate.Must(texttemplate.New("").ParseGlob("testdata/templates/*.txt"))
)

func executeOld(t *testing.T, name string, v any) (string, string) {
	t.Helper()
	var tx, h bytes.Buffer
	if err := oldText.ExecuteTemplate(&tx, name+".txt", v); err != nil {
		t.Fatal(err)
	}
	if err := oldHTML.ExecuteTemplate(&h, name+".html", v); err != nil {
		t.Fatal(err)
	}
	return tx.String(), h.String()
}

// awkward strings: markup, quotes, plus signs, NUL, invalid UTF-8,
// non-ASCII, and URLs that need encoding or filtering.
var awkward = []string{"", "plain", `<b>"Tom" & 'Jerry'</b> + 1`, "nul\x00byte", "bad \xff utf-8", "Ünïcödé 日本語 👍",
	"line\nbreak", "{{.Subject}}", "tab\there"}

var awkwardURLs = []string{"https://quorum.example.org/threads/abc#c-def", "https://q.example/a b?x=1&y=\"2\"+3",
	"http://q.example/ü/日本?q='x'(y)", "javascript:alert(1)", "mailto:someone@example.org", "JaVaScRiPt:x",
	"/relative/path?a=b", "https://q.example/%41%zz", "https://q.example/x%41", "https://q.example/%4", "data:text/html,hi", "https://q.example/<script>", ""}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

func randomLines(r *rand.Rand) []string {
	var out []string
	for range r.IntN(3) {
		out = append(out, pick(r, awkward))
	}
	return out
}

func randomLinks(r *rand.Rand) []link {
	var out []link
	for range r.IntN(3) {
		out = append(out, link{Text: pick(r, awkward), URL: pick(r, awkwardURLs)})
	}
	return out
}

func TestLayoutsMatchTheTemplates(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for i := range 400 {
		l := pick(r, []string{"en", "ar", `x"<`})
		dir := pick(r, []string{"ltr", "rtl"})
		n := view{Lang: l, Dir: dir, Subject: pick(r, awkward), Preheader: pick(r, awkward), Heading: pick(r, awkward), Excerpt: randomLines(r), ActionText: pick(r, awkward),
			ActionURL: pick(r, awkwardURLs), Why: pick(r, awkward), Links: randomLinks(r), ReplyHint: pick(r, awkward),
			Details: randomLines(r), HowToVote: pick(r, awkward)}
		wantText, wantHTML := executeOld(t, "notification", n)
		gotText, gotHTML := layoutNotification(n)
		if gotText != wantText || gotHTML != wantHTML {
			t.Fatalf("notification %d %#v:\ntext\n%q\nwant\n%q\nhtml\n%q\nwant\n%q", i, n, gotText, wantText, gotHTML, wantHTML)
		}

		d := digestView{Lang: l, Dir: dir, Subject: pick(r, awkward), Preheader: pick(r, awkward), Heading: pick(r, awkward), Why: pick(r, awkward), Links: randomLinks(r),
			More: pick(r, awkward), MoreURL: pick(r, awkwardURLs)}
		for range r.IntN(3) {
			g := &digestGroup{Name: pick(r, awkward)}
			for range r.IntN(3) {
				tp := &digestTopic{Title: pick(r, awkward), URL: pick(r, awkwardURLs)}
				for range r.IntN(3) {
					tp.Items = append(tp.Items, digestItem{Heading: pick(r, awkward), Excerpt: randomLines(r)})
				}
				tp.More = pick(r, awkward) // the line of a topic's items left out (boundDigest)
				g.Topics = append(g.Topics, tp)
			}
			d.Groups = append(d.Groups, g)
		}
		wantText, wantHTML = executeOld(t, "digest", d)
		gotText, gotHTML = layoutDigest(d)
		if gotText != wantText || gotHTML != wantHTML {
			t.Fatalf("digest %d:\ntext\n%q\nwant\n%q\nhtml\n%q\nwant\n%q", i, gotText, wantText, gotHTML, wantHTML)
		}
	}
	// The cases above must have covered the escapes that matter.
	_, h := layoutNotification(view{ActionURL: "javascript:alert(1)", Heading: "<b>"})
	if !strings.Contains(h, `href="#ZgotmplZ"`) || !strings.Contains(h, "&lt;b&gt;") {
		t.Fatalf("unsafe URL or markup not neutralised:\n%s", h)
	}
}

// A full digest (MaxDigestItems items, each with an excerpt as long as
// render.Excerpt makes them, in English) stays under 102 KB of HTML, the
// size at which Gmail clips a message and hides the rest, footer included;
// the layout's own markup (frame and topics included) costs at most 250
// bytes an item. (Longer text, Arabic at two bytes a letter, can still
// reach the limit: the text itself would, whatever the markup.)
func TestFullDigestIsNotClipped(t *testing.T) {
	excerpt := strings.Repeat("word ", 27) + "word…" // 140 runes, render.Excerpt's bound
	heading := "Ada Lovelace commented in “Spring planting plan for the south bed”"
	dv := digestView{Lang: "en", Dir: "ltr", Subject: "Your daily Quorum digest: 200 new notifications", Heading: "What happened in your groups: 200 new notifications.",
		Why: "You received this digest because you chose to get your Quorum email daily.", Preheader: heading}
	text := 0
	for n := 0; n < MaxDigestItems; {
		g := &digestGroup{Name: "Garden club of the south side"}
		for range 5 {
			tp := &digestTopic{Title: "Spring planting plan for the south bed", URL: testBase + "/threads/c2e4g6i7k3m5o7q2"}
			for range 4 {
				tp.Items = append(tp.Items, digestItem{Heading: heading, Excerpt: []string{excerpt}})
				text += len(esc(heading)) + len(esc(excerpt))
				n++
			}
			g.Topics = append(g.Topics, tp)
		}
		dv.Groups = append(dv.Groups, g)
	}
	_, h := layoutDigest(dv)
	if len(h) > 102_000 {
		t.Errorf("a full digest is %d bytes of HTML: Gmail clips it", len(h))
	}
	if per := (len(h) - text) / MaxDigestItems; per > 250 {
		t.Errorf("the layout costs %d bytes an item", per)
	}
	t.Logf("a full digest: %d bytes of HTML, %d of them text", len(h), text)
}
