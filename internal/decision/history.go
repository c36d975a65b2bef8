package decision

import (
	"slices"
	"time"

	"github.com/quorum-app/quorum/internal/poll"
)

// Vote history (polls that are not anonymous): a ballot keeps its earlier
// stances, so that who changed their vote, and from what, shows wherever
// the ballot itself is shown (the ballot list, the poll card's stances),
// under the same gate (results visible to the viewer, authz.PollBallotsView).
//
// The history lives in the ballot item itself (ballotItem.History): it is
// written by the same conditional write that replaces the ballot, in the
// vote's one transaction, and read with it, so a vote still costs one
// transaction and two reads. It is bounded (MaxBallotHistory, the oldest
// dropped first) and goes with the ballot when it is withdrawn. Anonymous
// polls keep none: a sealed ballot is replaced in place and nothing of its
// earlier choices is kept, linked to a person or not.

// MaxBallotHistory bounds the earlier stances a ballot keeps.
const MaxBallotHistory = 10

// maxHistoryBytes bounds their size as well (reasons of up to
// poll.MaxReasonLength runes of up to 4 bytes each): with the ballot itself
// the item stays well under DynamoDB's 400 KB. The oldest go first.
const maxHistoryBytes = 160_000

// stanceBytes is about what a stance weighs stored (its reason, and each
// choice's option id and score).
func stanceBytes(h pastStance) int {
	n := len(h.Reason) + 64
	for _, c := range h.Choices {
		n += len(c.OptionID) + 32
	}
	return n
}

// pastStance is one earlier stance of a ballot, stored in ballotItem.History.
type pastStance struct {
	Choices        []poll.Choice `dynamo:"Choices"`
	NoneOfTheAbove bool          `dynamo:"NoneOfTheAbove,omitempty"`
	Reason         string        `dynamo:"Reason,omitempty"`
	// At is when this stance was written (the ballot's UpdatedAt then).
	At time.Time `dynamo:"At"`
}

// PastBallot is an earlier stance of a ballot, as the ballot list shows it.
type PastBallot struct {
	Choices        []poll.Choice `json:"choices"`
	NoneOfTheAbove bool          `json:"none_of_the_above,omitempty"`
	Reason         string        `json:"reason,omitempty"`
	// At is when this stance was cast or last changed.
	At time.Time `json:"at"`
}

// sameStance reports whether two ballots say the same (choices, none of the
// above and reason): a write that changes nothing adds no history.
func sameStance(a, b poll.Ballot) bool {
	return a.NoneOfTheAbove == b.NoneOfTheAbove && a.Reason == b.Reason && slices.Equal(a.Choices, b.Choices)
}

// nextHistory is the history of a ballot replaced by next: the previous
// stance prev (written at prevAt) appended when it differs from next, the
// oldest dropped beyond MaxBallotHistory.
func nextHistory(hist []pastStance, prev *poll.Ballot, prevAt time.Time, next poll.Ballot) []pastStance {
	if prev == nil {
		return nil
	}
	if sameStance(*prev, next) {
		return hist
	}
	out := append(slices.Clone(hist), pastStance{Choices: prev.Choices, NoneOfTheAbove: prev.NoneOfTheAbove, Reason: prev.Reason, At: prevAt})
	if len(out) > MaxBallotHistory {
		out = out[len(out)-MaxBallotHistory:]
	}
	total := 0
	for _, h := range out {
		total += stanceBytes(h)
	}
	for len(out) > 1 && total > maxHistoryBytes {
		total -= stanceBytes(out[0])
		out = out[1:]
	}
	return out
}

// view is a ballot as the ballot list and the poll cards show it, with its
// earlier stances, newest first.
func (b *ballotItem) view() BallotView {
	v := BallotView{UserID: b.UserID, Choices: b.Choices, NoneOfTheAbove: b.NoneOfTheAbove,
		Reason: b.Reason, CastAt: &b.CastAt, UpdatedAt: &b.UpdatedAt, CastBy: b.ProxyID}
	for i := len(b.History) - 1; i >= 0; i-- {
		v.History = append(v.History, PastBallot(b.History[i]))
	}
	v.Changed = len(v.History) > 0
	return v
}
