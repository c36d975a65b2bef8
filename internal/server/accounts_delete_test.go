package server_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/mail"
)

// deletionCode waits for the n-th deletion-code mail to addr.
func (a *app) deletionCode(t *testing.T, addr string, n int) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var code string
	_, err := a.emu.WaitFor(ctx, addr, func(m mail.StoredMessage) bool {
		msgs, _ := a.emu.Messages(ctx)
		count := 0
		for _, x := range msgs {
			if x.Subject == "Confirm deleting your Quorum account" && len(x.Destination.To) > 0 && strings.Contains(x.Destination.To[0], addr) {
				count++
			}
		}
		if count >= n && m.Subject == "Confirm deleting your Quorum account" {
			code = codeRe.FindStringSubmatch(m.Body.Text)[1]
			return true
		}
		return false
	})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func TestDeleteAccountOverAPI(t *testing.T) {
	a := newApp(t, nil)
	addr := randomEmail("api-leave")
	cookie := a.signIn(t, addr, "Api Leaver", 1)
	rec := a.do(req{method: "POST", path: "/api/v1/me/deletion-code", cookie: cookie})
	if rec.Code != 202 || !strings.Contains(rec.Body.String(), `"expires_at"`) {
		t.Fatalf("code: %d %s", rec.Code, rec.Body)
	}
	code := a.deletionCode(t, addr, 1)
	if rec := a.do(req{method: "DELETE", path: "/api/v1/me", cookie: cookie, body: `{"code":"99999x"}`}); rec.Code != 422 && rec.Code != 400 {
		t.Fatalf("bad code: %d %s", rec.Code, rec.Body)
	}
	rec = a.do(req{method: "DELETE", path: "/api/v1/me", cookie: cookie, body: `{"code":"` + code + `"}`})
	if rec.Code != 204 {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	if rec := a.do(req{method: "GET", path: "/api/v1/me", cookie: cookie}); rec.Code != 401 {
		t.Fatalf("session after deletion: %d", rec.Code)
	}
	// Signing up again gives a new, empty account.
	again := a.signIn(t, addr, "Fresh", 3)
	if rec := a.do(req{method: "GET", path: "/api/v1/me", cookie: again}); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"name":"Fresh"`) {
		t.Fatalf("new account: %d %s", rec.Code, rec.Body)
	}
}

func TestDeleteAccountPages(t *testing.T) {
	a := newApp(t, nil)
	form := "application/x-www-form-urlencoded"
	addr := randomEmail("page-leave")
	cookie := a.signIn(t, addr, "Page Leaver", 1)
	if rec := a.do(req{method: "GET", path: "/settings", cookie: cookie}); rec.Code != 200 || !strings.Contains(rec.Body.String(), `action="/settings/delete"`) {
		t.Fatalf("settings has no delete section: %d", rec.Code)
	}
	// Cross-site posts are refused (CSRF) and nothing is sent.
	xs := map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
	if rec := a.do(req{method: "POST", path: "/settings/delete", cookie: cookie, body: "x=1", ctype: form, headers: xs}); rec.Code != 403 {
		t.Fatalf("cross-site code request: %d", rec.Code)
	}
	rec := a.do(req{method: "POST", path: "/settings/delete", cookie: cookie, body: "x=1", ctype: form})
	if rec.Code != 303 || rec.Header().Get("Location") != "/settings/delete?sent=1" {
		t.Fatalf("code request: %d %v", rec.Code, rec.Header())
	}
	code := a.deletionCode(t, addr, 1)
	page := a.do(req{method: "GET", path: "/settings/delete?sent=1", cookie: cookie})
	if page.Code != 200 || !strings.Contains(page.Body.String(), "votes keep counting") || !strings.Contains(page.Body.String(), addr) {
		t.Fatalf("confirm page: %d %s", page.Code, page.Body)
	}
	// A wrong code shows the error next to the field and keeps the tick.
	rec = a.do(req{method: "POST", path: "/settings/delete/confirm", cookie: cookie, ctype: form,
		body: url.Values{"code": {"000000"}}.Encode()})
	if code != "000000" && (rec.Code != 400 || !strings.Contains(rec.Body.String(), "attempts left")) {
		t.Fatalf("wrong code: %d %s", rec.Code, rec.Body)
	}
	if rec := a.do(req{method: "POST", path: "/settings/delete/confirm", cookie: cookie, ctype: form, headers: xs,
		body: url.Values{"code": {code}}.Encode()}); rec.Code != 403 {
		t.Fatalf("cross-site confirm: %d", rec.Code)
	}
	rec = a.do(req{method: "POST", path: "/settings/delete/confirm", cookie: cookie, ctype: form, body: url.Values{"code": {code}}.Encode()})
	if rec.Code != 303 || rec.Header().Get("Location") != "/login?done=deleted" {
		t.Fatalf("confirm: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	if rec := a.do(req{method: "GET", path: "/settings", cookie: cookie}); rec.Code != 303 || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
		t.Fatalf("settings after deletion: %d %v", rec.Code, rec.Header())
	}
	if rec := a.do(req{method: "GET", path: "/login?done=deleted"}); !strings.Contains(rec.Body.String(), "Your account was deleted") {
		t.Fatalf("login notice missing")
	}
}
