package api

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/httpx"
)

// apiMoveThread: 200 with the thread when the move is finished, 202 when
// it has steps left (send the same request again to finish it).
func (s *Server) MoveThread(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	var in moveBody
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	res, err := s.discussions.MoveThread(r.Context(), r.PathValue("tid"), in.GroupID)
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	status := http.StatusOK
	if !res.Done {
		status = http.StatusAccepted
	}
	httpx.WriteJSON(w, status, res)
}

type moveBody struct {
	GroupID string `json:"group_id"`
}
