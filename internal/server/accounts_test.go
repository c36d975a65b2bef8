package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/ratelimit"
	"github.com/quorum-app/quorum/internal/server"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
	"github.com/quorum-app/quorum/internal/web"
)

type app struct {
	h       http.Handler
	srv     *server.Server
	emu     mail.Emulator
	logs    *syncBuffer
	secrets []string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func newApp(t *testing.T, limits *account.Limits) *app {
	t.Helper()
	env := testcloud.Fast(t)
	logs := &syncBuffer{}
	log := logging.New(logs, "debug")
	st := store.New(env.Clients.DynamoDB, env.Config.Table, env.Config.SigningKey)
	if limits == nil {
		l := account.DefaultLimits()
		l.LoginPerIP.Max, l.VerifyPerIP.Max = 1000, 1000
		limits = &l
	}
	clk := testkit.NewClock(time.Date(2030, 1, 2, 3, 4, 0, 0, time.UTC))
	accounts, err := account.New(account.Options{Store: st, Mail: mail.NewSES(env.Clients.SES, "", env.Config.MailDomain),
		From: env.Config.MailFrom, BaseURL: env.Config.BaseURL, SigningKey: env.Config.SigningKey, Log: log,
		Argon2: account.FastArgon2(), Limits: limits, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	r, err := web.New(log)
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(server.Deps{Log: log, Web: r, Accounts: accounts, Idempotency: st})
	if err != nil {
		t.Fatal(err)
	}
	return &app{h: s, srv: s, emu: mail.Emulator{URL: env.Config.SESEndpoint}, logs: logs}
}

func randomEmail(prefix string) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b) + "@example.org"
}

type req struct {
	method, path string
	body         string
	ctype        string
	cookie       string
	bearer       string
	headers      map[string]string
}

func (a *app) do(r req) *httptest.ResponseRecorder {
	hr := httptest.NewRequest(r.method, r.path, strings.NewReader(r.body))
	if r.body != "" {
		ct := r.ctype
		if ct == "" {
			ct = "application/json"
		}
		hr.Header.Set("Content-Type", ct)
	}
	if r.cookie != "" {
		hr.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: r.cookie})
	}
	if r.bearer != "" {
		hr.Header.Set("Authorization", "Bearer "+r.bearer)
	}
	for k, v := range r.headers {
		hr.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, hr)
	return rec
}

var (
	codeRe = regexp.MustCompile(`Your code: (\d{6})`)
	linkRe = regexp.MustCompile(`/login/verify\?token=(\S+)`)
)

func (a *app) mail(t *testing.T, to string, n int) (code, token string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := a.emu.WaitFor(ctx, to, func(m mail.StoredMessage) bool {
		msgs, _ := a.emu.Messages(ctx)
		count := 0
		for _, x := range msgs {
			for _, d := range x.Destination.To {
				if strings.Contains(d, to) {
					count++
				}
			}
		}
		return count >= n && codeRe.MatchString(m.Body.Text)
	})
	if err != nil {
		t.Fatal(err)
	}
	code = codeRe.FindStringSubmatch(m.Body.Text)[1]
	token = linkRe.FindStringSubmatch(m.Body.Text)[1]
	a.secrets = append(a.secrets, code, token)
	return code, token
}

func sessionCookie(t *testing.T, rec *httptest.ResponseRecorder) *http.Cookie {
	t.Helper()
	for _, c := range rec.Result().Cookies() {
		if c.Name == server.SessionCookie && c.Value != "" {
			return c
		}
	}
	t.Fatalf("no session cookie: %d %s", rec.Code, rec.Body)
	return nil
}

