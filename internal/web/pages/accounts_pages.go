package pages

import (
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/avatar"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/lang"
)

// ---- sign-in ----

type loginData struct {
	// Terms is the version of the terms and privacy policy the form shows.
	Terms    string
	Signup   bool
	Next     string
	Notice   string
	Form     *formState // the email-code form
	Password *formState // the password form
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, d loginData) {
	if d.Form == nil {
		d.Form = newForm(nil)
	}
	if d.Password == nil {
		d.Password = newForm(nil)
	}
	d.Terms = s.legal.Version()
	title := s.web.Printer(r).T("page.login.sign_in")
	if d.Signup {
		title = s.web.Printer(r).T("page.login.sign_up")
	}
	s.web.Page(w, r, status, "login", title, d)
}

func (s *Server) LoginPage(w http.ResponseWriter, r *http.Request) {
	s.renderLogin(w, r, http.StatusOK, loginData{Next: httpx.SafeNext(r.URL.Query().Get("next")), Notice: s.notice(r)})
}

func (s *Server) SignupPage(w http.ResponseWriter, r *http.Request) {
	s.renderLogin(w, r, http.StatusOK, loginData{Signup: true, Next: httpx.SafeNext(r.URL.Query().Get("next"))})
}

type linkData struct {
	Token, Terms string
	Form         *formState
}

type codeData struct {
	Terms string
	Email string
	Next  string
	Form  *formState
}

func (s *Server) LoginSubmit(w http.ResponseWriter, r *http.Request) {
	if err := httpx.ParseForm(w, r); err != nil {
		s.PageError(w, r, err)
		return
	}
	email, next := r.PostFormValue("email"), httpx.SafeNext(r.PostFormValue("next"))
	f := newForm(map[string]string{"email": email})
	sent, err := s.accounts.RequestLogin(r.Context(), handlerkit.ClientOf(r), email)
	if err != nil {
		s.formFail(w, r, err, f, func(status int) {
			s.renderLogin(w, r, status, loginData{Next: next, Form: f, Signup: r.PostFormValue("signup") == "1"})
		})
		return
	}
	// Post/Redirect/Get: the code page is a GET, so a refresh does not send
	// another email; the address rides a cookie, never the URL.
	httpx.SetLoginCookie(w, httpx.PendingLogin{Email: sent.Email, Next: next})
	redirect(w, r, "/login/code")
}

// GET /login/code: the code page of the sign-in in progress (LoginSubmit's
// redirect); without one, the sign-in form.
func (s *Server) LoginCodePage(w http.ResponseWriter, r *http.Request) {
	p, ok := httpx.ReadLoginCookie(r)
	if !ok {
		redirect(w, r, "/login")
		return
	}
	s.web.Page(w, r, http.StatusOK, "login_code", s.web.Printer(r).T("page.login.check"), codeData{Terms: s.legal.Version(), Email: p.Email, Next: p.Next, Form: newForm(nil)})
}

// afterSignIn sets the cookie and continues: to /welcome when the account
// still needs a name, else to next.
func (s *Server) afterSignIn(w http.ResponseWriter, r *http.Request, v *account.Verification, next string) {
	httpx.SetSessionCookie(w, v.Token, v.Session.AbsoluteExpiresAt)
	httpx.ClearLoginCookie(w)
	if v.User.NeedsName() {
		redirect(w, r, "/welcome?next="+url.QueryEscape(next))
		return
	}
	redirect(w, r, next)
}

func (s *Server) LoginCodeSubmit(w http.ResponseWriter, r *http.Request) {
	if err := httpx.ParseForm(w, r); err != nil {
		s.PageError(w, r, err)
		return
	}
	email, code, next := r.PostFormValue("email"), r.PostFormValue("code"), httpx.SafeNext(r.PostFormValue("next"))
	v, err := s.accounts.VerifyCode(r.Context(), handlerkit.FormClientOf(r), email, code, "")
	if err != nil {
		if domain.ErrorCode(err) == domain.Gone || domain.ErrorCode(err) == domain.RateLimited {
			f := newForm(map[string]string{"email": email})
			s.formFail(w, r, err, f, func(status int) { s.renderLogin(w, r, status, loginData{Next: next, Form: f}) })
			return
		}
		f := newForm(nil)
		s.formFail(w, r, err, f, func(status int) {
			s.web.Page(w, r, status, "login_code", s.web.Printer(r).T("page.login.check"), codeData{Terms: s.legal.Version(), Email: email, Next: next, Form: f})
		})
		return
	}
	s.afterSignIn(w, r, v, next)
}

