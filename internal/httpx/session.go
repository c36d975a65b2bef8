package httpx

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// SessionCookie holds the browser session token. The __Host- prefix makes
// browsers insist on Secure, Path=/ and no Domain, so no subdomain can set
// or read it. (Browsers accept Secure cookies on http://localhost, so the
// flag stays on in development too.)
const SessionCookie = "__Host-quorum_session"

// SetSessionCookie gives the browser its session token until expires.
func SetSessionCookie(w http.ResponseWriter, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", Expires: expires,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// ClearSessionCookie ends the browser's session cookie.
func ClearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// SafeNext returns a same-site path to go to after sign-in, or "/".
func SafeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n\t") || len(next) > 1024 {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

// CSRF is the cross-origin protection of every state-changing request:
// browsers send Sec-Fetch-Site/Origin, which must match the host, and
// requests from elsewhere get deny. Non-browser clients (no such headers) are
// let through; they authenticate with bearer tokens. trusted may send
// cross-origin state-changing requests (normally none).
func CSRF(trusted []string, deny http.Handler, next http.Handler) (http.Handler, error) {
	cop := http.NewCrossOriginProtection()
	for _, o := range trusted {
		if err := cop.AddTrustedOrigin(o); err != nil {
			return nil, err
		}
	}
	cop.SetDenyHandler(deny)
	return cop.Handler(next), nil
}
