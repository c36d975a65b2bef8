package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/discussion"
)

// The discussion pages in German and Arabic (issue 18): Ben sets his
// language, and the thread, his dashboard, his notifications, search and
// the security page come in it, right to left in Arabic, with nothing
// wider than a 390 px screen (longer German words, the mirrored layout)
// and axe-core and the CSP checks passing. Screenshots with
// QUORUM_SCREENSHOTS.
func TestDiscussionPagesInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ben := s.person(t, "ben", "Ben Franklin")
	for _, p := range []*person{ada, ben} {
		p.open("/signup")
		p.signInWithCode(true)
	}
	ada.open("/groups/new")
	ada.fill("Name", "Garden Club")
	if st := ada.submit("Create group"); st != 200 {
		t.Fatalf("create group: %d", st)
	}
	gid := strings.TrimPrefix(ada.path(), "/groups/")
	adaCtx := actingAs(t, a, ada.Email)
	link, err := a.Groups.JoinLink(adaCtx, gid)
	if err != nil {
		t.Fatal(err)
	}
	benCtx := actingAs(t, a, ben.Email)
	if _, err := a.Groups.JoinViaLink(benCtx, link[strings.LastIndex(link, "/join/")+len("/join/"):]); err != nil {
		t.Fatal(err)
	}
	th, err := a.Discussions.StartThread(adaCtx, discussion.StartInput{GroupID: gid, Title: "Spring planting",
		Description: "What goes in the south bed this year?"})
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"Tomatoes, @Ben, and beans.", "Sunflowers along the fence."} {
		if _, err := a.Discussions.Comment(adaCtx, th.ID, discussion.CommentInput{Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	ben.seesNotifications("mentioned you in", "Spring planting")
	for _, tc := range []struct {
		lang, dir string
		sees      map[string][]string
	}{
		{"de", "ltr", map[string][]string{
			"thread":        {"Diskussion (2 Kommentare)", "Kommentar schreiben", "Benachrichtigungen aus diesem Thread"},
			"dashboard":     {"Übersicht", "Spring planting"},
			"notifications": {"hat Sie in", "Spring planting"},
			"search":        {"Suchen nach", "Filter", "„tomatoes“"},
			"security":      {"Sicherheit und Datenschutz"},
		}},
		{"ar", "rtl", map[string][]string{
			"thread":        {"النقاش (تعليقان)", "أضف تعليقًا", "الإشعارات من هذا النقاش"},
			"dashboard":     {"لوحة المتابعة", "Spring planting"},
			"notifications": {"أشار إليك", "Spring planting"},
			"search":        {"ابحث عن", "عوامل التصفية"},
			"security":      {"الأمان وحماية البيانات"},
		}},
	} {
		// Ben picks the language in his settings (whatever language they are in).
		ben.open("/settings")
		browsertest.Get(ben.Session, "choose "+tc.lang, chromedp.Evaluate[string](`document.getElementById("locale").value = "`+tc.lang+`"`))
		if st := ben.press("save the profile", chromedp.CSS(`form:has(#locale) button[type=submit]`)); st != 200 {
			t.Fatalf("save language %s: %d", tc.lang, st)
		}
		for _, pg := range []struct{ name, path string }{
			{"thread", "/threads/" + th.ID}, {"dashboard", "/dashboard"}, {"notifications", "/notifications"},
			{"search", "/search?q=tomatoes"}, {"security", "/security"},
		} {
			ben.open(pg.path)
			got := browsertest.Get(ben.Session, "read lang and dir",
				chromedp.Evaluate[string](`document.documentElement.lang + " " + document.documentElement.dir`))
			if got != tc.lang+" "+tc.dir {
				t.Fatalf("%s %s: <html lang dir> %q", tc.lang, pg.name, got)
			}
			ben.sees(tc.sees[pg.name]...)
			ben.notSees("⟦")
			name := pg.name + "-" + tc.lang
			ben.audit(name)
			ben.at(1280, name)
			ben.at(390, name)
		}
	}
}
