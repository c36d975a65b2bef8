package api

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/mailpref"
)

// ---- JSON API ----

func (s *Server) MailPrefs(w http.ResponseWriter, r *http.Request) {
	p, err := s.mailprefs.Get(r.Context())
	if err != nil {
		httpx.WriteError(w, r, s.log, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, p)
}

func (s *Server) UpdateMailPrefs(w http.ResponseWriter, r *http.Request) {
	var in mailpref.Update
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteError(w, r, s.log, err)
		return
	}
	p, err := s.mailprefs.Update(r.Context(), in)
	if err != nil {
		httpx.WriteError(w, r, s.log, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, p)
}

func (s *Server) SetOptOut(w http.ResponseWriter, r *http.Request) {
	s.apiOptOut(w, r, true)
}

func (s *Server) DeleteOptOut(w http.ResponseWriter, r *http.Request) {
	s.apiOptOut(w, r, false)
}

func (s *Server) apiOptOut(w http.ResponseWriter, r *http.Request, off bool) {
	sc := mailpref.Scope{Kind: r.PathValue("kind"), ID: r.PathValue("id")}
	if sc.Kind != mailpref.ScopeGroup && sc.Kind != mailpref.ScopeThread {
		httpx.WriteError(w, r, s.log, domain.Errorf(domain.NotFound, "there is nothing at %s", r.URL.Path))
		return
	}
	if err := s.mailprefs.SetOptOut(r.Context(), sc, off); err != nil {
		httpx.WriteError(w, r, s.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
