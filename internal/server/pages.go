package server

import (
	"net/http"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	s.web.Page(w, r, http.StatusOK, "home", "Quorum", nil)
}

func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	s.web.Static().ServeHTTP(w, r)
}
