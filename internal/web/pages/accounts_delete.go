package server

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/httpx"
)

// Account deletion (#16): settings ask for a code by email, a confirmation
// page takes it; the API does the same in two calls. The account core
// decides everything (code, last admin, what is erased).

// POST /api/v1/me/deletion-code → 202 {email, expires_at}
func (s *Server) apiDeletionCode(w http.ResponseWriter, r *http.Request) {
	sent, err := s.accounts.RequestDeletion(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusAccepted, sent)
}

// DELETE /api/v1/me {code, remove_comments} → 204; the session cookie is cleared.
func (s *Server) apiDeleteMe(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Code           string `json:"code"`
		RemoveComments bool   `json:"remove_comments"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	if err := s.accounts.DeleteAccountWith(r.Context(), in.Code, account.DeletionOptions{RemoveComments: in.RemoveComments}); err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.ClearSessionCookie(w)
	w.WriteHeader(http.StatusNoContent)
}

type deleteData struct {
	Email string
	Sent  bool
	Form  *formState
}

func (s *Server) renderDelete(w http.ResponseWriter, r *http.Request, status int, d deleteData) {
	u, err := s.accounts.Me(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Email = u.Email
	if d.Form == nil {
		d.Form = newForm(nil)
	}
	s.web.Page(w, r, status, "settings_delete", s.web.Printer(r).T("page.settings.del.title"), d)
}

// GET /settings/delete: the confirmation page (after a code was sent).
func (s *Server) deletePage(w http.ResponseWriter, r *http.Request) {
	s.renderDelete(w, r, http.StatusOK, deleteData{Sent: r.URL.Query().Get("sent") == "1"})
}

// POST /settings/delete: mail a code, then show the confirmation page.
func (s *Server) deleteCodeSubmit(w http.ResponseWriter, r *http.Request) {
	if _, err := s.accounts.RequestDeletion(r.Context()); err != nil {
		f := newForm(nil)
		s.formFail(w, r, err, f, func(status int) { s.renderDelete(w, r, status, deleteData{Form: f}) })
		return
	}
	redirect(w, r, "/settings/delete?sent=1")
}

// POST /settings/delete/confirm {code}
func (s *Server) deleteConfirmSubmit(w http.ResponseWriter, r *http.Request) {
	if err := httpx.ParseForm(w, r); err != nil {
		s.pageError(w, r, err)
		return
	}
	opt := account.DeletionOptions{RemoveComments: r.PostFormValue("remove_comments") == "1"}
	if err := s.accounts.DeleteAccountWith(r.Context(), r.PostFormValue("code"), opt); err != nil {
		f := newForm(nil)
		s.formFail(w, r, err, f, func(status int) { s.renderDelete(w, r, status, deleteData{Sent: true, Form: f}) })
		return
	}
	httpx.ClearSessionCookie(w)
	redirect(w, r, "/login?done=deleted")
}
