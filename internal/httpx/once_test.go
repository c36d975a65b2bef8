package httpx

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// cookiesOf sends what rec set back on a new request.
func cookiesOf(rec *httptest.ResponseRecorder) *http.Request {
	r := httptest.NewRequest("GET", "/", nil)
	for _, c := range rec.Result().Cookies() {
		r.AddCookie(c)
	}
	return r
}

func TestOnceCookieIsTakenOnceByItsScope(t *testing.T) {
	rec := httptest.NewRecorder()
	SetOnceCookie(rec, "poll-p1", "s3cret")
	c := rec.Result().Cookies()[0]
	if c.Name != OnceCookie || !c.HttpOnly || !c.Secure || c.Path != "/" || c.MaxAge <= 0 || c.SameSite != http.SameSiteStrictMode {
		t.Fatalf("cookie %+v", c)
	}
	r := cookiesOf(rec)
	other := httptest.NewRecorder()
	if got := TakeOnceCookie(other, r, "poll-p2"); got != "" || len(other.Result().Cookies()) != 0 {
		t.Fatalf("another scope took %q (and cleared: %v)", got, other.Result().Cookies())
	}
	took := httptest.NewRecorder()
	if got := TakeOnceCookie(took, r, "poll-p1"); got != "s3cret" {
		t.Fatalf("took %q", got)
	}
	if cs := took.Result().Cookies(); len(cs) != 1 || cs[0].MaxAge >= 0 {
		t.Fatalf("not cleared: %+v", cs)
	}
	if got := TakeOnceCookie(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), "poll-p1"); got != "" {
		t.Fatalf("without a cookie: %q", got)
	}
}

func TestLoginCookie(t *testing.T) {
	rec := httptest.NewRecorder()
	SetLoginCookie(rec, PendingLogin{Email: "ada@example.org", Next: "//evil.example"})
	c := rec.Result().Cookies()[0]
	if c.Name != LoginCookie || !c.HttpOnly || !c.Secure || c.MaxAge != 15*60 {
		t.Fatalf("cookie %+v", c)
	}
	p, ok := ReadLoginCookie(cookiesOf(rec))
	if !ok || p.Email != "ada@example.org" || p.Next != "/" {
		t.Fatalf("read %+v %v (next must be made safe)", p, ok)
	}
	bad := httptest.NewRequest("GET", "/", nil)
	bad.AddCookie(&http.Cookie{Name: LoginCookie, Value: "not-base64!"})
	if _, ok := ReadLoginCookie(bad); ok {
		t.Fatal("a garbled cookie was read")
	}
	clear := httptest.NewRecorder()
	ClearLoginCookie(clear)
	if cs := clear.Result().Cookies(); len(cs) != 1 || cs[0].MaxAge >= 0 {
		t.Fatalf("not cleared: %+v", cs)
	}
}
