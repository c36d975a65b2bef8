package api

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/ids"
)

func (s *Server) PollProxy(w http.ResponseWriter, r *http.Request) {
	pp, err := s.decisions.PollProxiesOf(r.Context(), r.PathValue("pid"))
	if err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, pp)
}

func (s *Server) GroupProxy(w http.ResponseWriter, r *http.Request) {
	gp, err := s.decisions.GroupProxiesOf(r.Context(), r.PathValue("id"))
	if err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, gp)
}

func (s *Server) apiGrant(w http.ResponseWriter, r *http.Request, gid, pid string) {
	var in proxyBody
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	p, err := s.decisions.GrantProxy(r.Context(), gid, pid, in.GranteeID)
	if err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, p)
}

func (s *Server) GrantPollProxy(w http.ResponseWriter, r *http.Request) {
	s.apiGrant(w, r, "", r.PathValue("pid"))
}

func (s *Server) GrantGroupProxy(w http.ResponseWriter, r *http.Request) {
	if !ids.Valid(r.PathValue("id")) {
		s.pollAPIFail(w, r, authz.ErrHidden)
		return
	}
	s.apiGrant(w, r, r.PathValue("id"), "")
}

func (s *Server) RevokePollProxy(w http.ResponseWriter, r *http.Request) {
	if err := s.decisions.RevokeProxy(r.Context(), "", r.PathValue("pid")); err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) RevokeGroupProxy(w http.ResponseWriter, r *http.Request) {
	if err := s.decisions.RevokeProxy(r.Context(), r.PathValue("id"), ""); err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

type proxyBody struct {
	GranteeID string `json:"grantee_id"`
}
