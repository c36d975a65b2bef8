package api

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/httpx"
)

// apiOutcomeHistory: GET /api/v1/polls/{pid}/outcome/history, the edits of
// the outcome, newest first (whoever can see the poll).
func (s *Server) OutcomeHistory(w http.ResponseWriter, r *http.Request) {
	edits, err := s.decisions.OutcomeHistory(r.Context(), r.PathValue("pid"))
	if err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": edits})
}
