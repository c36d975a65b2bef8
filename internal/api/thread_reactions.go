package api

import "net/http"

func (s *Server) ReactThread(w http.ResponseWriter, r *http.Request) {
	s.groupNoContent(w, r, s.discussions.ReactThread(r.Context(), r.PathValue("tid"), r.PathValue("name"), true))
}

func (s *Server) UnreactThread(w http.ResponseWriter, r *http.Request) {
	s.groupNoContent(w, r, s.discussions.ReactThread(r.Context(), r.PathValue("tid"), r.PathValue("name"), false))
}
