package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	qapp "github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/testcloud"
)

// The terms of service and the privacy policy are public pages linked from
// every page; the sign-in forms carry their version, and a sign-up through
// the pages records it. A form that showed no (or an older) version is
// refused with a message and shown again with the current one, and the
// code still works.
func TestTermsArePublishedAndAcceptedAtSignUp(t *testing.T) {
	env := testcloud.Fast(t)
	a, err := qapp.NewAPIWith(context.Background(), env.Config, env.Clients, logging.New(pollLog{t}, "warn"))
	if err != nil {
		t.Fatal(err)
	}
	h := a.Handler()
	version := a.Legal.Version()
	send := func(method, path string, form url.Values) *httptest.ResponseRecorder {
		var r *http.Request
		if form != nil {
			r = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Origin", "http://127.0.0.1:8080")
			r.Header.Set("Sec-Fetch-Site", "same-origin")
		} else {
			r = httptest.NewRequest(method, path, nil)
		}
		r.RemoteAddr = "192.0.2.44:1234"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}

	for path, title := range map[string]string{"/terms": "Terms of service", "/privacy": "Privacy policy"} {
		rec := send("GET", path, nil)
		body := rec.Body.String()
		if rec.Code != 200 || !strings.Contains(body, `<h1 id="legal-title">`+title+`</h1>`) || !strings.Contains(body, "Version ") ||
			!strings.Contains(body, "built into Quorum") {
			t.Errorf("GET %s: %d %.300s", path, rec.Code, body)
		}
		if strings.Count(body, "<h1") != 1 {
			t.Errorf("GET %s shows %d top headings, want 1", path, strings.Count(body, "<h1"))
		}
	}
	var legalJSON struct {
		TermsVersion string `json:"terms_version"`
		Terms        struct{ Title, Version, URL, Markdown string }
	}
	rec := send("GET", "/api/v1/legal", nil)
	if err := json.Unmarshal(rec.Body.Bytes(), &legalJSON); err != nil || rec.Code != 200 || legalJSON.TermsVersion != version ||
		legalJSON.Terms.URL != "/terms" || !strings.HasPrefix(legalJSON.Terms.Markdown, "# Terms of service") {
		t.Fatalf("GET /api/v1/legal: %d %v %.300s", rec.Code, err, rec.Body)
	}

	// Every page links both from its footer; the sign-in page says what signing up accepts.
	login := send("GET", "/login", nil).Body.String()
	for _, want := range []string{`<a href="/terms">Terms of service</a>`, `<a href="/privacy">Privacy policy</a>`, "Creating an account means accepting"} {
		if !strings.Contains(login, want) {
			t.Errorf("/login lacks %q", want)
		}
	}

	addr := "terms-" + env.Prefix + "@example.org"
	sent := send("POST", "/login", url.Values{"email": {addr}, "next": {"/"}})
	codeReq := httptest.NewRequest("GET", "/login/code", nil)
	for _, c := range sent.Result().Cookies() {
		codeReq.AddCookie(c)
	}
	codeRec := httptest.NewRecorder()
	h.ServeHTTP(codeRec, codeReq)
	codePage := codeRec.Body.String()
	if !strings.Contains(codePage, `name="terms_version" value="`+version+`"`) || !strings.Contains(codePage, "By signing in you accept") {
		t.Fatalf("the code form does not carry the terms version %s: %.2000s", version, codePage)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	msg, err := mail.Emulator{URL: env.Config.SESEndpoint}.WaitFor(ctx, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile(`Your code: (\d{6})`).FindStringSubmatch(msg.Body.Text)
	if code == nil {
		t.Fatalf("no code in %q", msg.Body.Text)
	}

	// A form from before a change (here: an old version) is refused, not spent.
	rec = send("POST", "/login/code", url.Values{"email": {addr}, "code": {code[1]}, "next": {"/"}, "terms_version": {"0000.0000"}})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "changed since this page was shown") ||
		!strings.Contains(rec.Body.String(), `name="terms_version" value="`+version+`"`) {
		t.Fatalf("sign-up with old terms: %d %.2000s", rec.Code, rec.Body)
	}
	if _, err := a.Accounts.UserByEmail(context.Background(), addr); err == nil {
		t.Fatal("a refused sign-up created the account")
	}
	rec = send("POST", "/login/code", url.Values{"email": {addr}, "code": {code[1]}, "next": {"/"}, "terms_version": {version}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("sign-up with the current terms: %d %.500s", rec.Code, rec.Body)
	}
	u, err := a.Accounts.UserByEmail(context.Background(), addr)
	if err != nil || u.TermsVersion != version || u.TermsAcceptedAt.IsZero() {
		t.Fatalf("the account does not record the terms accepted: %v %q %v", err, u.TermsVersion, u.TermsAcceptedAt)
	}
}
