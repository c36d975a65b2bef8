package pages

// Poll cards on the thread page: each poll of the thread shows where it
// was opened, with what the poll page shows of it (status, closing time,
// chart and figures as the gate allows, the viewer's vote, the outcome),
// the latest reasons, and for the simple types the vote form itself. The
// data comes from one batched call of the decision core
// (decision.Service.Cards); the view is the poll page's (pollView).

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/poll"
)

// cardStances is the number of reasons a card shows.
const cardStances = 3

// pollCard is one poll's card in the timeline.
type pollCard struct {
	V pollPageData
	// Inline: the vote form is on the card (every type; an anonymous
	// poll the viewer voted in links to the poll page, where the receipt
	// is asked for).
	Inline bool
	// Decided is "N of M have voted" (only when results are visible: the
	// count is a figure the gate hides).
	Decided string
	Stances []ballotRow
	// Left is the time left to vote ("3 days left").
	Left string
	// OutcomeBy is the outcome's author, named beside their avatar as on
	// the poll page's outcome card (nil without an outcome).
	OutcomeBy *avatarView
	// Failed is a refused inline vote when the card has no vote form.
	Failed *formState
	// StancesNote: the viewer sees the results but not the list of votes.
	StancesNote bool
	// Item is the timeline item the card stands at (where an inline vote
	// comes back to).
	Item string
	Tid  string
	// ProxyFor are the "Vote for Ada" links (polls_proxy.go).
	ProxyFor []heldLink
	// Reacts is the reaction bar of the poll (its forms come back to the
	// thread).
	Reacts *reactBar
}

// cardReactAnchor is the id of a card's reaction bar.
func cardReactAnchor(pid string) string { return "poll-" + pid + "-reactions" }

// inlineVote is an inline vote the core refused: the thread page shows the
// card again with the error and what was chosen.
type inlineVote struct {
	PollID string
	Form   *formState
	Ballot poll.Ballot
	// Order is a ranked-choice list as the voter arranged it (a no-JS
	// Up/Down move on the card re-renders the thread with it).
	Order []string
}

// inlineTypes are the poll types voted on the card itself: every type.
var inlineTypes = map[poll.Type]bool{
	poll.TypeProposal: true, poll.TypePoll: true, poll.TypeCheck: true, poll.TypeCount: true, poll.TypeQuestion: true,
	poll.TypeRankedChoice: true, poll.TypeScore: true, poll.TypeDotVote: true, poll.TypeMeeting: true,
}

// pollCards puts a card at the first item of each poll on the timeline page
// (the newest decision.MaxCards polls; older ones keep their one-line
// notes).
func (s *Server) pollCards(r *http.Request, items []discussion.Item, timeline []*timelineNode, d *threadPageData) {
	if s.cards == nil {
		return
	}
	first := map[string]string{} // poll id → item id
	var pids []string
	for _, it := range items {
		if it.RefID == "" || !strings.HasPrefix(it.Kind, "poll.") {
			continue
		}
		if _, seen := first[it.RefID]; !seen {
			first[it.RefID] = it.ID
			pids = append(pids, it.RefID)
		}
	}
	if len(pids) == 0 {
		return
	}
	if len(pids) > decision.MaxCards {
		pids = pids[len(pids)-decision.MaxCards:]
	}
	ctx := r.Context()
	// A read: the policy's facts of the group (for a guest or a visitor,
	// who are not members) are read once for all the cards.
	cards, err := s.cards.Cards(group.WithRequestCache(ctx), pids, cardStances)
	if err != nil {
		// The notes remain: the page still works without the cards.
		s.log.WarnContext(ctx, "poll cards failed", "thread_id", d.Thread.ID, "error", err.Error())
		return
	}
	var uids []string // every card's voters' names in one read
	for _, c := range cards {
		for _, b := range c.Stances {
			uids = append(uids, b.UserID, b.CastBy)
		}
		if c.Outcome != nil {
			uids = append(uids, c.Outcome.AuthorID)
		}
		for _, h := range c.Proxies {
			uids = append(uids, h.GrantorID)
		}
	}
	names, pictures := s.manyFaces(ctx, uids)
	byItem := map[string]*pollCard{}
	for _, c := range cards {
		pc := s.pollCard(r, c, names, d)
		setBallotFaces(pc.Stances, pictures)
		if c.Outcome != nil {
			by := faceOf(c.Outcome.AuthorID, names[c.Outcome.AuthorID], pictures[c.Outcome.AuthorID])
			pc.OutcomeBy = &by
		}
		pc.Item, pc.Tid = first[c.Poll.ID], d.Thread.ID
		byItem[pc.Item] = pc
		// Its voters among the thread's participants (the core names them
		// only where the reader may know who voted).
		d.voters = append(d.voters, c.Voters...)
		if res := c.Results.Results; c.Voters != nil && res != nil && res.Decided > int64(len(c.Voters)) {
			d.votersMore += int(res.Decided) - len(c.Voters) // #nosec G115 -- voter counts are small
		}
	}
	var attach func(ns []*timelineNode)
	attach = func(ns []*timelineNode) {
		for _, n := range ns {
			if c, ok := byItem[n.ID]; ok && n.RefID == c.V.Poll.ID {
				n.Card = c
			}
			attach(n.Children)
		}
	}
	attach(timeline)
}