// GET /login/verify?token=: mail scanners follow links, so opening the link
// only shows a button; the POST signs in.
func (s *Server) LoginLinkPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if token == "" || len(token) > 200 || !utf8.ValidString(token) {
		s.PageError(w, r, domain.Errorf(domain.Invalid, "this sign-in link is incomplete; copy the whole link from the email, or enter the code instead"))
		return
	}
	s.web.Page(w, r, http.StatusOK, "login_link", s.web.Printer(r).T("page.login.continue"), linkData{Token: token, Terms: s.legal.Version(), Form: newForm(nil)})
}

func (s *Server) LoginLinkSubmit(w http.ResponseWriter, r *http.Request) {
	if err := httpx.ParseForm(w, r); err != nil {
		s.PageError(w, r, err)
		return
	}
	token := r.PostFormValue("token")
	v, err := s.accounts.VerifyLink(r.Context(), handlerkit.FormClientOf(r), token, "")
	if err != nil && domain.ErrorCode(err) == domain.Invalid && len(token) <= 200 && utf8.ValidString(token) {
		// The terms changed since the page was shown: the link still
		// works, with the current version now on the page.
		f := newForm(nil)
		s.formFail(w, r, err, f, func(status int) {
			s.web.Page(w, r, status, "login_link", s.web.Printer(r).T("page.login.continue"), linkData{Token: token, Terms: s.legal.Version(), Form: f})
		})
		return
	}
	if err != nil {
		f := newForm(nil)
		s.formFail(w, r, err, f, func(status int) { s.renderLogin(w, r, status, loginData{Next: "/", Form: f}) })
		return
	}
	s.afterSignIn(w, r, v, "/")
}

func (s *Server) LoginPasswordSubmit(w http.ResponseWriter, r *http.Request) {
	if err := httpx.ParseForm(w, r); err != nil {
		s.PageError(w, r, err)
		return
	}
	email, next := r.PostFormValue("email"), httpx.SafeNext(r.PostFormValue("next"))
	v, err := s.accounts.PasswordLogin(r.Context(), handlerkit.ClientOf(r), email, r.PostFormValue("password"))
	if err != nil {
		f := newForm(map[string]string{"email": email})
		if domain.ErrorCode(err) == domain.Unauthorized {
			// Shown on the form rather than redirecting: the visitor is anonymous.
			httpx.Challenge(w, err, httpx.FormChallenge)
			s.renderLogin(w, r, f.fail(s.web.Printer(r), err), loginData{Next: next, Password: f})
			return
		}
		s.formFail(w, r, err, f, func(status int) { s.renderLogin(w, r, status, loginData{Next: next, Password: f}) })
		return
	}
	s.afterSignIn(w, r, v, next)
}

func (s *Server) LogoutSubmit(w http.ResponseWriter, r *http.Request) {
	err := s.accounts.SignOut(r.Context(), handlerkit.SessionToken(r))
	if err != nil && domain.ErrorCode(err) != domain.Unauthorized {
		s.PageError(w, r, err)
		return
	}
	httpx.ClearSessionCookie(w)
	redirect(w, r, "/login?done=signed-out")
}

// ---- welcome (first sign-in) ----

func (s *Server) WelcomePage(w http.ResponseWriter, r *http.Request) {
	u, err := s.accounts.Me(r.Context())
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	s.web.Page(w, r, http.StatusOK, "welcome", s.web.Printer(r).T("page.home.title.welcome"), map[string]any{
		"Next": httpx.SafeNext(r.URL.Query().Get("next")), "Form": newForm(map[string]string{"name": u.Name})})
}

func (s *Server) WelcomeSubmit(w http.ResponseWriter, r *http.Request) {
	if err := httpx.ParseForm(w, r); err != nil {
		s.PageError(w, r, err)
		return
	}
	name, next := r.PostFormValue("name"), httpx.SafeNext(r.PostFormValue("next"))
	up := account.ProfileUpdate{Name: &name}
	// The browser's time zone (app.js fills it in; without JavaScript it is
	// empty and the profile keeps UTC), so that every date is in the
	// person's zone from their first page on. One the profile would refuse
	// is left out rather than asked about: the settings page changes it.
	if tz := r.PostFormValue("time_zone"); tz != "" && account.KnownTimeZone(tz) {
		up.TimeZone = &tz
	}
	if _, err := s.accounts.UpdateProfile(r.Context(), up); err != nil {
		f := newForm(map[string]string{"name": name})
		s.formFail(w, r, err, f, func(status int) {
			s.web.Page(w, r, status, "welcome", s.web.Printer(r).T("page.home.title.welcome"), map[string]any{"Next": next, "Form": f})
		})
		return
	}
	redirect(w, r, next)
}

// ---- settings ----

type settingsData struct {
	User      *account.User
	Notice    string
	Locales   []localeOption
	TimeZones []string
	Profile   *formState
	Email     *formState
	Password  *formState
	// Picture is the picture form (avatars.go); Face how others see the
	// person now.
	Picture *formState
	Face    avatarView
	MaxMB   int
}

