package api

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/export"
	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/httpx"
)

// POST /api/v1/me/exports → 202 Export
func (s *Server) RequestExport(w http.ResponseWriter, r *http.Request) {
	e, err := s.exports.Request(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusAccepted, e)
}

// GET /api/v1/me/exports → {exports: [Export]}
func (s *Server) Exports(w http.ResponseWriter, r *http.Request) {
	es, err := s.exports.List(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"exports": es})
}

// POST /api/v1/exports/{id}/link[?part=n] → {url, expires_at}
func (s *Server) ExportLink(w http.ResponseWriter, r *http.Request) {
	part, err := handlerkit.ExportPart(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	url, exp, err := s.exports.DownloadPart(r.Context(), r.PathValue("id"), part)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"url": url, "expires_at": exp})
}

// POST /api/v1/groups/{id}/exports [{subgroups}] → 202 Export (admins)
func (s *Server) RequestGroupExport(w http.ResponseWriter, r *http.Request) {
	var opt export.GroupOptions
	if r.ContentLength != 0 && r.Body != http.NoBody {
		if err := httpx.DecodeJSON(w, r, &opt); err != nil {
			s.apiFail(w, r, err)
			return
		}
	}
	e, err := s.exports.RequestGroupWith(r.Context(), r.PathValue("id"), opt)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusAccepted, e)
}

// GET /api/v1/groups/{id}/exports → {exports: [Export]} (admins)
func (s *Server) GroupExports(w http.ResponseWriter, r *http.Request) {
	es, err := s.exports.ListGroup(r.Context(), r.PathValue("id"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"exports": es})
}
