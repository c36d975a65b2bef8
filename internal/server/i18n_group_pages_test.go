package server

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// pageIn checks one page is written in a language: <html lang dir>, the
// translated strings, and no message missing from every catalog.
func pageIn(t *testing.T, rec *httptest.ResponseRecorder, lang, dir string, want ...string) {
	t.Helper()
	body := rec.Body.String()
	if rec.Code != 200 {
		t.Fatalf("status %d: %.400s", rec.Code, body)
	}
	if !strings.Contains(body, `<html lang="`+lang+`" dir="`+dir+`">`) {
		t.Errorf("no <html lang=%q dir=%q>: %.300s", lang, dir, body)
	}
	if i := strings.Index(body, "⟦"); i >= 0 {
		t.Errorf("missing message: %s", body[i:min(len(body), i+80)])
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s page lacks %q", lang, w)
		}
	}
}

// A group's pages, for its admin, in German and in Arabic (the harness's
// people have no setting: Accept-Language decides).
func TestGroupPagesInGermanAndArabic(t *testing.T) {
	g := newGroupHarness(t)
	ann := g.user("Ann")
	grp := g.createGroup(ann, "Garten", "closed")
	base := "/groups/" + grp.ID
	for _, tc := range []struct {
		lang, dir string
		pages     map[string][]string
	}{
		{"de", "ltr", map[string][]string{
			base:                  {"Geschlossene Gruppe", "Sie sind Admin", "Mitgliederliste"},
			base + "/settings":    {"Einstellungen von Garten", "Einstellungen speichern", "Mitglieder können Diskussionen beginnen"},
			base + "/members":     {"Mitglieder von Garten", "Zum Mitglied machen"},
			base + "/invitations": {"Personen zu Garten einladen", "Einladungen senden", "Noch keine Einladungen."},
			base + "/requests":    {"Beitrittsanfragen für Garten", "Keine offenen Anfragen."},
			base + "/audit":       {"Protokoll der Admin-Aktionen", "Protokoll prüfen"},
			"/groups":             {"<h1>Ihre Gruppen</h1>", "geschlossen", "Admin"},
			"/groups/new":         {"Gruppe erstellen", "Sichtbarkeit"},
		}},
		{"ar", "rtl", map[string][]string{
			base:                  {"مجموعة مغلقة", "أنت مشرف"},
			base + "/settings":    {"حفظ الإعدادات", "الصلاحيات"},
			base + "/members":     {"الأعضاء وأدوارهم"},
			base + "/invitations": {"إرسال الدعوات"},
			"/groups":             {"<h1>مجموعاتك</h1>"},
		}},
	} {
		for path, want := range tc.pages {
			pageIn(t, g.do(ann, "GET", path, "", "Accept-Language", tc.lang), tc.lang, tc.dir, want...)
		}
	}
	// A notice after a redirect is worded too.
	pageIn(t, g.do(ann, "GET", base+"/settings?done=saved", "", "Accept-Language", "de"), "de", "ltr", "Einstellungen gespeichert.")
}
