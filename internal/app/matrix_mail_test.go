package app_test

// The email-preference routes in the authorization matrix (matrix_test.go).
//
// Unsubscribe links are capabilities: the token in the path is the whole
// authority, so anyone holding one may use it (and every actor gets the
// same answer); the matrix uses a token of the case's owner (M for
// anonymous callers) about a thread that no group fixture holds, so
// nothing another area checks changes. The settings pages need a browser
// session; the JSON API takes a session or a personal API token. The core
// only ever acts on the caller's own preferences.

import (
	"net/url"

	"github.com/quorum-app/quorum/internal/mailpref"
)

func init() {
	matrixAreas = append(matrixAreas, mailMatrix)
}

// unsubscribeToken fills in {token} with an unsubscribe token of the
// case's owner about a thread outside the fixtures.
func unsubscribeToken(b func(c *cas) call) func(c *cas) call {
	return withParam(b, "{token}", func(c *cas) string {
		tok, err := c.w.a.MailPrefs.Token(c.owner().id, mailpref.Scope{Kind: mailpref.ScopeThread, ID: "matrixthread"})
		c.w.must(err, "unsubscribe token")
		return tok
	})
}

func mailMatrix() map[string]spec {
	const all = "A A A A A A A A"
	const sessionOnly, tokenOK = "S A A A A A F F", "S A A A A A A A"
	oneClick := func(c *cas) call {
		return call{method: "POST", path: "/unsubscribe/{token}", form: url.Values{"List-Unsubscribe": {"One-Click"}}}
	}
	return map[string]spec{
		// ---- unsubscribe links (capabilities; no session needed) ----
		"GET /unsubscribe/{token}":       {acct: all, build: unsubscribeToken(get("/unsubscribe/{token}"))},
		"POST /unsubscribe/{token}":      {acct: all, build: unsubscribeToken(oneClick)},
		"POST /unsubscribe/{token}/undo": {acct: all, build: unsubscribeToken(form("/unsubscribe/{token}/undo"))},

		// ---- settings pages: own preferences, browser sessions only ----
		"GET /settings/email-preferences": {acct: sessionOnly, build: get("/settings/email-preferences")},
		"POST /settings/email-preferences": {acct: sessionOnly, build: form("/settings/email-preferences",
			"mode", "immediate", "digest_hour", "8", "time_zone", "")},
		"POST /settings/email-preferences/opt-outs/{kind}/{id}/enable": {acct: sessionOnly,
			build: form("/settings/email-preferences/opt-outs/thread/matrixthread/enable")},
		"POST /settings/email-preferences/resume-all":            {acct: sessionOnly, build: form("/settings/email-preferences/resume-all")},
		"POST /settings/email-preferences/reset-reply-addresses": {acct: sessionOnly, build: form("/settings/email-preferences/reset-reply-addresses")},
		"POST /settings/email-preferences/resume-delivery":       {acct: sessionOnly, build: form("/settings/email-preferences/resume-delivery")},

		// ---- JSON API: own preferences, sessions and API tokens ----
		"GET /api/v1/me/email-preferences": {acct: tokenOK, build: get("/api/v1/me/email-preferences")},
		"PUT /api/v1/me/email-preferences": {acct: tokenOK, build: api("PUT", "/api/v1/me/email-preferences", `{"mode":"immediate","digest_hour":8}`)},
		"PUT /api/v1/me/email-preferences/opt-outs/{kind}/{id}": {acct: tokenOK,
			build: api("PUT", "/api/v1/me/email-preferences/opt-outs/thread/matrixthread", "")},
		"DELETE /api/v1/me/email-preferences/opt-outs/{kind}/{id}": {acct: tokenOK,
			build: api("DELETE", "/api/v1/me/email-preferences/opt-outs/thread/matrixthread", "")},
	}
}
