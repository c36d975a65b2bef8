package pages

import (
	"net/http"
	"net/url"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/reaction"
)

// Reactions on a poll, its outcome and its ballots with a reason
// (decision/reactions.go): the API, the page form and the poll page's
// reaction bars, built like a comment's (reactionButton).

// reactBar is the reactions of one target on the poll page: those used
// (with counts), and the picker for viewers who may react.
type reactBar struct {
	Action, Target, Of string
	Used, All          []reactionButton
	Can                bool
	// Anchor is the bar's element id when "reactions-<target>" would not
	// be unique (a poll's card on the thread page); Back the thread its
	// forms return to (the card's), instead of the poll page.
	Anchor, Back string
}

// newReactBar builds the bar of target from its reactions; of names the
// target for screen readers ("the poll", "the vote by Ben").
func newReactBar(pid, target, of string, rs []decision.Reaction, can bool) *reactBar {
	got := map[string]reactionCount{}
	for _, r := range rs {
		got[r.Name] = reactionCount{Count: r.Count, Mine: r.Mine}
	}
	return reactBarOf(&reactBar{Action: pollURL(pid, "/react"), Target: target, Of: of, Can: can}, got)
}

// reactionCount is how many chose a reaction, and whether the viewer did.
type reactionCount struct {
	Count int
	Mine  bool
}

// reactBarOf fills bar b with every allowed reaction (reaction.Names, in
// order) and those in use from got; nil when none is in use and the viewer
// may not react (nothing to show). The thread's and the poll page's bars.
func reactBarOf(b *reactBar, got map[string]reactionCount) *reactBar {
	for _, name := range reaction.Names {
		re := got[name]
		btn := reactionButton{Name: name, Emoji: reaction.Emoji[name], Label: reactionLabels[name], Count: re.Count, Mine: re.Mine}
		b.All = append(b.All, btn)
		if btn.Count > 0 {
			b.Used = append(b.Used, btn)
		}
	}
	if len(b.Used) == 0 && !b.Can {
		return nil
	}
	return b
}

// pollReactor: the viewer may react in the poll, asked of the decision
// core (who may comment in its thread; it decides again).
func (s *Server) pollReactor(r *http.Request, p decision.Poll) bool {
	return s.pollReacts.CanReact(r.Context(), p)
}

// pollReactions fills the poll page's reaction bars (none when they cannot
// be read: the page still works).
func (s *Server) pollReactions(r *http.Request, d *pollPageData) {
	p := d.Poll
	if p.Status == poll.StatusDraft {
		return
	}
	var voters []string
	for _, b := range d.Ballots {
		if b.UserID != "" && b.Reason != "" {
			voters = append(voters, b.UserID)
		}
	}
	rs, err := s.pollReacts.Reactions(r.Context(), p.ID, voters)
	if err != nil {
		return
	}
	can := s.pollReactor(r, p)
	pr := s.web.Printer(r)
	d.PollReacts = newReactBar(p.ID, decision.ReactPoll, pr.T("page.i18n.react.poll"), rs.Poll, can)
	if d.Outcome != nil {
		d.OutcomeReacts = newReactBar(p.ID, decision.ReactOutcome, pr.T("page.i18n.react.outcome"), rs.Outcome, can)
	}
	if rs.Ballots == nil {
		return
	}
	for i := range d.Ballots {
		b := &d.Ballots[i]
		if b.UserID != "" && b.Reason != "" {
			b.Reacts = newReactBar(p.ID, b.UserID, pr.T("page.i18n.react.vote_by", "Name", pr.Isolate(b.Name)), rs.Ballots[b.UserID], can)
		}
	}
}

// pollReactSubmit: the page form (target, name, on) → back to the target.
func (s *Server) PollReactSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	pid, target := r.PathValue("pid"), r.PostFormValue("target")
	if err := s.pollReacts.React(r.Context(), pid, target, r.PostFormValue("name"), r.PostFormValue("on") != "0"); err != nil {
		s.PageError(w, r, err)
		return
	}
	if back := r.PostFormValue("back"); ids.Valid(back) {
		redirect(w, r, threadURL(back)+"#"+cardReactAnchor(pid))
		return
	}
	anchor := "#reactions-" + url.PathEscape(target)
	redirect(w, r, pollURL(pid)+anchor)
}
