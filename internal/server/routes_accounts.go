package server

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/httpx"
)

// accountRoutes: sign-up, sign-in, sessions, API tokens, profile.
// Session routes refuse bearer tokens (credential management must not be
// reachable with a leaked token); Token routes take a token or a session.
func (s *Server) accountRoutes() []Route {
	routes := []Route{
		// JSON API
		{Pattern: "POST /api/v1/auth/login", Access: Public, Handler: s.apiLogin},
		{Pattern: "POST /api/v1/auth/verify", Access: Public, Handler: s.apiVerify},
		{Pattern: "POST /api/v1/auth/password", Access: Public, Handler: s.apiPasswordLogin},
		{Pattern: "POST /api/v1/auth/logout", Access: Session, Handler: s.apiLogout},
		{Pattern: "GET /api/v1/me", Access: Token, Handler: s.apiMe},
		{Pattern: "PATCH /api/v1/me", Access: Token, Handler: s.apiUpdateMe},
		{Pattern: "PUT /api/v1/me/password", Access: Session, Handler: s.apiSetPassword},
		{Pattern: "DELETE /api/v1/me/password", Access: Session, Handler: s.apiRemovePassword},
		{Pattern: "POST /api/v1/me/email", Access: Session, Handler: s.apiChangeEmail},
		{Pattern: "POST /api/v1/me/email/confirm", Access: Public, Handler: s.apiConfirmEmail},
		{Pattern: "GET /api/v1/me/sessions", Access: Session, Handler: s.apiSessions},
		{Pattern: "DELETE /api/v1/me/sessions", Access: Session, Handler: s.apiSignOutEverywhere},
		{Pattern: "DELETE /api/v1/me/sessions/{id}", Access: Session, Handler: s.apiRevokeSession},
		{Pattern: "GET /api/v1/me/tokens", Access: Session, Handler: s.apiTokens},
		{Pattern: "POST /api/v1/me/tokens", Access: Session, Handler: s.apiCreateToken},
		{Pattern: "DELETE /api/v1/me/tokens/{id}", Access: Session, Handler: s.apiRevokeToken},
		{Pattern: "POST /api/v1/me/deletion-code", Access: Session, Handler: s.apiDeletionCode},
		{Pattern: "DELETE /api/v1/me", Access: Session, Handler: s.apiDeleteMe},
		// Pictures (avatars.go): tokens may set them, as they may the name.
		{Pattern: "GET /api/v1/me/avatar", Access: Token, Handler: s.apiAvatarGet},
		{Pattern: "PUT /api/v1/me/avatar", Access: Token, Handler: s.apiAvatarPut},
		{Pattern: "DELETE /api/v1/me/avatar", Access: Token, Handler: s.apiAvatarDelete},
		{Pattern: "POST /api/v1/me/avatar/uploads", Access: Token, Handler: s.apiAvatarUpload},
		{Pattern: "POST /api/v1/me/avatar/uploads/{id}/confirm", Access: Token, Handler: s.apiAvatarConfirm},
		{Pattern: "GET /people/{uid}/avatar/{size}", Access: Token, Handler: s.avatarServe},

		// Pages
		{Pattern: "GET /login", Access: Public, Page: true, Handler: s.loginPage},
		{Pattern: "GET /signup", Access: Public, Page: true, Handler: s.signupPage},
		{Pattern: "POST /login", Access: Public, Page: true, Handler: s.loginSubmit},
		{Pattern: "POST /login/code", Access: Public, Page: true, Handler: s.loginCodeSubmit},
		{Pattern: "GET /login/verify", Access: Public, Page: true, Handler: s.loginLinkPage},
		{Pattern: "POST /login/verify", Access: Public, Page: true, Handler: s.loginLinkSubmit},
		{Pattern: "POST /login/password", Access: Public, Page: true, Handler: s.loginPasswordSubmit},
		{Pattern: "POST /logout", Access: Session, Page: true, Handler: s.logoutSubmit},
		{Pattern: "GET /welcome", Access: Session, Page: true, Handler: s.welcomePage},
		{Pattern: "POST /welcome", Access: Session, Page: true, Handler: s.welcomeSubmit},
		{Pattern: "GET /settings", Access: Session, Page: true, Handler: s.settingsPage},
		{Pattern: "POST /settings", Access: Session, Page: true, Handler: s.settingsSubmit},
		{Pattern: "POST /settings/avatar", Access: Session, Page: true, Handler: s.settingsAvatarSubmit},
		{Pattern: "POST /settings/avatar/remove", Access: Session, Page: true, Handler: s.settingsAvatarRemove},
		{Pattern: "POST /settings/email", Access: Session, Page: true, Handler: s.settingsEmailSubmit},
		{Pattern: "GET /settings/email/confirm", Access: Public, Page: true, Handler: s.emailConfirmPage},
		{Pattern: "POST /settings/email/confirm", Access: Public, Page: true, Handler: s.emailConfirmSubmit},
		{Pattern: "POST /settings/password", Access: Session, Page: true, Handler: s.settingsPasswordSubmit},
		{Pattern: "GET /settings/tokens", Access: Session, Page: true, Handler: s.tokensPage},
		{Pattern: "POST /settings/tokens", Access: Session, Page: true, Handler: s.tokensCreateSubmit},
		{Pattern: "POST /settings/tokens/{id}/revoke", Access: Session, Page: true, Handler: s.tokensRevokeSubmit},
		{Pattern: "GET /settings/sessions", Access: Session, Page: true, Handler: s.sessionsPage},
		{Pattern: "POST /settings/sessions/{id}/revoke", Access: Session, Page: true, Handler: s.sessionsRevokeSubmit},
		{Pattern: "POST /settings/sessions/revoke-all", Access: Session, Page: true, Handler: s.sessionsRevokeAllSubmit},
		{Pattern: "GET /settings/delete", Access: Session, Page: true, Handler: s.deletePage},
		{Pattern: "POST /settings/delete", Access: Session, Page: true, Handler: s.deleteCodeSubmit},
		{Pattern: "POST /settings/delete/confirm", Access: Session, Page: true, Handler: s.deleteConfirmSubmit},
	}
	for i := range routes {
		routes[i].Handler = s.needAccounts(routes[i].Page, httpx.WithLists(routes[i].Lists, routes[i].Handler))
	}
	return routes
}

// needAccounts answers 503 when the server was built without the accounts
// service (unit tests of other areas), instead of failing on a nil service.
func (s *Server) needAccounts(page bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.accounts == nil {
			err := errAccountsOff
			if page {
				s.pageError(w, r, err)
				return
			}
			httpx.WriteError(w, r, s.log, err)
			return
		}
		h(w, r)
	}
}
