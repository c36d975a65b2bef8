package poll

import (
	"hash/fnv"
	"math/rand/v2"
	"slices"
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
