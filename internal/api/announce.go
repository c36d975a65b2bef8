package api

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/notify"
)

func (s *Server) AnnounceThread(w http.ResponseWriter, r *http.Request) {
	var in notify.Audience
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	s.groupNoContent(w, r, s.discussions.Announce(r.Context(), r.PathValue("tid"), in))
}

func (s *Server) AnnouncePoll(w http.ResponseWriter, r *http.Request) {
	var in notify.Audience
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	s.groupNoContent(w, r, s.decisions.Announce(r.Context(), r.PathValue("pid"), in))
}
