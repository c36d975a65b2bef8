package server

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/poll"
)

// pollRoutes: polls of every type, ballots, results, outcomes, exports.
// Every handler translates and calls the decision core, which asks the one
// policy (authz.Group) and applies the one results-visibility gate; none
// decides access itself. Public routes still answer per actor: a poll of a
// secret group is 404 to outsiders, a draft to everyone but its author.
func (s *Server) pollRoutes() []Route {
	routes := []Route{
		// JSON API
		{Pattern: "GET /api/v1/groups/{id}/polls", Access: Public, Handler: s.api.ListPolls},
		{Pattern: "POST /api/v1/groups/{id}/polls", Access: Token, Handler: s.api.CreatePoll, Lists: []httpx.List{listOptions, listVoteShare, listVoters, listNotify, listTags}},
		{Pattern: "GET /api/v1/polls/{pid}", Access: Public, Handler: s.api.GetPoll},
		{Pattern: "PATCH /api/v1/polls/{pid}", Access: Token, Handler: s.api.UpdatePoll, Lists: []httpx.List{listOptions, listVoteShare, listNotify}},
		{Pattern: "DELETE /api/v1/polls/{pid}", Access: Token, Handler: s.api.DeletePoll},
		{Pattern: "POST /api/v1/polls/{pid}/extend", Access: Token, Handler: s.api.ExtendPoll},
		{Pattern: "POST /api/v1/polls/{pid}/close", Access: Token, Handler: s.api.ClosePoll},
		{Pattern: "POST /api/v1/polls/{pid}/reopen", Access: Token, Handler: s.api.ReopenPoll},
		{Pattern: "POST /api/v1/polls/{pid}/options", Access: Token, Handler: s.api.AddOption},
		{Pattern: "GET /api/v1/polls/{pid}/voters", Access: Public, Handler: s.api.Voters},
		{Pattern: "POST /api/v1/polls/{pid}/voters", Access: Token, Handler: s.api.AddVoter},
		{Pattern: "DELETE /api/v1/polls/{pid}/voters/{uid}", Access: Token, Handler: s.api.RemoveVoter},
		{Pattern: "GET /api/v1/polls/{pid}/ballot", Access: Token, Handler: s.api.MyBallot},
		{Pattern: "PUT /api/v1/polls/{pid}/ballot", Access: Token, Handler: s.api.Vote, Lists: []httpx.List{listChoices}},
		{Pattern: "DELETE /api/v1/polls/{pid}/ballot", Access: Token, Handler: s.api.Withdraw},
		{Pattern: "POST /api/v1/polls/{pid}/receipt", Access: Public, Handler: s.api.VerifyReceipt},
		{Pattern: "GET /api/v1/polls/{pid}/results", Access: Public, Handler: s.api.Results},
		{Pattern: "GET /api/v1/polls/{pid}/results.csv", Access: Public, Handler: s.api.ResultsCSV},
		{Pattern: "GET /api/v1/polls/{pid}/ballots", Access: Public, Handler: s.api.Ballots},
		{Pattern: "GET /api/v1/polls/{pid}/ballots.csv", Access: Public, Handler: s.api.BallotsCSV},
		{Pattern: "GET /api/v1/polls/{pid}/undecided", Access: Token, Handler: s.api.Undecided},
		{Pattern: "POST /api/v1/polls/{pid}/remind", Access: Token, Handler: s.api.Remind},
		{Pattern: "POST /api/v1/polls/{pid}/announce", Access: Token, Handler: s.api.AnnouncePoll, Lists: []httpx.List{listAnnounce}},
		{Pattern: "GET /api/v1/polls/{pid}/outcome", Access: Public, Handler: s.api.GetOutcome},
		{Pattern: "PUT /api/v1/polls/{pid}/outcome", Access: Token, Handler: s.api.SetOutcome},
		{Pattern: "GET /api/v1/polls/{pid}/outcome.ics", Access: Public, Handler: s.api.OutcomeICS},
		{Pattern: "GET /api/v1/polls/{pid}/outcome/history", Access: Public, Handler: s.api.OutcomeHistory},
		{Pattern: "GET /api/v1/polls/{pid}/reactions", Access: Public, Handler: s.api.PollReactions},
		{Pattern: "PUT /api/v1/polls/{pid}/reactions/{target}/{name}", Access: Token, Handler: s.api.PollReact},
		{Pattern: "DELETE /api/v1/polls/{pid}/reactions/{target}/{name}", Access: Token, Handler: s.api.PollUnreact},

		// Pages
		{Pattern: "GET /groups/{id}/polls", Access: Public, Page: true, Handler: s.pages.PollListPage},
		{Pattern: "GET /groups/{id}/polls/new", Access: Session, Page: true, Handler: s.pages.PollNewPage},
		{Pattern: "POST /groups/{id}/polls", Access: Session, Page: true, Handler: s.pages.PollCreateSubmit, Lists: []httpx.List{formOptions, formVoters, formNotify, formTags}},
		{Pattern: "GET /polls/{pid}", Access: Public, Page: true, Handler: s.pages.PollPage},
		{Pattern: "GET /polls/{pid}/edit", Access: Session, Page: true, Handler: s.pages.PollEditPage},
		{Pattern: "POST /polls/{pid}/edit", Access: Session, Page: true, Handler: s.pages.PollEditSubmit, Lists: []httpx.List{formOptions, formNotify}},
		{Pattern: "POST /polls/{pid}/vote", Access: Session, Page: true, Handler: s.pages.PollVoteSubmit, Lists: []httpx.List{formChoices, formOrder}},
		{Pattern: "POST /polls/{pid}/withdraw", Access: Session, Page: true, Handler: s.pages.PollWithdrawSubmit},
		{Pattern: "POST /polls/{pid}/close", Access: Session, Page: true, Handler: s.pages.PollCloseSubmit},
		{Pattern: "POST /polls/{pid}/extend", Access: Session, Page: true, Handler: s.pages.PollExtendSubmit},
		{Pattern: "POST /polls/{pid}/reopen", Access: Session, Page: true, Handler: s.pages.PollReopenSubmit},
		{Pattern: "POST /polls/{pid}/remind", Access: Session, Page: true, Handler: s.pages.PollRemindSubmit},
		{Pattern: "POST /polls/{pid}/announce", Access: Session, Page: true, Handler: s.pages.PollAnnounceSubmit, Lists: []httpx.List{formNotify}},
		{Pattern: "POST /polls/{pid}/delete", Access: Session, Page: true, Handler: s.pages.PollDeleteSubmit},
		{Pattern: "POST /polls/{pid}/outcome", Access: Session, Page: true, Handler: s.pages.PollOutcomeSubmit},
		{Pattern: "POST /polls/{pid}/react", Access: Session, Page: true, Handler: s.pages.PollReactSubmit},
		{Pattern: "GET /polls/{pid}/receipt", Access: Public, Page: true, Handler: s.pages.PollReceiptPage},
		{Pattern: "POST /polls/{pid}/receipt", Access: Session, Page: true, Handler: s.pages.PollReceiptSubmit},
		{Pattern: "POST /polls/{pid}/options", Access: Session, Page: true, Handler: s.pages.PollAddOptionSubmit},
		{Pattern: "POST /polls/{pid}/voters", Access: Session, Page: true, Handler: s.pages.PollAddVoterSubmit},
		{Pattern: "POST /polls/{pid}/voters/{uid}/remove", Access: Session, Page: true, Handler: s.pages.PollRemoveVoterSubmit},
	}
	routes = append(routes, s.proxyRoutes()...)
	for i := range routes {
		routes[i].Handler = s.needPolls(routes[i].Page, httpx.WithLists(routes[i].Lists, routes[i].Handler))
	}
	return routes
}

