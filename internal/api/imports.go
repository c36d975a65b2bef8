package api

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/httpx"
)

// POST /api/v1/imports {size} → 202 ImportJob with its upload
func (s *Server) StartImport(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Size int64 `json:"size"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	j, err := s.imports.StartImport(r.Context(), in.Size)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusAccepted, j)
}

// POST /api/v1/imports/{id}/begin → 202 ImportJob
func (s *Server) BeginImport(w http.ResponseWriter, r *http.Request) {
	j, err := s.imports.Begin(r.Context(), r.PathValue("id"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusAccepted, j)
}

// GET /api/v1/imports/{id} → ImportJob
func (s *Server) Import(w http.ResponseWriter, r *http.Request) {
	j, err := s.imports.GetImport(r.Context(), r.PathValue("id"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, j)
}

// GET /api/v1/imports → {imports: [ImportJob]}
func (s *Server) Imports(w http.ResponseWriter, r *http.Request) {
	js, err := s.imports.Imports(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"imports": js})
}
