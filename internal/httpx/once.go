package httpx

import (
	"net/http"
	"strings"
)

// OnceCookie carries a secret that a page shows once (an anonymous vote's
// receipt, a new API token) from the form's POST across its redirect to
// the page's GET (Post/Redirect/Get), which shows it and clears it: the
// secret never goes into a URL (addresses reach logs and histories), and
// a refresh of the page neither posts the form again nor shows the secret
// again.
const OnceCookie = "__Host-quorum_once"

// MaxOnce bounds what a once cookie carries (a cookie holds about 4 KB).
const MaxOnce = 3000

// onceCookieAge bounds how long the secret waits for its page.
const onceCookieAge = 120 // seconds

// SetOnceCookie hands secret to the next page that takes scope (no dots
// in scope).
func SetOnceCookie(w http.ResponseWriter, scope, secret string) {
	http.SetCookie(w, &http.Cookie{Name: OnceCookie, Value: scope + "." + secret, Path: "/", MaxAge: onceCookieAge,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

// TakeOnceCookie returns the secret waiting for scope ("" if none) and
// clears the cookie, so that it is shown once.
func TakeOnceCookie(w http.ResponseWriter, r *http.Request, scope string) string {
	c, err := r.Cookie(OnceCookie)
	if err != nil {
		return ""
	}
	got, secret, ok := strings.Cut(c.Value, ".")
	if !ok || got != scope || secret == "" || len(secret) > MaxOnce {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: OnceCookie, Value: "", Path: "/", MaxAge: -1,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	return secret
}
