package api

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/httpx"
)

// apiForkThread: 201 with the new thread when the fork is finished, 202
// when it has steps left (the same request again finishes it).
func (s *Server) ForkThread(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	var in discussion.ForkInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	res, err := s.discussions.ForkComments(r.Context(), r.PathValue("tid"), in)
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	status := http.StatusCreated
	if !res.Done {
		status = http.StatusAccepted
	}
	httpx.WriteJSON(w, status, res)
}
