package pages

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/httpx"
)

// Account deletion (#16): settings ask for a code by email, a confirmation
// page takes it; the API does the same in two calls. The account core
// decides everything (code, last admin, what is erased).

type deleteData struct {
	Email string
	Sent  bool
	Form  *formState
}

func (s *Server) renderDelete(w http.ResponseWriter, r *http.Request, status int, d deleteData) {
	u, err := s.accounts.Me(r.Context())
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	d.Email = u.Email
	if d.Form == nil {
		d.Form = newForm(nil)
	}
	s.web.Page(w, r, status, "settings_delete", s.web.Printer(r).T("page.settings.del.title"), d)
}

// GET /settings/delete: the confirmation page (after a code was sent).
func (s *Server) DeletePage(w http.ResponseWriter, r *http.Request) {
	s.renderDelete(w, r, http.StatusOK, deleteData{Sent: r.URL.Query().Get("sent") == "1"})
}

// POST /settings/delete: mail a code, then show the confirmation page.
func (s *Server) DeleteCodeSubmit(w http.ResponseWriter, r *http.Request) {
	if _, err := s.accounts.RequestDeletion(r.Context()); err != nil {
		f := newForm(nil)
		s.formFail(w, r, err, f, func(status int) { s.renderDelete(w, r, status, deleteData{Form: f}) })
		return
	}
	redirect(w, r, "/settings/delete?sent=1")
}

// POST /settings/delete/confirm {code}
func (s *Server) DeleteConfirmSubmit(w http.ResponseWriter, r *http.Request) {
	if err := httpx.ParseForm(w, r); err != nil {
		s.PageError(w, r, err)
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
