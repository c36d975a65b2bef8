package poll

import (
	"slices"
	"testing"
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
