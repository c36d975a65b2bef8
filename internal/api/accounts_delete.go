package api

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/httpx"
)

// POST /api/v1/me/deletion-code → 202 {email, expires_at}
func (s *Server) DeletionCode(w http.ResponseWriter, r *http.Request) {
	sent, err := s.accounts.RequestDeletion(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusAccepted, sent)
}

// DELETE /api/v1/me {code, remove_comments} → 204; the session cookie is cleared.
func (s *Server) DeleteMe(w http.ResponseWriter, r *http.Request) {
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
