package server

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/httpx"
)

func (s *Server) importRoutes() []Route {
	routes := []Route{
		// JSON API
		{Pattern: "POST /api/v1/imports", Access: Token, Handler: s.api.StartImport},
		{Pattern: "GET /api/v1/imports", Access: Token, Handler: s.api.Imports},
		{Pattern: "GET /api/v1/imports/{id}", Access: Token, Handler: s.api.Import},
		{Pattern: "POST /api/v1/imports/{id}/begin", Access: Token, Handler: s.api.BeginImport},

		// Pages
		{Pattern: "GET /groups/import", Access: Session, Page: true, Handler: s.pages.ImportPage},
		{Pattern: "POST /groups/import", Access: Session, Page: true, Handler: s.pages.ImportSubmit},
	}
	for i := range routes {
		routes[i].Handler = s.needImports(routes[i].Page, httpx.WithLists(routes[i].Lists, routes[i].Handler))
	}
	return routes
}

var errImportsOff = domain.Errorf(domain.Unavailable, "imports are not available")

func (s *Server) needImports(page bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.imports == nil {
			err := error(errImportsOff)
			if !authz.ActorFrom(r.Context()).Authenticated() {
				err = authz.ErrSignIn
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
