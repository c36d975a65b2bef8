package server

// oneClickUnsubscribe is the RFC 8058 one-click unsubscribe. Like every
// state-changing route it sits behind http.CrossOriginProtection, which
// lets it through as mail providers send it: from their servers, without
// Origin or Sec-Fetch-Site (and from our own page's form, same-origin). A
// browser POST from another site (Sec-Fetch-Site: cross-site, or a foreign
// Origin) is refused with 403 like anywhere else; such a visitor can open
// the link instead and press the button on our page. The token in the path
// is the only credential: the handler never uses a session.
const oneClickUnsubscribe = "POST /unsubscribe/{token}"

// mailRoutes: email preferences, unsubscribe links and suppression notices.
// They exist only on a server built with the service (Deps.MailPrefs), so
// the unit tests of other areas, whose servers lack it, do not meet them;
// the application (internal/app) always has them, and its authorization
// matrix classifies each one (matrix_mail_test.go).
func (s *Server) mailRoutes() []Route {
	if s.mailprefs == nil {
		return nil
	}
	return []Route{
		// Unsubscribe links from emails: the token is the credential, no session.
		{Pattern: "GET /unsubscribe/{token}", Access: Public, Page: true, Handler: s.pages.UnsubscribePage},
		{Pattern: oneClickUnsubscribe, Access: Public, Page: true, Handler: s.pages.UnsubscribeSubmit},
		{Pattern: "POST /unsubscribe/{token}/undo", Access: Public, Page: true, Handler: s.pages.UnsubscribeUndo},

		// Settings pages (a browser session).
		{Pattern: "GET /settings/email-preferences", Access: Session, Page: true, Handler: s.pages.MailPrefsPage},
		{Pattern: "POST /settings/email-preferences", Access: Session, Page: true, Handler: s.pages.MailPrefsSubmit},
		{Pattern: "POST /settings/email-preferences/opt-outs/{kind}/{id}/enable", Access: Session, Page: true, Handler: s.pages.MailOptOutEnable},
		{Pattern: "POST /settings/email-preferences/resume-all", Access: Session, Page: true, Handler: s.pages.MailResumeAll},
		{Pattern: "POST /settings/email-preferences/reset-reply-addresses", Access: Session, Page: true, Handler: s.pages.MailResetReply},
		{Pattern: "POST /settings/email-preferences/resume-delivery", Access: Session, Page: true, Handler: s.pages.MailUnsuppress},

		// JSON API.
		{Pattern: "GET /api/v1/me/email-preferences", Access: Token, Handler: s.api.MailPrefs},
		{Pattern: "PUT /api/v1/me/email-preferences", Access: Token, Handler: s.api.UpdateMailPrefs},
		{Pattern: "PUT /api/v1/me/email-preferences/opt-outs/{kind}/{id}", Access: Token, Handler: s.api.SetOptOut},
		{Pattern: "DELETE /api/v1/me/email-preferences/opt-outs/{kind}/{id}", Access: Token, Handler: s.api.DeleteOptOut},
	}
}