// localeOption is one language of the settings menu, named in itself.
type localeOption struct{ Code, Name, Dir string }

// commonTimeZones are offered as suggestions; any IANA name is accepted.
var commonTimeZones = []string{"UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin",
	"Europe/Madrid", "Europe/Rome", "Europe/Amsterdam", "Europe/Brussels", "Europe/Vienna", "Europe/Zurich", "Europe/Stockholm",
	"Europe/Oslo", "Europe/Copenhagen", "Europe/Helsinki", "Europe/Warsaw", "Europe/Prague", "Europe/Athens", "Europe/Istanbul",
	"Europe/Kyiv", "Africa/Lagos", "Africa/Nairobi", "Africa/Johannesburg", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore",
	"Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul", "Australia/Perth", "Australia/Sydney", "Pacific/Auckland",
	"America/Sao_Paulo", "America/Argentina/Buenos_Aires", "America/Mexico_City", "America/New_York", "America/Chicago",
	"America/Denver", "America/Los_Angeles", "America/Anchorage", "America/Toronto", "America/Vancouver", "Pacific/Honolulu"}

func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, status int, d settingsData) {
	if d.User == nil {
		u, err := s.accounts.Me(r.Context())
		if err != nil {
			s.PageError(w, r, err)
			return
		}
		d.User = u
	}
	if d.Profile == nil {
		d.Profile = newForm(map[string]string{"name": d.User.Name, "time_zone": d.User.TimeZone, "locale": d.User.Locale})
	}
	if d.Email == nil {
		d.Email = newForm(nil)
	}
	if d.Password == nil {
		d.Password = newForm(nil)
	}
	if d.Picture == nil {
		d.Picture = newForm(nil)
	}
	d.Face, d.MaxMB = pictureFace(d.User), avatar.MaxBytes>>20
	d.Locales, d.TimeZones = nil, commonTimeZones
	for _, l := range lang.Supported {
		d.Locales = append(d.Locales, localeOption{Code: string(l), Name: l.NativeName(), Dir: l.Dir()})
	}
	s.web.Page(w, r, status, "settings", s.web.Printer(r).T("page.settings.title"), d)
}

func (s *Server) SettingsPage(w http.ResponseWriter, r *http.Request) {
	s.renderSettings(w, r, http.StatusOK, settingsData{Notice: s.notice(r)})
}

func (s *Server) SettingsSubmit(w http.ResponseWriter, r *http.Request) {
	if err := httpx.ParseForm(w, r); err != nil {
		s.PageError(w, r, err)
		return
	}
	name, tz, loc := r.PostFormValue("name"), r.PostFormValue("time_zone"), r.PostFormValue("locale")
	if _, err := s.accounts.UpdateProfile(r.Context(), account.ProfileUpdate{Name: &name, TimeZone: &tz, Locale: &loc}); err != nil {
		f := newForm(map[string]string{"name": name, "time_zone": tz, "locale": loc})
		s.formFail(w, r, err, f, func(status int) { s.renderSettings(w, r, status, settingsData{Profile: f}) })
		return
	}
	redirect(w, r, "/settings?done=profile")
}

func (s *Server) SettingsEmailSubmit(w http.ResponseWriter, r *http.Request) {
	if err := httpx.ParseForm(w, r); err != nil {
		s.PageError(w, r, err)
		return
	}
	email := r.PostFormValue("email")
	if err := s.accounts.RequestEmailChange(r.Context(), email); err != nil {
		f := newForm(map[string]string{"email": email})
		s.formFail(w, r, err, f, func(status int) { s.renderSettings(w, r, status, settingsData{Email: f}) })
		return
	}
	redirect(w, r, "/settings?done=email")
}

func (s *Server) SettingsPasswordSubmit(w http.ResponseWriter, r *http.Request) {
	if err := httpx.ParseForm(w, r); err != nil {
		s.PageError(w, r, err)
		return
	}
	current, pw, confirm := r.PostFormValue("current_password"), r.PostFormValue("password"), r.PostFormValue("password_confirm")
	var err error
	done := "password"
	if r.PostFormValue("action") == "remove" {
		err, done = s.accounts.RemovePassword(r.Context(), current), "password-off"
	} else if pw != confirm {
		err = domain.Validation(domain.FieldError{Field: "password_confirm", Message: "does not match the new password"})
	} else {
		err = s.accounts.SetPassword(r.Context(), current, pw)
	}
	if err != nil {
		f := newForm(nil)
		s.formFail(w, r, err, f, func(status int) { s.renderSettings(w, r, status, settingsData{Password: f}) })
		return
	}
	redirect(w, r, "/settings?done="+done)
}

