package server

import (
	"net/http"
	"strings"

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
	v := securityView{securityFacts: s.security}
	if f := s.security.Facts; f != nil {
		v.Lists = securityLists{Resources: strings.Join(f.Backups.Resources, ", "), CopyRegions: strings.Join(f.Backups.CopyRegions, ", "),
			PITRRegions: strings.Join(f.PointInTimeRecovery.Regions, ", "), ReplicaRegions: strings.Join(f.Replication.TableReplicaRegions, ", ")}
	}
	s.web.Page(w, r, status, "security", s.web.Printer(r).T("page.trust.security_title"), v)
}

// securityView is the page's data: the facts, and their lists joined for
// the sentences that name them (a translated sentence takes one value).
type securityView struct {
	securityFacts
	Lists securityLists
}

type securityLists struct{ Resources, CopyRegions, PITRRegions, ReplicaRegions string }

// GET /api/v1/security
func (s *Server) apiSecurity(w http.ResponseWriter, r *http.Request) {
	if s.security.Facts == nil {
		httpx.WriteError(w, r, s.log, domain.Errorf(domain.Unavailable, "this installation has not published its security facts"))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"local": s.security.Local, "facts": s.security.Facts})
}
