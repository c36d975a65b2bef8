package poll

import (
	"slices"
	"testing"
	"time"
)

func TestResultsVisible(t *testing.T) {
	tests := []struct {
		hide   HideResults
		status Status
		voted  bool
		want   bool
	}{
		{HideOff, StatusDraft, false, true},
		{HideOff, StatusOpen, false, true},
		{HideOff, StatusOpen, true, true},
		{HideOff, StatusClosed, false, true},
		{HideUntilVote, StatusDraft, false, false},
		{HideUntilVote, StatusOpen, false, false},
		{HideUntilVote, StatusOpen, true, true},
		{HideUntilVote, StatusClosed, false, true},
		{HideUntilClosed, StatusDraft, false, false},
		{HideUntilClosed, StatusOpen, false, false},
		{HideUntilClosed, StatusOpen, true, false},
		{HideUntilClosed, StatusClosed, false, true},
		{HideUntilClosed, StatusClosed, true, true},
		{HideResults("bogus"), StatusOpen, true, false},
	}
	for _, tc := range tests {
		s := DefaultSettings(TypePoll)
		s.HideResults = tc.hide
		if got := ResultsVisible(s, tc.status, tc.voted); got != tc.want {
			t.Errorf("ResultsVisible(%s, %s, voted=%v) = %v, want %v", tc.hide, tc.status, tc.voted, got, tc.want)
		}
	}
}

func TestParticipationVisible(t *testing.T) {
	tests := []struct {
		hide   HideResults
		anon   bool
		status Status
		voted  bool
		want   bool
	}{
		{HideOff, false, StatusOpen, false, true},
		{HideOff, true, StatusOpen, false, false}, // figures move: who voted would link
		{HideOff, true, StatusOpen, true, false},
		{HideOff, true, StatusClosed, false, true},
		{HideUntilVote, false, StatusOpen, false, false},
		{HideUntilVote, false, StatusOpen, true, true},
		{HideUntilVote, true, StatusOpen, true, false},
		{HideUntilVote, true, StatusClosed, false, true},
		{HideUntilClosed, false, StatusOpen, true, false},
		{HideUntilClosed, true, StatusOpen, true, false},
		{HideUntilClosed, true, StatusClosed, false, true},
		{HideOff, true, StatusDraft, false, false},
	}
	for _, tc := range tests {
		s := DefaultSettings(TypeProposal)
		s.HideResults, s.Anonymous = tc.hide, tc.anon
		if got := ParticipationVisible(s, tc.status, tc.voted); got != tc.want {
			t.Errorf("ParticipationVisible(%s, anonymous=%v, %s, voted=%v) = %v, want %v", tc.hide, tc.anon, tc.status, tc.voted, got, tc.want)
		}
		// Never more than the results themselves.
		if ParticipationVisible(s, tc.status, tc.voted) && !ResultsVisible(s, tc.status, tc.voted) {
			t.Errorf("participation visible where results are not: %+v", tc)
		}
	}
}

// The state an edit is checked against never depends on the ballots when
// the editor may not see the results: zero and three ballots give the
// same state, hence the same answer.
func TestEditState(t *testing.T) {
	closedAt := now.Add(-time.Hour)
	for _, hide := range []HideResults{HideOff, HideUntilVote, HideUntilClosed} {
		for _, voted := range []bool{false, true} {
			s := DefaultSettings(TypePoll)
			s.HideResults, s.ClosingAt = hide, at(24)
			none := EditState(s, State{}, now, voted)
			some := EditState(s, State{Decided: 3}, now, voted)
			visible := ResultsVisible(s, StatusOpen, voted)
			if visible && (none.BallotsHidden || some.Decided != 3 || none.Decided != 0) {
				t.Errorf("%s voted=%v: visible results use the real state: %+v %+v", hide, voted, none, some)
			}
			if !visible && (none != some || !none.BallotsHidden || none.Decided != 0) {
				t.Errorf("%s voted=%v: hidden results must give one state: %+v %+v", hide, voted, none, some)
			}
			draft := s
			draft.ClosingAt = nil
			if st := EditState(draft, State{}, now, voted); st.BallotsHidden {
				t.Errorf("%s: a draft has no ballots to hide", hide)
			}
			if st := EditState(s, State{ClosedAt: &closedAt, Decided: 2}, now, voted); st.BallotsHidden || st.Decided != 2 {
				t.Errorf("%s: closed polls show their results: %+v", hide, st)
			}
		}
	}
}

func TestInVoterSet(t *testing.T) {
	whole := DefaultSettings(TypeProposal)
	guests := whole
	guests.ThreadGuestsMayVote = true
	chosen := whole
	chosen.SpecifiedVotersOnly = true
	tests := []struct {
		name string
		s    Settings
		r    Relation
		want bool
	}{
		{"member, whole group", whole, Relation{Member: true}, true},
		{"thread guest, whole group", whole, Relation{ThreadGuest: true}, false},
		{"thread guest, guests invited", guests, Relation{ThreadGuest: true}, true},
		{"member, guests invited", guests, Relation{Member: true}, true},
		{"outsider, guests invited", guests, Relation{}, false},
		{"chosen member", chosen, Relation{Member: true, Chosen: true}, true},
		{"member not chosen", chosen, Relation{Member: true}, false},
		{"chosen thread guest", chosen, Relation{ThreadGuest: true, Chosen: true}, true},
		{"chosen, left everything", chosen, Relation{Chosen: true}, false},
	}
	for _, tc := range tests {
		if got := InVoterSet(tc.s, tc.r); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestDisplayOrder(t *testing.T) {
	d := mustValid(t, def(TypePoll, 8, nil))
	if got := ids(DisplayOrder(d, 1)); !slices.Equal(got, ids(d.Options)) {
		t.Fatalf("without shuffle the order is kept: %v", got)
	}
	d.Settings.ShuffleOptions = true
	a := ids(DisplayOrder(d, ShuffleSeed("p1", "u1")))
	b := ids(DisplayOrder(d, ShuffleSeed("p1", "u1")))
	c := ids(DisplayOrder(d, ShuffleSeed("p1", "u2")))
	if !slices.Equal(a, b) {
		t.Fatal("stable per viewer")
	}
	if slices.Equal(a, c) {
		t.Fatal("differs between viewers (for these seeds)")
	}
	if !slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(ids(d.Options)))) {
		t.Fatal("a permutation")
	}
	if !slices.Equal(ids(d.Options), ids(labelled(8))) {
		t.Fatal("the definition is not modified")
	}
}
