package api

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/httpx"
)

// GET /api/v1/legal: the documents and the version a sign-up sends as
// terms_version.
func (s *Server) Legal(w http.ResponseWriter, r *http.Request) {
	d := s.legal.docs
	httpx.WriteJSON(w, http.StatusOK, map[string]any{
		"terms_version": d.Version(),
		"terms":         legalDocJSON{Title: d.Terms.Title, Version: d.Terms.Version, URL: "/terms", Markdown: d.Terms.Markdown},
		"privacy":       legalDocJSON{Title: d.Privacy.Title, Version: d.Privacy.Version, URL: "/privacy", Markdown: d.Privacy.Markdown},
	})
}

type legalDocJSON struct {
	Title    string `json:"title"`
	Version  string `json:"version"`
	URL      string `json:"url"`
	Markdown string `json:"markdown"`
}
