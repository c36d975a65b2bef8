package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/idempotency"
)

// Through the real routes: a retried API write with the same
// Idempotency-Key is applied once and answered with the first response,
// except where the response held a secret (a new API token), which is never
// stored and so never replayed.
func TestIdempotencyKeyOnAPIRoutes(t *testing.T) {
	a := newApp(t, nil)
	addr := randomEmail("idem")
	cookie := a.signIn(t, addr, "Idem", 1)
	same := map[string]string{"Sec-Fetch-Site": "same-origin", idempotency.Header: "profile-update-0001"}
	first := a.do(req{method: "PATCH", path: "/api/v1/me", body: `{"name":"Idem Two"}`, cookie: cookie, headers: same})
	again := a.do(req{method: "PATCH", path: "/api/v1/me", body: `{"name":"Idem Two"}`, cookie: cookie, headers: same})
	if first.Code != 200 || again.Code != 200 || again.Header().Get("Idempotent-Replayed") != "true" || first.Body.String() != again.Body.String() {
		t.Fatalf("replay: %d %d %q", first.Code, again.Code, again.Header().Get("Idempotent-Replayed"))
	}
	other := a.do(req{method: "PATCH", path: "/api/v1/me", body: `{"name":"Someone Else"}`, cookie: cookie, headers: same})
	if other.Code != 400 || !strings.Contains(other.Body.String(), "different request") {
		t.Fatalf("key reuse: %d %s", other.Code, other.Body)
	}

	tok := map[string]string{"Sec-Fetch-Site": "same-origin", idempotency.Header: "token-create-0001"}
	created := a.do(req{method: "POST", path: "/api/v1/me/tokens", body: `{"name":"ci"}`, cookie: cookie, headers: tok})
	if created.Code != 201 || created.Header().Get(idempotency.SensitiveHeader) != "" {
		t.Fatalf("create token: %d %v", created.Code, created.Header())
	}
	var body struct {
		Secret string `json:"secret"`
	}
	_ = json.Unmarshal(created.Body.Bytes(), &body)
	retry := a.do(req{method: "POST", path: "/api/v1/me/tokens", body: `{"name":"ci"}`, cookie: cookie, headers: tok})
	if retry.Code != 409 || body.Secret == "" || strings.Contains(retry.Body.String(), body.Secret) {
		t.Fatalf("token replay must be refused without the secret: %d %s", retry.Code, retry.Body)
	}
	list := a.do(req{method: "GET", path: "/api/v1/me/tokens", cookie: cookie})
	if n := strings.Count(list.Body.String(), `"name":"ci"`); n != 1 {
		t.Fatalf("the retried create made %d tokens: %s", n, list.Body)
	}
}
