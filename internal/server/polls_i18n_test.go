package server_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/poll"
)

// The poll pages in the reader's language (#18): a German and an Arabic
// member see the poll page, its card on the thread, the poll form, the
// poll list and the tag and template pages worded from the catalogs, with
// <html lang dir> set and no missing key.
func TestPollPagesInGermanAndArabic(t *testing.T) {
	e, o, m, n := newPollEnv(t)
	for who, l := range map[*pollPerson]string{m: "de", n: "ar"} {
		e.must(e.do(who, "PATCH", "/api/v1/me", map[string]string{"locale": l}), 200, "set language")
	}
	th := threadOf(t, e, "Budget")
	p := proposalIn(e, o, th.ID, "Approve the budget", 72*time.Hour, nil)
	e.must(e.do(m, "POST", "/polls/"+p.ID+"/vote", url.Values{"choice": {poll.OptionAgree}, "reason": {"Gut so."}}), 303, "vote")
	sel := p.ID
	// Each reader's own poll, whose tags they may edit (members may not
	// tag others' polls).
	own := map[*pollPerson]string{m: proposalIn(e, m, th.ID, "Approve the budget", time.Hour, nil).ID,
		n: proposalIn(e, n, th.ID, "Approve the budget", time.Hour, nil).ID}

	pages := []struct {
		path   string
		de, ar []string
		card   bool
	}{
		{path: "/polls/" + sel + "?done=voted",
			de: []string{"Vorschlag · offen", "Endet am ", "Ihre Stimme: <strong>Zustimmen</strong>", "Ergebnisse", "Zustimmen",
				"1 von 3 Stimmberechtigten haben abgestimmt.", "Ihre Stimme wurde gezählt.", "Stimmen und Begründungen", "Stimme ändern"},
			ar: []string{"مقترح · مفتوح", "يُغلق في ", "النتائج", "موافق", "صوّت 1 من أصل 3 ممن يحق لهم التصويت.", "الأصوات والأسباب"}},
		{path: "/threads/" + th.ID, card: true,
			de: []string{"1 von 3 haben abgestimmt", "endet in 3 Tagen", "Zustimmen"},
			ar: []string{"صوّت 1 من 3", "يُغلق خلال 3 أيام"}},
		{path: "/groups/" + e.gid + "/polls/new?type=proposal",
			de: []string{"<h1>Neuer Vorschlag</h1>", "Abstimmung starten", "Wer abstimmen darf", "Nur an mich", "Zustimmen"},
			ar: []string{"<h1>مقترح جديد</h1>", "ابدأ التصويت", "من يحق له التصويت"}},
		{path: "/groups/" + e.gid + "/polls/new",
			de: []string{"Welche Art von Abstimmung?", "Rangfolge", "Einen Termin finden"},
			ar: []string{"ما نوع التصويت؟", "اجتماع"}},
		{path: "/groups/" + e.gid + "/polls",
			de: []string{"Abstimmungen von", "endet am "},
			ar: []string{"تصويتات", "يُغلق في "}},
		{path: "/polls/{own}/tags",
			de: []string{"Schlagwörter von „Approve the budget“", "Zurück zur Abstimmung"},
			ar: []string{"وسوم «Approve the budget»", "العودة إلى التصويت"}},
		{path: "/groups/" + e.gid + "/tags",
			de: []string{"Schlagwörter von", "Schlagwörter ordnen"},
			ar: []string{"وسوم", "تنظّم الوسوم"}},
		{path: "/groups/" + e.gid + "/templates",
			de: []string{"Mit einer Vorlage beginnen", "Eingebaute Abläufe"},
			ar: []string{"ابدأ من قالب", "عمليات مدمجة"}},
	}
	for _, pg := range pages {
		for _, c := range []struct {
			who  *pollPerson
			html string
			want []string
		}{{m, `<html lang="de" dir="ltr">`, pg.de}, {n, `<html lang="ar" dir="rtl">`, pg.ar}} {
			path := strings.Replace(pg.path, "{own}", own[c.who], 1)
			body := e.must(e.do(c.who, "GET", path, nil), 200, path).body
			if !strings.Contains(body, c.html) {
				t.Errorf("%s: want %s", pg.path, c.html)
			}
			if strings.Contains(body, "⟦") {
				i := strings.Index(body, "⟦")
				t.Errorf("%s (%s): a key is missing: %s", pg.path, c.html, body[i:min(i+60, len(body))])
			}
			part := body
			if pg.card {
				part = card(body, p.ID)
			}
			for _, w := range c.want {
				if !strings.Contains(part, w) {
					t.Errorf("%s (%s): lacks %q", pg.path, c.html, w)
				}
			}
		}
	}
	// The English reader's page is as it was.
	body := e.must(e.do(o, "GET", "/polls/"+sel, nil), 200, "English page").body
	for _, w := range []string{`<html lang="en" dir="ltr">`, "Proposal · open", "Closes ", "1 of 3 eligible voters have voted.", "Results of Approve the budget"} {
		if !strings.Contains(body, w) {
			t.Errorf("English poll page lacks %q", w)
		}
	}
}
