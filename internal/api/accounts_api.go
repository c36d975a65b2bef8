package api

import (
	"net/http"
	"time"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/idempotency"
)

// meJSON is the API view of the signed-in person.
type meJSON struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	Name        string    `json:"name"`
	TimeZone    string    `json:"time_zone"`
	Locale      string    `json:"locale"`
	CreatedAt   time.Time `json:"created_at"`
	HasPassword bool      `json:"has_password"`
}

func meOf(u *account.User) meJSON {
	return meJSON{ID: u.ID, Email: u.Email, Name: u.Name, TimeZone: u.TimeZone, Locale: u.Locale,
		CreatedAt: u.CreatedAt, HasPassword: u.HasPassword()}
}

type sessionJSON struct {
	ID                string    `json:"id"`
	CreatedAt         time.Time `json:"created_at"`
	LastSeenAt        time.Time `json:"last_seen_at"`
	ExpiresAt         time.Time `json:"expires_at"`
	AbsoluteExpiresAt time.Time `json:"absolute_expires_at"`
	Device            string    `json:"device"`
	Current           bool      `json:"current"`
}

func sessionOf(x *account.Session) sessionJSON {
	return sessionJSON{ID: x.ID, CreatedAt: x.CreatedAt, LastSeenAt: x.LastSeenAt, ExpiresAt: x.IdleExpiresAt,
		AbsoluteExpiresAt: x.AbsoluteExpiresAt, Device: x.Device, Current: x.Current}
}

func (s *Server) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	httpx.WriteError(w, r, s.log, err)
}

// POST /api/v1/auth/login {email} → 202, always the same body.
func (s *Server) Login(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string `json:"email"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	sent, err := s.accounts.RequestLogin(r.Context(), handlerkit.ClientOf(r), in.Email)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusAccepted, map[string]any{
		"status":     "sent",
		"message":    "If the address can receive mail, a sign-in code and link are on their way. They expire in 15 minutes.",
		"expires_at": sent.ExpiresAt,
	})
}

func (s *Server) signedIn(w http.ResponseWriter, v *account.Verification, status int) {
	httpx.SetSessionCookie(w, v.Token, v.Session.AbsoluteExpiresAt)
	httpx.WriteJSON(w, status, map[string]any{
		"user":        meOf(v.User),
		"new_account": v.NewAccount,
		"needs_name":  v.User.NeedsName(),
		"session":     sessionOf(v.Session),
	})
}

// POST /api/v1/auth/verify {email, code} or {token}; optional name for a new account.
func (s *Server) Verify(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string `json:"email"`
		Code  string `json:"code"`
		Token string `json:"token"`
		Name  string `json:"name"`
		// Terms is the version of the terms the person accepted (GET
		// /api/v1/legal); needed only when the address has no account yet.
		Terms string `json:"terms_version"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	var v *account.Verification
	var err error
	client := handlerkit.ClientOf(r)
	client.Terms = in.Terms
	switch {
	case in.Token != "" && (in.Code != "" || in.Email != ""):
		err = domain.Validation(domain.FieldError{Field: "token", Message: "send either token, or email and code"})
	case in.Token != "":
		v, err = s.accounts.VerifyLink(r.Context(), client, in.Token, in.Name)
	default:
		var fe domain.FieldErrors
		if in.Email == "" {
			fe.Add("email", "is required")
		}
		if in.Code == "" {
			fe.Add("code", "is required")
		}
		if err = fe.Err(); err == nil {
			v, err = s.accounts.VerifyCode(r.Context(), client, in.Email, in.Code, in.Name)
		}
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.signedIn(w, v, http.StatusOK)
}

// POST /api/v1/auth/password {email, password}
func (s *Server) PasswordLogin(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	v, err := s.accounts.PasswordLogin(r.Context(), handlerkit.ClientOf(r), in.Email, in.Password)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.signedIn(w, v, http.StatusOK)
}

// POST /api/v1/auth/logout → 204
func (s *Server) Logout(w http.ResponseWriter, r *http.Request) {
	if err := s.accounts.SignOut(r.Context(), handlerkit.SessionToken(r)); err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.ClearSessionCookie(w)
	w.WriteHeader(http.StatusNoContent)
}

// GET /api/v1/me
func (s *Server) Me(w http.ResponseWriter, r *http.Request) {
	u, err := s.accounts.Me(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, meOf(u))
}

// PATCH /api/v1/me {name?, time_zone?, locale?}
func (s *Server) UpdateMe(w http.ResponseWriter, r *http.Request) {
	var in account.ProfileUpdate
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	u, err := s.accounts.UpdateProfile(r.Context(), in)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, meOf(u))
}

// PUT /api/v1/me/password {current_password?, password} → 204
func (s *Server) SetPassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Current  string `json:"current_password"`
		Password string `json:"password"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	if err := s.accounts.SetPassword(r.Context(), in.Current, in.Password); err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// DELETE /api/v1/me/password {current_password?} → 204
func (s *Server) RemovePassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Current string `json:"current_password"`
	}
	if r.ContentLength != 0 {
		if err := httpx.DecodeJSON(w, r, &in); err != nil {
			s.apiFail(w, r, err)
			return
		}
	}
	if err := s.accounts.RemovePassword(r.Context(), in.Current); err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// POST /api/v1/me/email {email} → 202
func (s *Server) ChangeEmail(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string `json:"email"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	if err := s.accounts.RequestEmailChange(r.Context(), in.Email); err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusAccepted, map[string]string{"status": "sent",
		"message": "A confirmation link was sent to the new address. The change applies when it is opened."})
}

// POST /api/v1/me/email/confirm {token} → 200 with the account
func (s *Server) ConfirmEmail(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Token string `json:"token"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	u, err := s.accounts.ConfirmEmailChange(r.Context(), in.Token)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "changed", "email": u.Email})
}

// GET /api/v1/me/sessions
func (s *Server) Sessions(w http.ResponseWriter, r *http.Request) {
	list, err := s.accounts.Sessions(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := make([]sessionJSON, 0, len(list))
	for i := range list {
		out = append(out, sessionOf(&list[i]))
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": out})
}

// DELETE /api/v1/me/sessions → 204, every session (this one too) ends.
func (s *Server) SignOutEverywhere(w http.ResponseWriter, r *http.Request) {
	if _, err := s.accounts.SignOutEverywhere(r.Context()); err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.ClearSessionCookie(w)
	w.WriteHeader(http.StatusNoContent)
}

// DELETE /api/v1/me/sessions/{id} → 204
func (s *Server) RevokeSession(w http.ResponseWriter, r *http.Request) {
	if err := s.accounts.RevokeSession(r.Context(), r.PathValue("id")); err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// GET /api/v1/me/tokens
func (s *Server) Tokens(w http.ResponseWriter, r *http.Request) {
	list, err := s.accounts.Tokens(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": list})
}

// POST /api/v1/me/tokens {name} → 201 {token, secret}; the secret is shown only here.
func (s *Server) CreateToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	t, err := s.accounts.CreateToken(r.Context(), in.Name)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	// The secret is shown once: never stored for an Idempotency-Key replay.
	w.Header().Set(idempotency.SensitiveHeader, "1")
	httpx.WriteJSON(w, http.StatusCreated, t)
}

// DELETE /api/v1/me/tokens/{id} → 204
func (s *Server) RevokeToken(w http.ResponseWriter, r *http.Request) {
	if err := s.accounts.RevokeToken(r.Context(), r.PathValue("id")); err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
