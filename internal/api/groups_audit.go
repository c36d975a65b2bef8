package api

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/httpx"
)

func (s *Server) Audit(w http.ResponseWriter, r *http.Request) {
	if s.audit == nil {
		s.groupAPIFail(w, r, errAuditOff)
		return
	}
	cursor, limit, err := handlerkit.GroupPageParams(r)
	if err == nil {
		var page audit.Page
		if page, err = s.audit.List(r.Context(), r.PathValue("id"), cursor, limit); err == nil {
			httpx.WriteJSON(w, http.StatusOK, page)
			return
		}
	}
	s.groupAPIFail(w, r, err)
}

func (s *Server) AuditVerify(w http.ResponseWriter, r *http.Request) {
	if s.audit == nil {
		s.groupAPIFail(w, r, errAuditOff)
		return
	}
	rep, err := s.audit.Verify(r.Context(), r.PathValue("id"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, rep)
}

var errAuditOff = domain.Errorf(domain.Unavailable, "the record of admin actions is not available on this server")
