package api

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/httpx"
)

// POST /api/v1/groups/{id}/members/{uid}/comment-removal → 202 Removal
func (s *Server) RemoveMemberComments(w http.ResponseWriter, r *http.Request) {
	rm, err := s.discussions.RemoveMemberComments(r.Context(), r.PathValue("id"), r.PathValue("uid"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusAccepted, rm)
}

// GET /api/v1/groups/{id}/members/{uid}/comment-removal → 200 Removal
func (s *Server) MemberRemoval(w http.ResponseWriter, r *http.Request) {
	rm, err := s.discussions.MemberRemoval(r.Context(), r.PathValue("id"), r.PathValue("uid"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, rm)
}