// pollCard builds one card from the core's answer.
func (s *Server) pollCard(r *http.Request, c decision.Card, names map[string]string, d *threadPageData) *pollCard {
	pc := &pollCard{V: s.pollView(r, c.Poll, c.Mine, c.Results, c.Outcome), StancesNote: c.StancesNote}
	pc.V.SignedIn = d.Caps.SignedIn
	pc.Inline = inlineTypes[c.Poll.Definition.Type] && !(c.Poll.Definition.Settings.Anonymous && c.Mine.Voted)
	if f := d.FailedVote; f != nil && f.PollID == c.Poll.ID {
		if pc.V.Vote == nil {
			pc.Failed = f.Form // no form to show it on (the poll closed meanwhile, say)
		} else {
			pc.V.Vote = s.voteFormFor(r, c.Poll, c.Mine, &f.Ballot, f.Order)
			pc.V.Vote.Form, pc.V.Vote.Changing = f.Form, true
		}
	}
	if pc.V.Vote != nil {
		pc.V.Vote.Prefix = "p" + c.Poll.ID + "-"
	}
	if res := c.Results.Results; c.Results.Hidden == nil && res != nil {
		pr := s.web.Printer(r)
		pc.Decided = pr.N("page.thread.decided", int(res.Eligible), "Decided", pr.Number(int(res.Decided))) // #nosec G115 -- voter counts are small
		if len(pc.V.Summary) > 0 {
			pc.V.Summary = pc.V.Summary[1:] // the same count, said at the top of the card
		}
	}
	pc.Stances = ballotRowsNamed(s.web.Printer(r), c.Poll.Definition, c.Stances, names)
	pc.ProxyFor = proxyCardLinks(c, names)
	if c.Poll.Status != poll.StatusDraft {
		// Who may comment in the thread may react to its polls (the core
		// decides again): the thread page's answer, no read per card.
		if b := newReactBar(c.Poll.ID, decision.ReactPoll, s.web.Printer(r).T("page.i18n.react.poll"), c.Reactions, d.Caps.Comment); b != nil {
			b.Anchor, b.Back = cardReactAnchor(c.Poll.ID), d.Thread.ID
			pc.Reacts = b
		}
	}
	if at := c.Poll.Definition.Settings.ClosingAt; at != nil && c.Poll.Status == poll.StatusOpen {
		pc.Left = timeLeftText(s.web.Printer(r), *at, time.Now())
	}
	return pc
}

// voteBackURL is where an inline vote from item of thread tid returns: the
// page holding the item, at the poll's card, with a notice.
func voteBackURL(tid, item, pid, done string) string {
	q := url.Values{"done": {done}}
	if item != "" {
		q.Set("comment", item)
	}
	return threadURL(tid) + "?" + q.Encode() + "#poll-" + url.PathEscape(pid)
}
