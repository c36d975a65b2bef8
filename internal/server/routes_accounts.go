package server

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/httpx"
)

// accountRoutes: sign-up, sign-in, sessions, API tokens, profile.
// Session routes refuse bearer tokens (credential management must not be
// reachable with a leaked token); Token routes take a token or a session.
func (s *Server) accountRoutes() []Route {
	routes := []Route{
		// JSON API
		{Pattern: "POST /api/v1/auth/login", Access: Public, Handler: s.api.Login},
		{Pattern: "POST /api/v1/auth/verify", Access: Public, Handler: s.api.Verify},
		{Pattern: "POST /api/v1/auth/password", Access: Public, Handler: s.api.PasswordLogin},
		{Pattern: "POST /api/v1/auth/logout", Access: Session, Handler: s.api.Logout},
		{Pattern: "GET /api/v1/me", Access: Token, Handler: s.api.Me},
		{Pattern: "PATCH /api/v1/me", Access: Token, Handler: s.api.UpdateMe},
		{Pattern: "PUT /api/v1/me/password", Access: Session, Handler: s.api.SetPassword},
		{Pattern: "DELETE /api/v1/me/password", Access: Session, Handler: s.api.RemovePassword},
		{Pattern: "POST /api/v1/me/email", Access: Session, Handler: s.api.ChangeEmail},
		{Pattern: "POST /api/v1/me/email/confirm", Access: Public, Handler: s.api.ConfirmEmail},
		{Pattern: "GET /api/v1/me/sessions", Access: Session, Handler: s.api.Sessions},
		{Pattern: "DELETE /api/v1/me/sessions", Access: Session, Handler: s.api.SignOutEverywhere},
		{Pattern: "DELETE /api/v1/me/sessions/{id}", Access: Session, Handler: s.api.RevokeSession},
		{Pattern: "GET /api/v1/me/tokens", Access: Session, Handler: s.api.Tokens},
		{Pattern: "POST /api/v1/me/tokens", Access: Session, Handler: s.api.CreateToken},
		{Pattern: "DELETE /api/v1/me/tokens/{id}", Access: Session, Handler: s.api.RevokeToken},
		{Pattern: "POST /api/v1/me/deletion-code", Access: Session, Handler: s.api.DeletionCode},
		{Pattern: "DELETE /api/v1/me", Access: Session, Handler: s.api.DeleteMe},
		// Pictures (avatars.go): tokens may set them, as they may the name.
		{Pattern: "GET /api/v1/me/avatar", Access: Token, Handler: s.api.AvatarGet},
		{Pattern: "PUT /api/v1/me/avatar", Access: Token, Handler: s.api.AvatarPut},
		{Pattern: "DELETE /api/v1/me/avatar", Access: Token, Handler: s.api.AvatarDelete},
		{Pattern: "POST /api/v1/me/avatar/uploads", Access: Token, Handler: s.api.AvatarUpload},
		{Pattern: "POST /api/v1/me/avatar/uploads/{id}/confirm", Access: Token, Handler: s.api.AvatarConfirm},
		{Pattern: "GET /people/{uid}/avatar/{size}", Access: Token, Handler: s.pages.AvatarServe},

		// Pages
		{Pattern: "GET /login", Access: Public, Page: true, Handler: s.pages.LoginPage},
		{Pattern: "GET /signup", Access: Public, Page: true, Handler: s.pages.SignupPage},
		{Pattern: "POST /login", Access: Public, Page: true, Handler: s.pages.LoginSubmit},
		{Pattern: "GET /login/code", Access: Public, Page: true, Handler: s.pages.LoginCodePage},
		{Pattern: "POST /login/code", Access: Public, Page: true, Handler: s.pages.LoginCodeSubmit},
		{Pattern: "GET /login/verify", Access: Public, Page: true, Handler: s.pages.LoginLinkPage},
		{Pattern: "POST /login/verify", Access: Public, Page: true, Handler: s.pages.LoginLinkSubmit},
		{Pattern: "POST /login/password", Access: Public, Page: true, Handler: s.pages.LoginPasswordSubmit},
		{Pattern: "POST /logout", Access: Session, Page: true, Handler: s.pages.LogoutSubmit},
		{Pattern: "GET /welcome", Access: Session, Page: true, Handler: s.pages.WelcomePage},
		{Pattern: "POST /welcome", Access: Session, Page: true, Handler: s.pages.WelcomeSubmit},
		{Pattern: "GET /settings", Access: Session, Page: true, Handler: s.pages.SettingsPage},
		{Pattern: "POST /settings", Access: Session, Page: true, Handler: s.pages.SettingsSubmit},
		{Pattern: "POST /settings/avatar", Access: Session, Page: true, Handler: s.pages.SettingsAvatarSubmit},
		{Pattern: "POST /settings/avatar/remove", Access: Session, Page: true, Handler: s.pages.SettingsAvatarRemove},
		{Pattern: "POST /settings/email", Access: Session, Page: true, Handler: s.pages.SettingsEmailSubmit},
		{Pattern: "GET /settings/email/confirm", Access: Public, Page: true, Handler: s.pages.EmailConfirmPage},
		{Pattern: "POST /settings/email/confirm", Access: Public, Page: true, Handler: s.pages.EmailConfirmSubmit},
		{Pattern: "POST /settings/password", Access: Session, Page: true, Handler: s.pages.SettingsPasswordSubmit},
		{Pattern: "GET /settings/tokens", Access: Session, Page: true, Handler: s.pages.TokensPage},
		{Pattern: "POST /settings/tokens", Access: Session, Page: true, Handler: s.pages.TokensCreateSubmit},
		{Pattern: "POST /settings/tokens/{id}/revoke", Access: Session, Page: true, Handler: s.pages.TokensRevokeSubmit},
		{Pattern: "GET /settings/sessions", Access: Session, Page: true, Handler: s.pages.SessionsPage},
		{Pattern: "POST /settings/sessions/{id}/revoke", Access: Session, Page: true, Handler: s.pages.SessionsRevokeSubmit},
		{Pattern: "POST /settings/sessions/revoke-all", Access: Session, Page: true, Handler: s.pages.SessionsRevokeAllSubmit},
		{Pattern: "GET /settings/delete", Access: Session, Page: true, Handler: s.pages.DeletePage},
		{Pattern: "POST /settings/delete", Access: Session, Page: true, Handler: s.pages.DeleteCodeSubmit},
		{Pattern: "POST /settings/delete/confirm", Access: Session, Page: true, Handler: s.pages.DeleteConfirmSubmit},
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
				s.pages.PageError(w, r, err)
				return
			}
			httpx.WriteError(w, r, s.log, err)
			return
		}
		h(w, r)
	}
}

var errAccountsOff = domain.Errorf(domain.Unavailable, "accounts are not available on this server")
