package server

import (
	"net/http"

	"github.com/quorum-app/quorum/infra/facts"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/httpx"
)

// securityFacts is what /security shows: the deployment's facts as the CDK
// stack computed them from its configuration (QUORUM_FACTS), never a
// hand-written promise.
type securityFacts struct {
	Facts *facts.Facts
	// Local marks a development installation, whose local cloud has none of
	// these protections: the page then shows what a deployment with the
	// repository's cdk.json would guarantee, and says so.
	Local bool
}

// GET /security
func (s *Server) securityPage(w http.ResponseWriter, r *http.Request) {
	status := http.StatusOK
	if s.security.Facts == nil {
		status = http.StatusServiceUnavailable
	}
	s.web.Page(w, r, status, "security", "Security and data protection", s.security)
}

// GET /api/v1/security
func (s *Server) apiSecurity(w http.ResponseWriter, r *http.Request) {
	if s.security.Facts == nil {
		httpx.WriteError(w, r, s.log, domain.Errorf(domain.Unavailable, "this installation has not published its security facts"))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"local": s.security.Local, "facts": s.security.Facts})
}