// signIn signs addr in through the JSON API and returns the cookie value.
func (a *app) signIn(t *testing.T, addr, name string, n int) string {
	t.Helper()
	if rec := a.do(req{method: "POST", path: "/api/v1/auth/login", body: `{"email":"` + addr + `"}`}); rec.Code != 202 {
		t.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	code, _ := a.mail(t, addr, n)
	body, _ := json.Marshal(map[string]string{"email": addr, "code": code, "name": name})
	rec := a.do(req{method: "POST", path: "/api/v1/auth/verify", body: string(body)})
	if rec.Code != 200 {
		t.Fatalf("verify: %d %s", rec.Code, rec.Body)
	}
	c := sessionCookie(t, rec)
	a.secrets = append(a.secrets, c.Value)
	return c.Value
}

func TestAPISignInFlowAndCookie(t *testing.T) {
	a := newApp(t, nil)
	addr := randomEmail("api")
	if rec := a.do(req{method: "POST", path: "/api/v1/auth/login", body: `{"email":"` + addr + `"}`}); rec.Code != 202 {
		t.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	code, _ := a.mail(t, addr, 1)
	rec := a.do(req{method: "POST", path: "/api/v1/auth/verify", body: `{"email":"` + addr + `","code":"` + code + `","name":"Api User"}`})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"new_account":true`) || strings.Contains(rec.Body.String(), code) {
		t.Fatalf("verify: %d %s", rec.Code, rec.Body)
	}
	c := sessionCookie(t, rec)
	if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" || len(c.Value) != 43 {
		t.Fatalf("cookie attributes: %+v", c)
	}
	a.secrets = append(a.secrets, c.Value)
	me := a.do(req{method: "GET", path: "/api/v1/me", cookie: c.Value})
	if me.Code != 200 || !strings.Contains(me.Body.String(), `"name":"Api User"`) {
		t.Fatalf("me: %d %s", me.Code, me.Body)
	}
	// Reusing the code fails with 410.
	if rec := a.do(req{method: "POST", path: "/api/v1/auth/verify", body: `{"email":"` + addr + `","code":"` + code + `"}`}); rec.Code != 410 {
		t.Fatalf("reused code: %d %s", rec.Code, rec.Body)
	}
	// Profile update through the API.
	rec = a.do(req{method: "PATCH", path: "/api/v1/me", cookie: c.Value, body: `{"time_zone":"Mars/Base","locale":"zz"}`})
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), `"field":"time_zone"`) || !strings.Contains(rec.Body.String(), `"field":"locale"`) {
		t.Fatalf("bad profile: %d %s", rec.Code, rec.Body)
	}
	rec = a.do(req{method: "PATCH", path: "/api/v1/me", cookie: c.Value, body: `{"time_zone":"Asia/Tokyo"}`})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"time_zone":"Asia/Tokyo"`) {
		t.Fatalf("profile: %d %s", rec.Code, rec.Body)
	}
	// Sign out: the cookie stops working.
	if rec := a.do(req{method: "POST", path: "/api/v1/auth/logout", cookie: c.Value}); rec.Code != 204 {
		t.Fatalf("logout: %d %s", rec.Code, rec.Body)
	}
	if rec := a.do(req{method: "GET", path: "/api/v1/me", cookie: c.Value}); rec.Code != 401 {
		t.Fatalf("me after logout: %d", rec.Code)
	}
}

// The login endpoint answers identically for registered and unknown
// addresses.
func TestLoginDoesNotEnumerate(t *testing.T) {
	a := newApp(t, nil)
	known := randomEmail("known")
	a.signIn(t, known, "Known", 1)
	r1 := a.do(req{method: "POST", path: "/api/v1/auth/login", body: `{"email":"` + known + `"}`})
	r2 := a.do(req{method: "POST", path: "/api/v1/auth/login", body: `{"email":"` + randomEmail("unknown") + `"}`})
	if r1.Code != r2.Code || r1.Body.String() != r2.Body.String() {
		t.Fatalf("known %d %s / unknown %d %s", r1.Code, r1.Body, r2.Code, r2.Body)
	}
	p1 := a.do(req{method: "POST", path: "/api/v1/auth/password", body: `{"email":"` + known + `","password":"whatever-123456"}`})
	p2 := a.do(req{method: "POST", path: "/api/v1/auth/password", body: `{"email":"` + randomEmail("unknown") + `","password":"whatever-123456"}`})
	strip := func(s string) string { return regexp.MustCompile(`"request_id":"[^"]*"`).ReplaceAllString(s, "") }
	if p1.Code != 401 || p1.Code != p2.Code || strip(p1.Body.String()) != strip(p2.Body.String()) {
		t.Fatalf("password: %d %s / %d %s", p1.Code, p1.Body, p2.Code, p2.Body)
	}
}

func TestLoginRateLimitIs429WithRetryAfter(t *testing.T) {
	l := account.DefaultLimits()
	l.LoginPerEmail = ratelimit.Rule{Scope: "login-email", Max: 1, Window: 15 * time.Minute}
	a := newApp(t, &l)
	addr := randomEmail("limited")
	body := `{"email":"` + addr + `"}`
	if rec := a.do(req{method: "POST", path: "/api/v1/auth/login", body: body}); rec.Code != 202 {
		t.Fatalf("first: %d", rec.Code)
	}
	rec := a.do(req{method: "POST", path: "/api/v1/auth/login", body: body})
	if rec.Code != 429 || rec.Header().Get("Retry-After") == "" || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("second: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	// The page says so too, with the same status.
	form := url.Values{"email": {addr}}.Encode()
	rec = a.do(req{method: "POST", path: "/login", body: form, ctype: "application/x-www-form-urlencoded"})
	if rec.Code != 429 || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), `role="alert"`) {
		t.Fatalf("page: %d %s", rec.Code, rec.Body)
	}
}

