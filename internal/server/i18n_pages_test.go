package server_test

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

// The settings and sign-in pages follow the account's language setting,
// and the browser's Accept-Language when signed out.
func TestSettingsAndSignInPagesInGermanAndArabic(t *testing.T) {
	a := newApp(t, nil)
	c := a.signIn(t, randomEmail("lang"), "Lena", 1)
	for _, tc := range []struct {
		lang, dir string
		pages     map[string][]string
	}{
		{"de", "ltr", map[string][]string{
			"/settings":          {"<h1>Einstellungen</h1>", "Profil speichern", "Mein Konto löschen…"},
			"/settings/tokens":   {"<h1>API-Tokens</h1>", "Token erstellen", "Sie haben keine Tokens."},
			"/settings/sessions": {"<h1>Sitzungen und Geräte</h1>", "(dieser Browser)", "Überall abmelden", "<title>Sitzungen und Geräte"},
		}},
		{"ar", "rtl", map[string][]string{
			"/settings":          {"<h1>الإعدادات</h1>", "حفظ الملف الشخصي"},
			"/settings/tokens":   {"إنشاء الرمز", "ليس لديك رموز."},
			"/settings/sessions": {"(هذا المتصفح)", "تسجيل الخروج من كل مكان"},
		}},
	} {
		if rec := a.do(req{method: "PATCH", path: "/api/v1/me", cookie: c, body: `{"locale":"` + tc.lang + `"}`}); rec.Code != 200 {
			t.Fatalf("set locale: %d %s", rec.Code, rec.Body)
		}
		for path, want := range tc.pages {
			pageIn(t, a.do(req{method: "GET", path: path, cookie: c}), tc.lang, tc.dir, want...)
		}
	}
	de := map[string]string{"Accept-Language": "de-AT, de;q=0.9"}
	pageIn(t, a.do(req{method: "GET", path: "/login", headers: de}), "de", "ltr", "Code per E-Mail senden", "Oder mit einem Passwort anmelden", "<title>Anmelden")
	ar := map[string]string{"Accept-Language": "ar"}
	pageIn(t, a.do(req{method: "GET", path: "/signup", headers: ar}), "ar", "rtl", "أنشئ حسابك", "أرسل لي رمزًا")
}
