package server_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/mail"
)

// The sign-in email to a new address is in the language the browser asks
// for (Accept-Language, regional variants matching their language), and
// the account the sign-up creates keeps it.
func TestSignInEmailIsInTheBrowsersLanguage(t *testing.T) {
	a := newApp(t, nil)
	addr := randomEmail("amelie")
	rec := a.do(req{method: "POST", path: "/api/v1/auth/login", body: `{"email":"` + addr + `"}`,
		headers: map[string]string{"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.8"}})
	if rec.Code != 202 {
		t.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := a.emu.WaitFor(ctx, addr, func(mail.StoredMessage) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Confirmez votre adresse e-mail pour rejoindre Quorum" || !strings.Contains(m.Body.HTML, `<html lang="fr" dir="ltr">`) {
		t.Fatalf("not French: %q\n%s", m.Subject, m.Body.HTML)
	}
	c := regexp.MustCompile(`Votre code : (\d{6})`).FindStringSubmatch(m.Body.Text)
	if c == nil {
		t.Fatalf("no French code line: %q", m.Body.Text)
	}
	a.secrets = append(a.secrets, c[1])
	body, _ := json.Marshal(map[string]string{"email": addr, "code": c[1], "name": "Amélie"})
	rec = a.do(req{method: "POST", path: "/api/v1/auth/verify", body: string(body)})
	if rec.Code != 200 {
		t.Fatalf("verify: %d %s", rec.Code, rec.Body)
	}
	var v struct {
		User struct {
			Locale string `json:"locale"`
		} `json:"user"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || v.User.Locale != "fr" {
		t.Fatalf("new account's language: %v %s", err, rec.Body)
	}
}