// The lists of poll bodies and forms (httpx/bounds.go), bounded by the decision
// core's limits.
var (
	listOptions   = httpx.List{Field: "options", Max: poll.MaxOptions}
	listVoteShare = httpx.List{Field: "settings.vote_share", Max: poll.MaxRequirements}
	listVoters    = httpx.List{Field: "voters", Max: decision.MaxVotersAtCreate}
	listChoices   = httpx.List{Field: "choices", Max: poll.MaxOptions}
	// The poll form: options one per line, voters as ticked boxes.
	formOptions = httpx.List{Field: "options", Max: poll.MaxOptions, Split: httpx.FormLines}
	formVoters  = httpx.List{Field: "voter", Max: decision.MaxVotersAtCreate}
	// The vote form: ticked options plus "none of the above", and the
	// ranked order of every option.
	formChoices = httpx.List{Field: "choice", Max: poll.MaxOptions + 1}
	formOrder   = httpx.List{Field: "order", Max: poll.MaxOptions, Split: httpx.FormCommas}
)

var errPollsOff = domain.Errorf(domain.Unavailable, "polls are not available on this server")

// needPolls answers 503 when the server was built without the decision
// service (unit tests of other areas).
func (s *Server) needPolls(page bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.decisions == nil || s.groups == nil {
			if page {
				s.pages.PageError(w, r, errPollsOff)
				return
			}
			httpx.WriteError(w, r, s.log, errPollsOff)
			return
		}
		h(w, r)
	}
}