func (s *Server) EmailConfirmPage(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("done") == "changed" {
		s.emailChanged(w, r)
		return
	}
	token := r.URL.Query().Get("token")
	if token == "" || len(token) > 200 || !utf8.ValidString(token) {
		s.PageError(w, r, domain.Errorf(domain.Invalid, "this confirmation link is incomplete; copy the whole link from the email"))
		return
	}
	s.web.Page(w, r, http.StatusOK, "settings_email", s.web.Printer(r).T("page.settings.email_confirm_title"), map[string]any{"Token": token})
}

func (s *Server) EmailConfirmSubmit(w http.ResponseWriter, r *http.Request) {
	if err := httpx.ParseForm(w, r); err != nil {
		s.PageError(w, r, err)
		return
	}
	_, err := s.accounts.ConfirmEmailChange(r.Context(), r.PostFormValue("token"))
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	// Post/Redirect/Get: a refresh shows the confirmation, not the POST again.
	redirect(w, r, "/settings/email/confirm?done=changed")
}

// emailChanged is the confirmation page after EmailConfirmSubmit's
// redirect: with the address when the viewer is signed in (the link may
// be opened signed out).
func (s *Server) emailChanged(w http.ResponseWriter, r *http.Request) {
	d := map[string]any{"Done": true}
	if authz.ActorFrom(r.Context()).Authenticated() {
		if u, err := s.accounts.Me(r.Context()); err == nil {
			d["Email"] = u.Email
		}
	}
	s.web.Page(w, r, http.StatusOK, "settings_email", s.web.Printer(r).T("page.settings.email_changed_title"), d)
}

// ---- tokens ----

type tokensData struct {
	Tokens []account.APIToken
	New    *account.NewToken
	Notice string
	Form   *formState
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, status int, d tokensData) {
	list, err := s.accounts.Tokens(r.Context())
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	d.Tokens = list
	if d.New != nil { // the new token is one of the viewer's, named from the list
		shown := d.New
		d.New = nil
		for i := range list {
			if list[i].ID == shown.Token.ID {
				d.New = &account.NewToken{Token: &list[i], Secret: shown.Secret}
			}
		}
	}
	if d.Form == nil {
		d.Form = newForm(nil)
	}
	s.web.Page(w, r, status, "settings_tokens", s.web.Printer(r).T("page.settings.tokens.title"), d)
}

func (s *Server) TokensPage(w http.ResponseWriter, r *http.Request) {
	d := tokensData{Notice: s.notice(r)}
	// A token just created (TokensCreateSubmit's redirect): shown once.
	if id, secret, ok := strings.Cut(httpx.TakeOnceCookie(w, r, "token"), "."); ok {
		d.New = &account.NewToken{Token: &account.APIToken{ID: id}, Secret: secret}
	}
	s.renderTokens(w, r, http.StatusOK, d)
}

func (s *Server) TokensCreateSubmit(w http.ResponseWriter, r *http.Request) {
	if err := httpx.ParseForm(w, r); err != nil {
		s.PageError(w, r, err)
		return
	}
	name := r.PostFormValue("name")
	t, err := s.accounts.CreateToken(r.Context(), name)
	if err != nil {
		f := newForm(map[string]string{"name": name})
		s.formFail(w, r, err, f, func(status int) { s.renderTokens(w, r, status, tokensData{Form: f}) })
		return
	}
	// Post/Redirect/Get: the secret rides a short-lived cookie to the
	// tokens page, which shows it this once (httpx.OnceCookie).
	httpx.SetOnceCookie(w, "token", t.Token.ID+"."+t.Secret)
	redirect(w, r, "/settings/tokens#new-token")
}

func (s *Server) TokensRevokeSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.accounts.RevokeToken(r.Context(), r.PathValue("id")); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, "/settings/tokens?done=token-revoked")
}

// ---- sessions ----

func (s *Server) SessionsPage(w http.ResponseWriter, r *http.Request) {
	list, err := s.accounts.Sessions(r.Context())
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	s.web.Page(w, r, http.StatusOK, "settings_sessions", s.web.Printer(r).T("page.settings.sessions.title"), map[string]any{"Sessions": list, "Notice": s.notice(r)})
}

func (s *Server) SessionsRevokeSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.accounts.RevokeSession(r.Context(), r.PathValue("id")); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, "/settings/sessions?done=session-ended")
}

func (s *Server) SessionsRevokeAllSubmit(w http.ResponseWriter, r *http.Request) {
	if _, err := s.accounts.SignOutEverywhere(r.Context()); err != nil {
		s.PageError(w, r, err)
		return
	}
	httpx.ClearSessionCookie(w)
	redirect(w, r, "/login?done=signed-out-all")
}
