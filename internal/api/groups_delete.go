package api

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/httpx"
)

// DELETE /api/v1/groups/{id} {name} → 202 group (deleting_at, purge_at)
func (s *Server) DeleteGroup(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	// Without a body the core still answers first (404 for a hidden
	// group), then that the name is missing.
	if r.ContentLength != 0 {
		if err := httpx.DecodeJSON(w, r, &in); err != nil {
			s.apiFail(w, r, err)
			return
		}
	}
	g, err := s.groups.Delete(r.Context(), r.PathValue("id"), in.Name)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusAccepted, g)
}

// POST /api/v1/groups/{id}/restore → 200 group
func (s *Server) RestoreGroup(w http.ResponseWriter, r *http.Request) {
	g, err := s.groups.Restore(r.Context(), r.PathValue("id"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, g)
}
