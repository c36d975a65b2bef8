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

// Domain errors are worded in the reader's language: a form's field errors
// on a page, and the API's problem details (the account's setting, else
// Accept-Language; English when neither says otherwise).
func TestErrorsInTheReadersLanguage(t *testing.T) {
	a := newApp(t, nil)
	c := a.signIn(t, randomEmail("errs"), "Emil", 1)
	bad := `{"time_zone":"Mars/Base"}`
	rec := a.do(req{method: "PATCH", path: "/api/v1/me", cookie: c, body: bad})
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), `"detail":"time_zone: is not a known time zone (use a name like Europe/Berlin)"`) {
		t.Fatalf("English by default: %d %s", rec.Code, rec.Body)
	}
	if rec := a.do(req{method: "PATCH", path: "/api/v1/me", cookie: c, body: `{"locale":"de"}`}); rec.Code != 200 {
		t.Fatalf("set locale: %d %s", rec.Code, rec.Body)
	}
	rec = a.do(req{method: "PATCH", path: "/api/v1/me", cookie: c, body: bad})
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), `"message":"ist keine bekannte Zeitzone (verwenden Sie einen Namen wie Europe/Berlin)"`) ||
		!strings.Contains(rec.Body.String(), `"detail":"Zeitzone: ist keine bekannte Zeitzone`) || !strings.Contains(rec.Body.String(), `"field":"time_zone"`) {
		t.Fatalf("German for a German account: %d %s", rec.Code, rec.Body)
	}
	// The settings form shows the same error, in German, with its label.
	rec = a.do(req{method: "POST", path: "/settings", cookie: c, ctype: "application/x-www-form-urlencoded",
		body: "name=Emil&time_zone=Mars%2FBase&locale=de"})
	pageInStatus(t, rec, 400, "de", "ltr", "Bitte korrigieren Sie Folgendes:", "ist keine bekannte Zeitzone")
	// Signed out, the browser's language words it.
	rec = a.do(req{method: "POST", path: "/api/v1/auth/login", body: `{"email":"not-an-address"}`,
		headers: map[string]string{"Accept-Language": "fr"}})
	if rec.Code != 400 || strings.Contains(rec.Body.String(), "is not") || !strings.Contains(rec.Body.String(), "n'est pas") {
		t.Fatalf("French for a French browser: %d %s", rec.Code, rec.Body)
	}
}

// pageInStatus is pageIn for a page answered with another status (a form
// with errors).
func pageInStatus(t *testing.T, rec *httptest.ResponseRecorder, status int, lang, dir string, want ...string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %.400s", rec.Code, status, rec.Body)
	}
	rec.Code = 200
	pageIn(t, rec, lang, dir, want...)
}
