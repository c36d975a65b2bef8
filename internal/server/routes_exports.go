package server

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/httpx"
)

var errExportsOff = domain.Errorf(domain.Unavailable, "exports are not available")

func (s *Server) exportRoutes() []Route {
	routes := []Route{
		// JSON API
		{Pattern: "POST /api/v1/me/exports", Access: Session, Handler: s.api.RequestExport},
		{Pattern: "GET /api/v1/me/exports", Access: Session, Handler: s.api.Exports},
		{Pattern: "POST /api/v1/exports/{id}/link", Access: Session, Handler: s.api.ExportLink},
		{Pattern: "POST /api/v1/groups/{id}/exports", Access: Session, Handler: s.api.RequestGroupExport},
		{Pattern: "GET /api/v1/groups/{id}/exports", Access: Session, Handler: s.api.GroupExports},

		// Pages
		{Pattern: "GET /settings/export", Access: Session, Page: true, Handler: s.pages.ExportPage},
		{Pattern: "POST /settings/export", Access: Session, Page: true, Handler: s.pages.ExportSubmit},
		{Pattern: "POST /exports/{id}/download", Access: Session, Page: true, Handler: s.pages.ExportDownload},
		{Pattern: "GET /groups/{id}/export", Access: Session, Page: true, Handler: s.pages.GroupExportPage},
		{Pattern: "POST /groups/{id}/export", Access: Session, Page: true, Handler: s.pages.GroupExportSubmit},
	}
	for i := range routes {
		routes[i].Handler = s.needExports(routes[i].Page, httpx.WithLists(routes[i].Lists, routes[i].Handler))
	}
	return routes
}

func (s *Server) needExports(page bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.exports == nil {
			err := error(errExportsOff)
			if !authz.ActorFrom(r.Context()).Authenticated() {
				err = authz.ErrSignIn // sign in first, whatever is wired
			}
			if page {
				s.pages.PageError(w, r, err)
				return
			}
			httpx.WriteError(w, r, s.log, err)
			return
		}
		h(w, r)
	}
}