func TestBadInputIs4xx(t *testing.T) {
	a := newApp(t, nil)
	cookie := a.signIn(t, randomEmail("bad"), "Bad Input", 1)
	huge := strings.Repeat("a", httpx.MaxJSONBody+10)
	cases := []struct {
		name string
		r    req
		want int
	}{
		{"malformed email", req{method: "POST", path: "/api/v1/auth/login", body: `{"email":"nope"}`}, 400},
		{"email with header injection", req{method: "POST", path: "/api/v1/auth/login", body: `{"email":"a@b.co\r\nBcc: c@d.co"}`}, 400},
		{"unknown field", req{method: "POST", path: "/api/v1/auth/login", body: `{"email":"a@b.co","admin":true}`}, 400},
		{"invalid utf-8", req{method: "POST", path: "/api/v1/auth/login", body: "{\"email\":\"\xff@b.co\"}"}, 400},
		{"oversize", req{method: "POST", path: "/api/v1/auth/login", body: `{"email":"` + huge + `"}`}, 413},
		{"not json", req{method: "POST", path: "/api/v1/auth/login", body: `email=a@b.co`, ctype: "application/x-www-form-urlencoded"}, 415},
		{"wrong type", req{method: "POST", path: "/api/v1/auth/login", body: `{"email":5}`}, 400},
		{"missing code", req{method: "POST", path: "/api/v1/auth/verify", body: `{"email":"a@b.co"}`}, 400},
		{"short code", req{method: "POST", path: "/api/v1/auth/verify", body: `{"email":"a@b.co","code":"12"}`}, 400},
		{"never requested", req{method: "POST", path: "/api/v1/auth/verify", body: `{"email":"` + randomEmail("x") + `","code":"123456"}`}, 410},
		{"tampered link", req{method: "POST", path: "/api/v1/auth/verify", body: `{"token":"AAAA.BBBB"}`}, 410},
		{"token and code", req{method: "POST", path: "/api/v1/auth/verify", body: `{"token":"x","email":"a@b.co","code":"123456"}`}, 400},
		{"expired cookie", req{method: "GET", path: "/api/v1/me", cookie: strings.Repeat("A", 43)}, 401},
		{"garbage cookie", req{method: "GET", path: "/api/v1/me", cookie: "%%%"}, 401},
		{"bad bearer", req{method: "GET", path: "/api/v1/me", bearer: "qrm_nope"}, 401},
		{"basic auth", req{method: "GET", path: "/api/v1/me", headers: map[string]string{"Authorization": "Basic YTpi"}}, 401},
		{"long name", req{method: "PATCH", path: "/api/v1/me", cookie: cookie, body: `{"name":"` + strings.Repeat("x", 200) + `"}`}, 400},
		{"bad email change", req{method: "POST", path: "/api/v1/me/email", cookie: cookie, body: `{"email":"x"}`}, 400},
		{"bad email confirm", req{method: "POST", path: "/api/v1/me/email/confirm", body: `{"token":"nope"}`}, 410},
		{"weak password", req{method: "PUT", path: "/api/v1/me/password", cookie: cookie, body: `{"password":"password123"}`}, 400},
		{"token name empty", req{method: "POST", path: "/api/v1/me/tokens", cookie: cookie, body: `{"name":""}`}, 400},
		{"unknown token id", req{method: "DELETE", path: "/api/v1/me/tokens/nope", cookie: cookie}, 404},
		{"unknown session id", req{method: "DELETE", path: "/api/v1/me/sessions/nope", cookie: cookie}, 404},
		{"form invalid utf-8", req{method: "POST", path: "/login", body: "email=%FF%FE", ctype: "application/x-www-form-urlencoded"}, 400},
		{"form oversize", req{method: "POST", path: "/login", body: "email=" + strings.Repeat("a", 70000), ctype: "application/x-www-form-urlencoded"}, 413},
		{"form bad encoding", req{method: "POST", path: "/login", body: "email=%zz", ctype: "application/x-www-form-urlencoded"}, 400},
		{"form malformed email", req{method: "POST", path: "/login", body: "email=nope", ctype: "application/x-www-form-urlencoded"}, 400},
		{"form wrong code", req{method: "POST", path: "/login/code", body: "email=a%40b.co&code=12", ctype: "application/x-www-form-urlencoded"}, 400},
		{"link page without token", req{method: "GET", path: "/login/verify"}, 400},
		{"tampered link page post", req{method: "POST", path: "/login/verify", body: "token=abc.def", ctype: "application/x-www-form-urlencoded"}, 410},
		{"email confirm post tampered", req{method: "POST", path: "/settings/email/confirm", body: "token=abc", ctype: "application/x-www-form-urlencoded"}, 410},
	}
	for _, c := range cases {
		rec := a.do(c.r)
		if rec.Code != c.want {
			t.Errorf("%s: %d, want %d: %.300s", c.name, rec.Code, c.want, rec.Body)
		}
	}
}

