package server

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/authz"
)

// home is the dashboard for a signed-in person and the product's home page
// for everyone else.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	if a := authz.ActorFrom(r.Context()); a.Kind == authz.User && a.Authenticated() && s.discussions != nil && s.notifications != nil {
		s.dashboardPage(w, r)
		return
	}
	s.web.Page(w, r, http.StatusOK, "home", "Quorum", nil)
}

func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	s.web.Static().ServeHTTP(w, r)
}
