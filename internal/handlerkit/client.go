package handlerkit

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/i18n"
)

// ClientOf describes a sign-in request: its address, its browser, and its
// language (the browser's Accept-Language, negotiated among the supported
// ones): the email to an address without an account and the account a
// sign-up creates use it.
func ClientOf(r *http.Request) account.Client {
	return account.Client{IP: httpx.ClientIP(r), UserAgent: r.UserAgent(),
		Lang: i18n.Negotiate("", r.Header.Get("Accept-Language"))}
}

// FormClientOf is ClientOf for a sign-in form, which says which version of
// the terms it showed (the hidden terms_version field).
func FormClientOf(r *http.Request) account.Client {
	c := ClientOf(r)
	c.Terms = r.PostFormValue("terms_version")
	return c
}

func SessionToken(r *http.Request) string {
	if c, err := r.Cookie(httpx.SessionCookie); err == nil {
		return c.Value
	}
	return ""
}
