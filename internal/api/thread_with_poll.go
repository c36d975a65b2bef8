package api

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/poll"
)

func (s *Server) apiStartThreadWithPoll(w http.ResponseWriter, r *http.Request, in discussion.StartInput, body *threadPollInput) {
	d, err := body.definition()
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	t, p, err := s.threadPolls.Start(r.Context(), in, d)
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	w.Header().Set("Location", threadAPIURL(t.ID))
	httpx.WriteJSON(w, http.StatusCreated, threadWithPoll{Thread: t, Poll: p})
}

// threadPollInput is the poll of a thread started with one.
type threadPollInput struct {
	pollInput
}

// definition checks that the poll names nothing of its own that the
// thread decides (its thread, voters, audience).
func (in *threadPollInput) definition() (poll.Definition, error) {
	if in.ThreadID != "" || len(in.Voters) > 0 || in.Notify != nil {
		return poll.Definition{}, domain.Validation(domain.FieldError{Field: "poll",
			Message: "thread_id, voters and notify are the thread's: leave them out of the poll"})
	}
	d, err := in.pollInput.definition()
	return d, handlerkit.PrefixFields(err, "poll.")
}

// threadWithPoll is the answer of a thread started with a poll: the
// thread, and its poll.
type threadWithPoll struct {
	discussion.Thread
	Poll decision.Poll `json:"poll"`
}