// Transport rules: bearer tokens never reach session-only routes; tokens
// work on token routes; a token cannot manage credentials.
func TestTokensOverHTTP(t *testing.T) {
	a := newApp(t, nil)
	cookie := a.signIn(t, randomEmail("bot-owner"), "Owner", 1)
	rec := a.do(req{method: "POST", path: "/api/v1/me/tokens", cookie: cookie, body: `{"name":"ci"}`})
	if rec.Code != 201 {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	var nt struct {
		Token  struct{ ID string }
		Secret string
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &nt)
	a.secrets = append(a.secrets, nt.Secret)
	if !strings.HasPrefix(nt.Secret, "qrm_") {
		t.Fatalf("secret %q", nt.Secret)
	}
	if rec := a.do(req{method: "GET", path: "/api/v1/me", bearer: nt.Secret}); rec.Code != 200 {
		t.Fatalf("me with token: %d %s", rec.Code, rec.Body)
	}
	for _, p := range []struct{ method, path, body string }{
		{"GET", "/api/v1/me/tokens", ""}, {"POST", "/api/v1/me/tokens", `{"name":"x"}`}, {"DELETE", "/api/v1/me/sessions", ""},
		{"GET", "/settings", ""}, {"POST", "/logout", ""},
	} {
		rec := a.do(req{method: p.method, path: p.path, body: p.body, bearer: nt.Secret})
		if rec.Code != 403 {
			t.Errorf("%s %s with a token: %d %s", p.method, p.path, rec.Code, rec.Body)
		}
	}
	list := a.do(req{method: "GET", path: "/api/v1/me/tokens", cookie: cookie})
	if list.Code != 200 || !strings.Contains(list.Body.String(), `"last_used_at":"2030-`) || strings.Contains(list.Body.String(), nt.Secret) {
		t.Fatalf("list: %d %s", list.Code, list.Body)
	}
	if rec := a.do(req{method: "DELETE", path: "/api/v1/me/tokens/" + nt.Token.ID, cookie: cookie}); rec.Code != 204 {
		t.Fatalf("revoke: %d", rec.Code)
	}
	rec = a.do(req{method: "GET", path: "/api/v1/me", bearer: nt.Secret})
	if rec.Code != 401 || rec.Header().Get("WWW-Authenticate") == "" {
		t.Fatalf("revoked token: %d %v", rec.Code, rec.Header())
	}
}

func TestSignOutEverywhereOverHTTP(t *testing.T) {
	a := newApp(t, nil)
	addr := randomEmail("multi")
	c1 := a.signIn(t, addr, "Multi", 1)
	c2 := a.signIn(t, addr, "", 2)
	rec := a.do(req{method: "GET", path: "/api/v1/me/sessions", cookie: c1})
	if rec.Code != 200 || strings.Count(rec.Body.String(), `"id"`) != 2 || strings.Count(rec.Body.String(), `"current":true`) != 1 {
		t.Fatalf("sessions: %d %s", rec.Code, rec.Body)
	}
	if rec := a.do(req{method: "DELETE", path: "/api/v1/me/sessions", cookie: c1}); rec.Code != 204 {
		t.Fatalf("everywhere: %d %s", rec.Code, rec.Body)
	}
	for _, c := range []string{c1, c2} {
		if rec := a.do(req{method: "GET", path: "/api/v1/me", cookie: c}); rec.Code != 401 {
			t.Fatalf("session survived: %d", rec.Code)
		}
	}
}

// The whole browser flow with forms: login page, code page, welcome,
// settings; the magic link page does not sign in on GET.
func TestPagesSignInFlow(t *testing.T) {
	a := newApp(t, nil)
	form := "application/x-www-form-urlencoded"
	if rec := a.do(req{method: "GET", path: "/login"}); rec.Code != 200 || !strings.Contains(rec.Body.String(), `<label for="email">`) {
		t.Fatalf("login page: %d", rec.Code)
	}
	rec := a.do(req{method: "GET", path: "/settings"})
	if rec.Code != 303 || rec.Header().Get("Location") != "/login?next=%2Fsettings" {
		t.Fatalf("anonymous settings: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	addr := randomEmail("page")
	rec = a.do(req{method: "POST", path: "/login", ctype: form, body: url.Values{"email": {addr}, "next": {"/settings"}}.Encode()})
	// Post/Redirect/Get: the code page is a GET (a refresh sends no second
	// email); the address rides an HttpOnly cookie, never the URL.
	var pending *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == httpx.LoginCookie {
			pending = c
		}
	}
	if rec.Code != 303 || rec.Header().Get("Location") != "/login/code" || pending == nil || !pending.HttpOnly || !pending.Secure {
		t.Fatalf("sign-in form: %d %q %+v", rec.Code, rec.Header().Get("Location"), pending)
	}
	rec = a.do(req{method: "GET", path: "/login/code", headers: map[string]string{"Cookie": pending.Name + "=" + pending.Value}})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `name="code"`) || !strings.Contains(rec.Body.String(), `name="email" value="`+addr+`"`) ||
		!strings.Contains(rec.Body.String(), `name="next" value="/settings"`) {
		t.Fatalf("code page: %d %s", rec.Code, rec.Body)
	}
	if rec := a.do(req{method: "GET", path: "/login/code"}); rec.Code != 303 || rec.Header().Get("Location") != "/login" {
		t.Fatalf("code page without a sign-in in progress: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	code, token := a.mail(t, addr, 1)
	wrong := "000000"
	if code == wrong {
		wrong = "000001"
	}
	rec = a.do(req{method: "POST", path: "/login/code", ctype: form, body: url.Values{"email": {addr}, "code": {wrong}, "next": {"/settings"}}.Encode()})
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "4 attempts left") || !strings.Contains(rec.Body.String(), `aria-invalid="true"`) {
		t.Fatalf("wrong code: %d %s", rec.Code, rec.Body)
	}
	// GET on the magic link only shows a button.
	rec = a.do(req{method: "GET", path: "/login/verify?token=" + url.QueryEscape(token)})
	if rec.Code != 200 || len(rec.Result().Cookies()) != 0 || !strings.Contains(rec.Body.String(), `method="post" action="/login/verify"`) {
		t.Fatalf("link page: %d %s", rec.Code, rec.Body)
	}
	rec = a.do(req{method: "POST", path: "/login/code", ctype: form, body: url.Values{"email": {addr}, "code": {code}, "next": {"/settings"}}.Encode()})
	if rec.Code != 303 || rec.Header().Get("Location") != "/welcome?next=%2Fsettings" {
		t.Fatalf("code sign-in: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	cookie := sessionCookie(t, rec).Value
	a.secrets = append(a.secrets, cookie)
	rec = a.do(req{method: "POST", path: "/welcome", cookie: cookie, ctype: form, body: "name=Paige+Turner&next=%2Fsettings"})
	if rec.Code != 303 || rec.Header().Get("Location") != "/settings" {
		t.Fatalf("welcome: %d %s", rec.Code, rec.Body)
	}
	rec = a.do(req{method: "GET", path: "/settings", cookie: cookie})
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, "Paige Turner") || !strings.Contains(body, `action="/logout"`) || !strings.Contains(body, `href="/groups"`) {
		t.Fatalf("settings: %d %s", rec.Code, body)
	}
	// Languages are offered by their own names; Arabic reads right to left.
	for _, want := range []string{`<option value="en" lang="en" dir="ltr" selected>English</option>`,
		`<option value="de" lang="de" dir="ltr">Deutsch</option>`, `<option value="ar" lang="ar" dir="rtl">العربية</option>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the language menu lacks %s", want)
		}
	}
	rec = a.do(req{method: "POST", path: "/settings", cookie: cookie, ctype: form, body: "name=&time_zone=Nowhere&locale=en"})
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), `role="alert"`) || !strings.Contains(rec.Body.String(), `id="time_zone-error"`) {
		t.Fatalf("settings errors: %d %s", rec.Code, rec.Body)
	}
	// Tokens page: create shows the secret once, after a redirect (Post/
	// Redirect/Get: the secret rides a short-lived cookie, never the URL).
	rec = a.do(req{method: "POST", path: "/settings/tokens", cookie: cookie, ctype: form, body: "name=my+script"})
	var once *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == httpx.OnceCookie {
			once = c
		}
	}
	if rec.Code != 303 || !strings.HasPrefix(rec.Header().Get("Location"), "/settings/tokens") || strings.Contains(rec.Header().Get("Location"), "qrm_") ||
		once == nil || !once.HttpOnly || !once.Secure || once.MaxAge <= 0 {
		t.Fatalf("token create: %d %q %+v", rec.Code, rec.Header().Get("Location"), once)
	}
	rec = a.do(req{method: "GET", path: "/settings/tokens", headers: map[string]string{"Cookie": server.SessionCookie + "=" + cookie + "; " + once.Name + "=" + once.Value}})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `id="new-token"`) || !strings.Contains(rec.Body.String(), "my script") {
		t.Fatalf("token page: %d %s", rec.Code, rec.Body)
	}
	a.secrets = append(a.secrets, regexp.MustCompile(`qrm_[A-Za-z0-9_-]{43}`).FindString(rec.Body.String()))
	if a.secrets[len(a.secrets)-1] == "" || !strings.Contains(once.Value, a.secrets[len(a.secrets)-1]) {
		t.Fatalf("the page does not show the token created")
	}
	if rec := a.do(req{method: "GET", path: "/settings/tokens", cookie: cookie}); strings.Contains(rec.Body.String(), "qrm_") && strings.Contains(rec.Body.String(), `id="new-token"`) {
		t.Fatal("token shown again")
	}
	if rec := a.do(req{method: "GET", path: "/settings/sessions", cookie: cookie}); rec.Code != 200 || !strings.Contains(rec.Body.String(), "(this browser)") {
		t.Fatalf("sessions page: %d", rec.Code)
	}
	// The link is consumed now that the code was used.
	rec = a.do(req{method: "POST", path: "/login/verify", ctype: form, body: url.Values{"token": {token}}.Encode()})
	if rec.Code != 410 {
		t.Fatalf("used link: %d", rec.Code)
	}
	// Open redirects are refused.
	addr2 := randomEmail("redirect")
	a.do(req{method: "POST", path: "/login", ctype: form, body: url.Values{"email": {addr2}}.Encode()})
	code2, _ := a.mail(t, addr2, 1)
	rec = a.do(req{method: "POST", path: "/login/code", ctype: form, body: url.Values{"email": {addr2}, "code": {code2}, "next": {"//evil.example/x"}}.Encode()})
	if loc := rec.Header().Get("Location"); rec.Code != 303 || strings.Contains(loc, "evil") {
		t.Fatalf("open redirect: %d %s", rec.Code, loc)
	}
	a.secrets = append(a.secrets, sessionCookie(t, rec).Value)
	// Sign out.
	rec = a.do(req{method: "POST", path: "/logout", cookie: cookie})
	if rec.Code != 303 {
		t.Fatalf("logout: %d", rec.Code)
	}
	if rec := a.do(req{method: "GET", path: "/settings", cookie: cookie}); rec.Code != 303 {
		t.Fatalf("settings after logout: %d", rec.Code)
	}

	// Logs hold no secrets and no addresses.
	logs := a.logs.String()
	for _, s := range a.secrets {
		if s != "" && strings.Contains(logs, s) {
			t.Errorf("a secret (%d chars) is in the logs", len(s))
		}
	}
	if strings.Contains(logs, addr) || strings.Contains(logs, "Paige") {
		t.Error("personal data in the logs")
	}
	if !strings.Contains(logs, `"route":"POST /login/code"`) {
		t.Errorf("request logs missing: %.500s", logs)
	}
}

// A cross-site form post to sign out (CSRF) is rejected.
func TestCrossSiteSignOutRejected(t *testing.T) {
	a := newApp(t, nil)
	cookie := a.signIn(t, randomEmail("csrf"), "Csrf", 1)
	rec := a.do(req{method: "POST", path: "/logout", cookie: cookie, headers: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}})
	if rec.Code != 403 {
		t.Fatalf("cross-site logout: %d", rec.Code)
	}
	if rec := a.do(req{method: "GET", path: "/api/v1/me", cookie: cookie}); rec.Code != 200 {
		t.Fatalf("session ended by a cross-site post: %d", rec.Code)
	}
}

// Every account route, for each kind of caller: the expected outcome class.
// A route added to routes_accounts.go without a row here fails the test.
func TestAccountRoutesMatrix(t *testing.T) {
	a := newApp(t, nil)
	cookie := a.signIn(t, randomEmail("matrix"), "Matrix", 1)
	rec := a.do(req{method: "POST", path: "/api/v1/me/tokens", cookie: cookie, body: `{"name":"matrix"}`})
	var nt struct{ Secret string }
	_ = json.Unmarshal(rec.Body.Bytes(), &nt)

	// outcome per caller: anonymous, session, bot. "ok" = 2xx/3xx to a
	// non-login page or a 4xx about the input (access granted); "signin" =
	// 401 (API) or redirect to /login (page); "denied" = 403.
	type row struct{ anon, session, bot string }
	matrix := map[string]row{
		"POST /api/v1/auth/login":             {"ok", "ok", "ok"},
		"POST /api/v1/auth/verify":            {"ok", "ok", "ok"},
		"POST /api/v1/auth/password":          {"signin", "signin", "signin"}, // open to all; a wrong password is 401
		"POST /api/v1/auth/logout":            {"signin", "ok", "denied"},
		"GET /api/v1/me":                      {"signin", "ok", "ok"},
		"PATCH /api/v1/me":                    {"signin", "ok", "ok"},
		"PUT /api/v1/me/password":             {"signin", "ok", "denied"},
		"DELETE /api/v1/me/password":          {"signin", "ok", "denied"},
		"POST /api/v1/me/email":               {"signin", "ok", "denied"},
		"POST /api/v1/me/email/confirm":       {"ok", "ok", "ok"},
		"GET /api/v1/me/sessions":             {"signin", "ok", "denied"},
		"DELETE /api/v1/me/sessions":          {"signin", "ok", "denied"},
		"DELETE /api/v1/me/sessions/{id}":     {"signin", "ok", "denied"},
		"GET /api/v1/me/tokens":               {"signin", "ok", "denied"},
		"POST /api/v1/me/tokens":              {"signin", "ok", "denied"},
		"DELETE /api/v1/me/tokens/{id}":       {"signin", "ok", "denied"},
		"POST /api/v1/me/deletion-code":       {"signin", "ok", "denied"},
		"DELETE /api/v1/me":                   {"signin", "ok", "denied"},
		"GET /login":                          {"ok", "ok", "ok"},
		"GET /signup":                         {"ok", "ok", "ok"},
		"GET /login/code":                     {"ok", "ok", "ok"},
		"POST /login":                         {"ok", "ok", "ok"},
		"POST /login/code":                    {"ok", "ok", "ok"},
		"GET /login/verify":                   {"ok", "ok", "ok"},
		"POST /login/verify":                  {"ok", "ok", "ok"},
		"POST /login/password":                {"ok", "ok", "ok"},
		"POST /logout":                        {"ok", "ok", "denied"},
		"GET /welcome":                        {"signin", "ok", "denied"},
		"POST /welcome":                       {"signin", "ok", "denied"},
		"GET /settings":                       {"signin", "ok", "denied"},
		"POST /settings":                      {"signin", "ok", "denied"},
		"POST /settings/email":                {"signin", "ok", "denied"},
		"GET /settings/email/confirm":         {"ok", "ok", "ok"},
		"POST /settings/email/confirm":        {"ok", "ok", "ok"},
		"POST /settings/password":             {"signin", "ok", "denied"},
		"GET /settings/tokens":                {"signin", "ok", "denied"},
		"POST /settings/tokens":               {"signin", "ok", "denied"},
		"POST /settings/tokens/{id}/revoke":   {"signin", "ok", "denied"},
		"GET /settings/sessions":              {"signin", "ok", "denied"},
		"POST /settings/sessions/{id}/revoke": {"signin", "ok", "denied"},
		"POST /settings/sessions/revoke-all":  {"signin", "ok", "denied"},
		"GET /settings/delete":                {"signin", "ok", "denied"},
		"POST /settings/delete":               {"signin", "ok", "denied"},
		"POST /settings/delete/confirm":       {"signin", "ok", "denied"},
		// The export core is not wired into this server: a session gets
		// 503 (the whole application's answers are the authorization
		// matrix's, internal/app; the flow is TestPersonalExportPagesAndAPI).
		"POST /api/v1/me/exports": {"signin", "error", "denied"},
		"GET /api/v1/me/exports":  {"signin", "error", "denied"},
		"GET /settings/export":    {"signin", "error", "denied"},
		"POST /settings/export":   {"signin", "error", "denied"},
		// Pictures: no picture storage in this server either (503 past
		// authorization); TestAvatarsThroughTheApplication has the flow.
		"GET /api/v1/me/avatar":                       {"signin", "ok", "ok"},
		"PUT /api/v1/me/avatar":                       {"signin", "error", "error"},
		"DELETE /api/v1/me/avatar":                    {"signin", "error", "error"},
		"POST /api/v1/me/avatar/uploads":              {"signin", "error", "error"},
		"POST /api/v1/me/avatar/uploads/{id}/confirm": {"signin", "error", "error"},
		"POST /settings/avatar":                       {"signin", "ok", "denied"},
		"POST /settings/avatar/remove":                {"signin", "error", "denied"},
	}
	bodies := map[string]string{
		"POST /api/v1/auth/login": `{"email":"x@example.org"}`, "POST /api/v1/auth/verify": `{"email":"x@example.org","code":"123456"}`,
		"POST /api/v1/auth/password": `{"email":"x@example.org","password":"abcdefghijk"}`, "PATCH /api/v1/me": `{}`,
		"PUT /api/v1/me/password": `{"password":"x"}`, "POST /api/v1/me/email": `{"email":"x"}`,
		"POST /api/v1/me/email/confirm": `{"token":"x"}`, "POST /api/v1/me/tokens": `{"name":""}`,
		"DELETE /api/v1/me": `{"code":"x"}`, "POST /api/v1/me/avatar/uploads": `{"content_type":"image/png","size":10}`,
	}
	seen := map[string]bool{}
	for _, rt := range a.srv.Routes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if !strings.HasPrefix(path, "/api/v1/auth") && !strings.HasPrefix(path, "/api/v1/me") && !strings.HasPrefix(path, "/login") &&
			!strings.HasPrefix(path, "/signup") && !strings.HasPrefix(path, "/logout") && !strings.HasPrefix(path, "/welcome") &&
			!strings.HasPrefix(path, "/settings") {
			continue
		}
		want, ok := matrix[rt.Pattern]
		if !ok {
			t.Errorf("route %s has no matrix entry", rt.Pattern)
			continue
		}
		seen[rt.Pattern] = true
		concrete := strings.NewReplacer("{id}", "unknown-id").Replace(path)
		if method == "GET" && (strings.HasSuffix(path, "/verify") || strings.HasSuffix(path, "/confirm")) {
			concrete += "?token=abc"
		}
		body, ctype := bodies[rt.Pattern], ""
		if rt.Page && method == "POST" {
			body, ctype = "x=1", "application/x-www-form-urlencoded"
		}
		if method == "DELETE" && strings.HasSuffix(path, "/sessions") {
			continue // would end the matrix session; covered in TestSignOutEverywhereOverHTTP
		}
		for _, caller := range []struct{ name, cookie, bearer, want string }{
			{"anonymous", "", "", want.anon}, {"session", cookie, "", want.session}, {"bot", "", nt.Secret, want.bot},
		} {
			if strings.Contains(rt.Pattern, "logout") || strings.HasSuffix(rt.Pattern, "revoke-all") {
				if caller.name == "session" {
					continue // would end the session used by the other rows
				}
			}
			rec := a.do(req{method: method, path: concrete, body: body, ctype: ctype, cookie: caller.cookie, bearer: caller.bearer})
			got := classify(rec, rt.Page)
			if got != caller.want {
				t.Errorf("%s as %s: %s (%d %.200s), want %s", rt.Pattern, caller.name, got, rec.Code, rec.Body, caller.want)
			}
		}
	}
	for p := range matrix {
		if !seen[p] {
			t.Errorf("matrix entry %s matches no route", p)
		}
	}
}

func classify(rec *httptest.ResponseRecorder, page bool) string {
	switch {
	case rec.Code == 401 && !page:
		return "signin"
	case rec.Code == 303 && strings.HasPrefix(rec.Header().Get("Location"), "/login?next="):
		return "signin"
	case rec.Code == 401 && page:
		return "signin"
	case rec.Code == 403:
		return "denied"
	case rec.Code >= 500:
		return "error"
	default:
		return "ok"
	}
}
