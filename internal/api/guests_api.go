package api

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/httpx"
)

// JSON API of thread guests and their email invitations (see
// guests_pages.go); the core decides who may do what.

func (s *Server) Guests(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	gs, err := s.discussions.Guests(r.Context(), r.PathValue("tid"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": gs})
}

func (s *Server) GuestInvitations(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	invs, err := s.discussions.GuestInvitations(r.Context(), r.PathValue("tid"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": invs})
}

type guestInviteBody struct {
	Email string `json:"email"`
}

// apiInviteGuestByEmail: an address with an account becomes a guest
// ("added", 201), any other is emailed an invitation ("invited", 201); an
// address already invited gets its invitation renewed ("resent", 200).
func (s *Server) InviteGuestByEmail(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	var in guestInviteBody
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	res, err := s.discussions.InviteGuestByEmail(r.Context(), r.PathValue("tid"), in.Email)
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	status := http.StatusCreated
	if res.Status == "resent" {
		status = http.StatusOK
	}
	httpx.WriteJSON(w, status, res)
}

func (s *Server) RevokeGuestInvitation(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	s.groupNoContent(w, r, s.discussions.RevokeGuestInvitation(r.Context(), r.PathValue("tid"), r.PathValue("iid")))
}

func (s *Server) PreviewGuestInvitation(w http.ResponseWriter, r *http.Request) {
	p, err := s.discussions.PreviewGuestInvitation(r.Context(), r.PathValue("token"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	httpx.WriteJSON(w, http.StatusOK, p)
}

func (s *Server) AcceptGuestInvitation(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	t, err := s.discussions.AcceptGuestInvitation(r.Context(), r.PathValue("token"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]discussion.Thread{"thread": t})
}
