package poll

import (
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"time"
)

// ResultsVisible is the one check every surface (API, pages, emails, CSV
// exports, notifications, counts in lists) makes before showing anything
// derived from a poll's tally or ballots (figures, charts, decided and
// undecided counts, other voters' choices and reasons):
//
//   - closed: visible to everyone who can see the poll;
//   - open: hide_results off: visible; until_vote: visible once the viewer has
//     a ballot; until_closed: hidden;
//   - draft: visible only with hide_results off (there are no ballots).
//
// Poll admins get no exception: an author or group admin who has not voted
// in an until_vote poll, or anyone while an until_closed poll is open, sees
// nothing. Unknown modes hide. A viewer's own ballot is not a result and may
// always be shown to them.
func ResultsVisible(s Settings, status Status, viewerHasVoted bool) bool {
	if status == StatusClosed {
		return true
	}
	switch s.HideResults {
	case HideOff:
		return true
	case HideUntilVote:
		return status == StatusOpen && viewerHasVoted
	}
	return false
}

// ParticipationVisible is the one check every surface makes before showing
// who has or has not voted (the undecided list, a count or list per person,
// pages, exports, notifications to anyone but the person concerned):
//
//   - closed: visible to whoever may see the poll (participation receipts
//     record who was eligible and whether they voted, never how);
//   - otherwise only where ResultsVisible (an undecided list reveals the
//     decided count), and
//   - never while an anonymous poll is open: its figures move with every
//     vote, so reading who left the undecided list between two readings
//     would link that person to the move, and so to their choice and
//     reason. With results hidden until close no figure moves, so
//     participation would not break anonymity; it stays hidden all the same
//     by the rule above (it would reveal the hidden decided count).
//
// Poll admins get no exception. A person's own participation (have I
// voted?) is always theirs to see, and reminders to undecided voters still
// go out: the service finds them without showing anyone the list.
func ParticipationVisible(s Settings, status Status, viewerHasVoted bool) bool {
	if status == StatusClosed {
		return true
	}
	if !ResultsVisible(s, status, viewerHasVoted) {
		return false
	}
	return !s.Anonymous
}

// EditState is the State an edit by a poll admin (or an option added by a
// voter) is validated against, so that the answer never depends on hidden
// state. Whether ballots exist is hidden from the editor whenever the
// results are (ResultsVisible with the editor's own participation): then
// the edit is validated as if ballots existed (State.BallotsHidden), which
// gives the same answer, status and message whatever the ballots. Drafts
// have no ballots, and where the results are visible the decided count is
// no secret: the real state is used.
func EditState(s Settings, st State, now time.Time, editorHasVoted bool) State {
	status := StatusOf(s, st, now)
	if status == StatusDraft || ResultsVisible(s, status, editorHasVoted) {
		return st
	}
	return State{ClosedAt: st.ClosedAt, BallotsHidden: true}
}

// ShuffleSeed derives the per-viewer seed of a shuffled option order, stable
// for one viewer of one poll.
func ShuffleSeed(pollID, viewerID string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(pollID + "\x00" + viewerID)) // a hash.Hash never fails to write
	return h.Sum64()
}

// DisplayOrder is the order a viewer sees the options in: the poll's order,
// or with shuffle_options a permutation fixed by seed (see ShuffleSeed).
// Results and tie-breaks always use the poll's own order.
func DisplayOrder(d Definition, seed uint64) []Option {
	opts := slices.Clone(d.Options)
	if d.Settings.ShuffleOptions && d.Type.AllowsShuffle() {
		r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)) // #nosec G404 -- a reproducible display order, not a secret
		r.Shuffle(len(opts), func(i, j int) { opts[i], opts[j] = opts[j], opts[i] })
	}
	return opts
}
