package httpx

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
)

// LoginCookie carries a sign-in in progress (the address a code was sent
// to, and where to go after) from the sign-in form's POST across its
// redirect to the code page's GET (Post/Redirect/Get): a refresh of the
// code page shows it again instead of sending another email, and the
// address never goes into a URL (addresses reach logs and histories).
const LoginCookie = "__Host-quorum_login"

// loginCookieAge is how long the code page remembers the address: the
// life of a sign-in code.
const loginCookieAge = 15 * 60 // seconds

// PendingLogin is what the code page needs.
type PendingLogin struct {
	Email string `json:"e"`
	Next  string `json:"n"`
}

// SetLoginCookie remembers a sign-in in progress for the code page.
func SetLoginCookie(w http.ResponseWriter, p PendingLogin) {
	raw, _ := json.Marshal(p)
	http.SetCookie(w, &http.Cookie{Name: LoginCookie, Value: base64.RawURLEncoding.EncodeToString(raw), Path: "/",
		MaxAge: loginCookieAge, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// ReadLoginCookie returns the sign-in in progress, if any.
func ReadLoginCookie(r *http.Request) (PendingLogin, bool) {
	var p PendingLogin
	c, err := r.Cookie(LoginCookie)
	if err != nil || len(c.Value) > 2048 {
		return p, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || json.Unmarshal(raw, &p) != nil || p.Email == "" {
		return PendingLogin{}, false
	}
	p.Next = SafeNext(p.Next)
	return p, true
}

// ClearLoginCookie forgets the sign-in in progress (once signed in).
func ClearLoginCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: LoginCookie, Value: "", Path: "/", MaxAge: -1,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}
