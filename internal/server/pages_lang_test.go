package server

import (
	"net/url"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/i18n"
)

// The thread page and its neighbours (list, new thread, edit, guests,
// dashboard, notifications) are written in the reader's language, with
// <html lang dir>, no key left unworded, and the names people typed as
// they typed them.
func TestDiscussionPagesInGermanAndArabic(t *testing.T) {
	g := newDiscussionHarness(t)
	alice, bob := g.user("Alice"), g.user("Bob")
	grp := g.createGroup(alice, "Chor "+g.tag, "open")
	g.join(bob, grp.ID)
	th := g.startThread(alice, grp.ID, "Frühlingskonzert", "Programm")
	g.postComment(bob, th.ID, "", "Ich bringe die Noten, @Alice")
	g.postComment(bob, th.ID, "", "Und den Ständer")

	pages := []string{"/threads/" + th.ID, "/groups/" + grp.ID + "/threads", "/groups/" + grp.ID + "/threads/new",
		"/threads/" + th.ID + "/edit", "/threads/" + th.ID + "/guests", "/dashboard", "/notifications",
		"/threads/" + th.ID + "?done=commented"}
	for _, tc := range []struct {
		lang, dir string
		want      map[string][]string // page → what it must show
	}{
		{"de", "ltr", map[string][]string{
			pages[0]: {"Diskussion", "2 Kommentare", "Kommentar veröffentlichen", "Eröffnet von <bdi>Alice</bdi> am", "Benachrichtigungen aus diesem Thread",
				"Reaktion hinzufügen", "Frühlingskonzert", "Ich bringe die Noten", `data-msg-uploading="{name} wird hochgeladen…"`},
			pages[1]: {"Threads von Chor", "Neuer Thread", "2 Kommentare", "letzte Aktivität"},
			pages[2]: {"Neuer Thread in Chor", "Thread eröffnen", "(optional)"},
			pages[3]: {"Thread bearbeiten", "Änderungen speichern"},
			pages[4]: {"Gäste von Frühlingskonzert", "Per E-Mail einladen", "Noch keine Gäste."},
			pages[5]: {"Übersicht", "Neueste Threads in Ihren Gruppen", "Frühlingskonzert"},
			pages[6]: {"Benachrichtigungen", "<strong>Bob</strong> hat Sie in <a href=\"/threads/" + th.ID},
			pages[7]: {"Ihr Kommentar wurde veröffentlicht."},
		}},
		{"ar", "rtl", map[string][]string{
			pages[0]: {"النقاش", "تعليقان", "انشر التعليق", "بدأه <bdi>Alice</bdi> في", "الإشعارات من هذا النقاش", "Frühlingskonzert"},
			pages[1]: {"نقاشات Chor", "نقاش جديد", "تعليقان"},
			pages[2]: {"نقاش جديد في Chor", "ابدأ النقاش"},
			pages[3]: {"عدّل النقاش", "احفظ التغييرات"},
			pages[4]: {"ضيوف Frühlingskonzert", "ادعُ بالبريد الإلكتروني"},
			pages[5]: {"لوحة المتابعة", "أحدث النقاشات في مجموعاتك"},
			pages[6]: {"الإشعارات", "أشار إليك <strong>Bob</strong> في"},
			pages[7]: {"نُشر تعليقك."},
		}},
	} {
		for _, p := range pages {
			as := bob
			if p == pages[6] {
				as = alice // Bob mentioned her
			}
			if p == pages[3] || p == pages[4] {
				as = alice // her thread
			}
			rec := g.do(as, "GET", p, "", "Accept-Language", tc.lang)
			body := rec.Body.String()
			if rec.Code != 200 {
				t.Fatalf("%s %s: %d %.300s", tc.lang, p, rec.Code, body)
			}
			if want := `<html lang="` + tc.lang + `" dir="` + tc.dir + `">`; !strings.Contains(body, want) {
				t.Errorf("%s %s lacks %s", tc.lang, p, want)
			}
			if strings.Contains(body, i18n.Missing) {
				i := strings.Index(body, i18n.Missing)
				t.Errorf("%s %s has a key no catalog words: %s", tc.lang, p, body[i:min(len(body), i+60)])
			}
			for _, w := range tc.want[p] {
				if !strings.Contains(body, w) {
					t.Errorf("%s %s lacks %q", tc.lang, p, w)
				}
			}
		}
	}
	// Signed out, the browser's language decides; the English page stays as it was.
	body := g.do("", "GET", "/threads/"+th.ID, "", "Accept-Language", "de-AT, de;q=0.9").Body.String()
	if !strings.Contains(body, "um mitzumachen") || !strings.Contains(body, `href="/login?next=/threads/`+th.ID+`"`) {
		t.Errorf("signed-out German thread page: %.600s", body)
	}
	body = g.do(bob, "GET", "/threads/"+th.ID, "").Body.String()
	for _, w := range []string{"Discussion", "2 comments", "Post comment", "Started by <bdi>Alice</bdi> on"} {
		if !strings.Contains(body, w) {
			t.Errorf("English thread page lacks %q", w)
		}
	}
	// An error page's title is translated by status.
	rec := g.do(bob, "GET", "/threads/nosuchthread"+url.PathEscape(g.tag), "", "Accept-Language", "fr")
	if rec.Code != 404 || !strings.Contains(rec.Body.String(), "Introuvable") {
		t.Errorf("French 404: %d %.400s", rec.Code, rec.Body)
	}
}
