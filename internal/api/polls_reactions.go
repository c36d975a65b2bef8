package api

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/httpx"
)

// apiPollReactions: GET /api/v1/polls/{pid}/reactions[?voter=<uid>...]:
// the reactions on the poll, its outcome and the ballots of the voters
// named (at most decision.MaxReactionBallots).
func (s *Server) PollReactions(w http.ResponseWriter, r *http.Request) {
	voters := r.URL.Query()["voter"]
	if len(voters) > decision.MaxReactionBallots {
		s.pollAPIFail(w, r, domain.Validation(domain.FieldError{Field: "voter", Message: "at most 100"}))
		return
	}
	rs, err := s.decisions.Reactions(r.Context(), r.PathValue("pid"), voters)
	if err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, rs)
}

func (s *Server) PollReact(w http.ResponseWriter, r *http.Request) {
	s.groupNoContent(w, r, s.decisions.React(r.Context(), r.PathValue("pid"), r.PathValue("target"), r.PathValue("name"), true))
}

func (s *Server) PollUnreact(w http.ResponseWriter, r *http.Request) {
	s.groupNoContent(w, r, s.decisions.React(r.Context(), r.PathValue("pid"), r.PathValue("target"), r.PathValue("name"), false))
}
