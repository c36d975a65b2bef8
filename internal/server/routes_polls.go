package server

import (
	"github.com/quorum-app/quorum/internal/decision"
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
		{Pattern: "GET /api/v1/groups/{id}/polls", Access: Public, Handler: s.apiListPolls},
		{Pattern: "POST /api/v1/groups/{id}/polls", Access: Token, Handler: s.apiCreatePoll, Lists: []httpx.List{listOptions, listVoteShare, listVoters, listNotify, listTags}},
		{Pattern: "GET /api/v1/polls/{pid}", Access: Public, Handler: s.apiGetPoll},
		{Pattern: "PATCH /api/v1/polls/{pid}", Access: Token, Handler: s.apiUpdatePoll, Lists: []httpx.List{listOptions, listVoteShare, listNotify}},
		{Pattern: "DELETE /api/v1/polls/{pid}", Access: Token, Handler: s.apiDeletePoll},
		{Pattern: "POST /api/v1/polls/{pid}/extend", Access: Token, Handler: s.apiExtendPoll},
		{Pattern: "POST /api/v1/polls/{pid}/close", Access: Token, Handler: s.apiClosePoll},
		{Pattern: "POST /api/v1/polls/{pid}/reopen", Access: Token, Handler: s.apiReopenPoll},
		{Pattern: "POST /api/v1/polls/{pid}/options", Access: Token, Handler: s.apiAddOption},
		{Pattern: "GET /api/v1/polls/{pid}/voters", Access: Public, Handler: s.apiVoters},
		{Pattern: "POST /api/v1/polls/{pid}/voters", Access: Token, Handler: s.apiAddVoter},
		{Pattern: "DELETE /api/v1/polls/{pid}/voters/{uid}", Access: Token, Handler: s.apiRemoveVoter},
		{Pattern: "GET /api/v1/polls/{pid}/ballot", Access: Token, Handler: s.apiMyBallot},
		{Pattern: "PUT /api/v1/polls/{pid}/ballot", Access: Token, Handler: s.apiVote, Lists: []httpx.List{listChoices}},
		{Pattern: "DELETE /api/v1/polls/{pid}/ballot", Access: Token, Handler: s.apiWithdraw},
		{Pattern: "POST /api/v1/polls/{pid}/receipt", Access: Public, Handler: s.apiVerifyReceipt},
		{Pattern: "GET /api/v1/polls/{pid}/results", Access: Public, Handler: s.apiResults},
		{Pattern: "GET /api/v1/polls/{pid}/results.csv", Access: Public, Handler: s.apiResultsCSV},
		{Pattern: "GET /api/v1/polls/{pid}/ballots", Access: Public, Handler: s.apiBallots},
		{Pattern: "GET /api/v1/polls/{pid}/ballots.csv", Access: Public, Handler: s.apiBallotsCSV},
		{Pattern: "GET /api/v1/polls/{pid}/undecided", Access: Token, Handler: s.apiUndecided},
		{Pattern: "POST /api/v1/polls/{pid}/remind", Access: Token, Handler: s.apiRemind},
		{Pattern: "POST /api/v1/polls/{pid}/announce", Access: Token, Handler: s.apiAnnouncePoll, Lists: []httpx.List{listAnnounce}},
		{Pattern: "GET /api/v1/polls/{pid}/outcome", Access: Public, Handler: s.apiGetOutcome},
		{Pattern: "PUT /api/v1/polls/{pid}/outcome", Access: Token, Handler: s.apiSetOutcome},
		{Pattern: "GET /api/v1/polls/{pid}/outcome.ics", Access: Public, Handler: s.apiOutcomeICS},
		{Pattern: "GET /api/v1/polls/{pid}/outcome/history", Access: Public, Handler: s.apiOutcomeHistory},
		{Pattern: "GET /api/v1/polls/{pid}/reactions", Access: Public, Handler: s.apiPollReactions},
		{Pattern: "PUT /api/v1/polls/{pid}/reactions/{target}/{name}", Access: Token, Handler: s.apiPollReact},
		{Pattern: "DELETE /api/v1/polls/{pid}/reactions/{target}/{name}", Access: Token, Handler: s.apiPollUnreact},

		// Pages
		{Pattern: "GET /groups/{id}/polls", Access: Public, Page: true, Handler: s.pollListPage},
		{Pattern: "GET /groups/{id}/polls/new", Access: Session, Page: true, Handler: s.pollNewPage},
		{Pattern: "POST /groups/{id}/polls", Access: Session, Page: true, Handler: s.pollCreateSubmit, Lists: []httpx.List{formOptions, formVoters, formNotify, formTags}},
		{Pattern: "GET /polls/{pid}", Access: Public, Page: true, Handler: s.pollPage},
		{Pattern: "GET /polls/{pid}/edit", Access: Session, Page: true, Handler: s.pollEditPage},
		{Pattern: "POST /polls/{pid}/edit", Access: Session, Page: true, Handler: s.pollEditSubmit, Lists: []httpx.List{formOptions, formNotify}},
		{Pattern: "POST /polls/{pid}/vote", Access: Session, Page: true, Handler: s.pollVoteSubmit, Lists: []httpx.List{formChoices, formOrder}},
		{Pattern: "POST /polls/{pid}/withdraw", Access: Session, Page: true, Handler: s.pollWithdrawSubmit},
		{Pattern: "POST /polls/{pid}/close", Access: Session, Page: true, Handler: s.pollCloseSubmit},
		{Pattern: "POST /polls/{pid}/extend", Access: Session, Page: true, Handler: s.pollExtendSubmit},
		{Pattern: "POST /polls/{pid}/reopen", Access: Session, Page: true, Handler: s.pollReopenSubmit},
		{Pattern: "POST /polls/{pid}/remind", Access: Session, Page: true, Handler: s.pollRemindSubmit},
		{Pattern: "POST /polls/{pid}/announce", Access: Session, Page: true, Handler: s.pollAnnounceSubmit, Lists: []httpx.List{formNotify}},
		{Pattern: "POST /polls/{pid}/delete", Access: Session, Page: true, Handler: s.pollDeleteSubmit},
		{Pattern: "POST /polls/{pid}/outcome", Access: Session, Page: true, Handler: s.pollOutcomeSubmit},
		{Pattern: "POST /polls/{pid}/react", Access: Session, Page: true, Handler: s.pollReactSubmit},
		{Pattern: "GET /polls/{pid}/receipt", Access: Public, Page: true, Handler: s.pollReceiptPage},
		{Pattern: "POST /polls/{pid}/receipt", Access: Session, Page: true, Handler: s.pollReceiptSubmit},
		{Pattern: "POST /polls/{pid}/options", Access: Session, Page: true, Handler: s.pollAddOptionSubmit},
		{Pattern: "POST /polls/{pid}/voters", Access: Session, Page: true, Handler: s.pollAddVoterSubmit},
		{Pattern: "POST /polls/{pid}/voters/{uid}/remove", Access: Session, Page: true, Handler: s.pollRemoveVoterSubmit},
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
