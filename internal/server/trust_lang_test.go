package server_test

import (
	"strings"
	"testing"

	"github.com/quorum-app/quorum/infra/facts"
	"github.com/quorum-app/quorum/internal/i18n"
)

// The security page and the terms are written in the reader's language:
// each sentence whole, with the deployment's facts as its values.
func TestTrustPagesInGermanAndArabic(t *testing.T) {
	s := securityServer(t, factsOf(t, func(*facts.Config) {}), false)
	for _, tc := range []struct {
		lang, dir, path string
		want            []string
	}{
		{"de", "ltr", "/security", []string{"Sicherheit und Datenschutz", "Wo Ihre Daten liegen", "35 Tage", "Was wir nie tun"}},
		{"ar", "rtl", "/security", []string{"الأمان وحماية البيانات", "أين تُحفظ بياناتك", "ما لا نفعله أبدًا"}},
		{"de", "ltr", "/terms", []string{"Mit der Anmeldung akzeptieren Sie diese Version", `<a href="/security">abgesichert</a>`}},
		{"ar", "rtl", "/privacy", []string{"تسجيل الدخول يعني قبول هذا الإصدار"}},
	} {
		body := do(s, "GET", tc.path, map[string]string{"Accept-Language": tc.lang}).Body.String()
		if want := `<html lang="` + tc.lang + `" dir="` + tc.dir + `">`; !strings.Contains(body, want) {
			t.Errorf("%s %s lacks %s", tc.lang, tc.path, want)
		}
		if strings.Contains(body, i18n.Missing) {
			t.Errorf("%s %s has a key no catalog words", tc.lang, tc.path)
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s %s lacks %q", tc.lang, tc.path, w)
			}
		}
	}
}
