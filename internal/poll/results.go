package poll

import (
	"slices"
	"time"
)

// OptionResult is the result row of one option.
type OptionResult struct {
	ID     string     `json:"id"`
	Label  string     `json:"label"`
	Start  *time.Time `json:"start,omitempty"` // meeting
	AllDay bool       `json:"all_day,omitempty"`
	// Index is the option's position in the poll's option order.
	Index  int   `json:"index"`
	Total  int64 `json:"total"`
	Voters int64 `json:"voters"`
	// Average = total / voters (0 without voters).
	Average float64 `json:"average"`
	// ScorePercent = total / sum of all option totals x 100.
	ScorePercent float64 `json:"score_percent"`
	// VoterPercent = voters / eligible x 100.
	VoterPercent float64 `json:"voter_percent"`
	// MaxScorePercent = total / largest option total x 100 (bar length).
	MaxScorePercent float64 `json:"max_score_percent"`
	// ScoreCounts[s] = ballots giving score s (meeting: 2 yes, 1 maybe, 0 no;
	// score: the rating distribution; ranked_choice: see RankCounts).
	ScoreCounts map[int]int64 `json:"score_counts,omitempty"`
	// RankCounts[r] = ballots ranking the option at place r+1 (ranked_choice).
	RankCounts []int64 `json:"rank_counts,omitempty"`
}

// ExtraRow is a result row that is not an option.
type ExtraRow struct {
	Kind         string  `json:"kind"` // "none_of_the_above" or "undecided"
	Voters       int64   `json:"voters"`
	VoterPercent float64 `json:"voter_percent"`
}

// Extra row kinds.
const (
	RowNoneOfTheAbove = "none_of_the_above"
	RowUndecided      = "undecided"
)

// QuorumResult reports the quorum: reached when decided >= required, with
// required = ceil(percent x eligible / 100) computed in integers.
type QuorumResult struct {
	Percent  int   `json:"percent"`
	Required int64 `json:"required"`
	Reached  bool  `json:"reached"`
}

// TargetResult reports a count poll: accepts against the target.
type TargetResult struct {
	Target  int64   `json:"target"`
	Accepts int64   `json:"accepts"`
	Percent float64 `json:"target_percent"`
	Reached bool    `json:"reached"`
}

// RequirementResult is the outcome of one vote-share requirement.
type RequirementResult struct {
	Requirement
	Value  float64 `json:"value"` // the measured percent
	Passed bool    `json:"passed"`
}

// Results are every figure of a poll, computed from its tally.
type Results struct {
	Type      Type                `json:"type"`
	Order     ResultOrder         `json:"order"`
	Eligible  int64               `json:"eligible"`
	Decided   int64               `json:"decided"`
	Undecided int64               `json:"undecided"`
	SumTotals int64               `json:"sum_totals"`
	MaxTotal  int64               `json:"max_total"`
	Options   []OptionResult      `json:"options"`
	Rows      []ExtraRow          `json:"rows"`
	Quorum    *QuorumResult       `json:"quorum,omitempty"`
	Target    *TargetResult       `json:"target,omitempty"`
	VoteShare []RequirementResult `json:"vote_share,omitempty"`
}

// percent is num / den x 100, and 0 when den is 0 (never NaN).
func percent(num, den int64) float64 {
	if den == 0 {
		return 0
	}
	return float64(num) * 100 / float64(den)
}

// ceilPercent is ceil(p x n / 100) in integers.
func ceilPercent(p int, n int64) int64 { return (int64(p)*n + 99) / 100 }

// ComputeResults derives every result figure from a tally. eligible is the
// size of the voter set (at close: the frozen count). Undecided = eligible -
// decided, never below 0; the reported eligible is decided + undecided, so a
// stale voter count cannot make percents exceed 100 through a negative
// undecided. Options appear in the type's default order (ties keep option
// order). Callers must check ResultsVisible first.
func ComputeResults(d Definition, tl Tally, eligible int64) Results {
	r := Results{Type: d.Type, Order: d.Type.DefaultOrder(), Decided: tl.Decided}
	r.Undecided = max(eligible-tl.Decided, 0)
	r.Eligible = r.Decided + r.Undecided

	for _, o := range d.Options {
		ot := tl.Options[o.ID]
		r.SumTotals += ot.Total
		r.MaxTotal = max(r.MaxTotal, ot.Total)
	}
	n := d.RankedN()
	for i, o := range d.Options {
		ot := tl.Options[o.ID]
		or := OptionResult{
			ID: o.ID, Label: o.Label, Index: i, AllDay: o.AllDay,
			Total: ot.Total, Voters: ot.Voters,
			ScorePercent:    percent(ot.Total, r.SumTotals),
			VoterPercent:    percent(ot.Voters, r.Eligible),
			MaxScorePercent: percent(ot.Total, r.MaxTotal),
		}
		if ot.Voters != 0 {
			or.Average = float64(ot.Total) / float64(ot.Voters)
		}
		if d.Type == TypeMeeting {
			s := o.Start
			or.Start = &s
		}
		if d.Type.CountsScores() {
			or.ScoreCounts = map[int]int64{}
			for s, c := range ot.ScoreCounts {
				if c != 0 {
					or.ScoreCounts[s] = c
				}
			}
		}
		if d.Type == TypeRankedChoice {
			or.RankCounts = make([]int64, n)
			for rank := range n {
				or.RankCounts[rank] = ot.ScoreCounts[n-rank]
			}
		}
		r.Options = append(r.Options, or)
	}
	switch r.Order {
	case OrderTotalDesc:
		slices.SortStableFunc(r.Options, func(a, b OptionResult) int {
			switch {
			case a.Total > b.Total:
				return -1
			case a.Total < b.Total:
				return 1
			}
			return a.Index - b.Index
		})
	case OrderTime:
		loc := meetingLocation(d.Settings)
		slices.SortStableFunc(r.Options, func(a, b OptionResult) int {
			x := optionInstant(d.Options[a.Index], loc)
			y := optionInstant(d.Options[b.Index], loc)
			if c := x.Compare(y); c != 0 {
				return c
			}
			return a.Index - b.Index
		})
	}

	if d.Settings.NoneOfTheAbove {
		r.Rows = append(r.Rows, ExtraRow{Kind: RowNoneOfTheAbove, Voters: tl.NoneOfTheAbove,
			VoterPercent: percent(tl.NoneOfTheAbove, r.Eligible)})
	}
	if d.Type != TypeMeeting {
		r.Rows = append(r.Rows, ExtraRow{Kind: RowUndecided, Voters: r.Undecided,
			VoterPercent: percent(r.Undecided, r.Eligible)})
	}
	if q := d.Settings.QuorumPercent; q > 0 {
		req := ceilPercent(q, r.Eligible)
		r.Quorum = &QuorumResult{Percent: q, Required: req, Reached: r.Decided >= req}
	}
	if d.Type == TypeCount {
		target := int64(d.Settings.CountTarget)
		accepts := tl.Options[OptionAccept].Total
		r.Target = &TargetResult{Target: target, Accepts: accepts,
			Percent: percent(accepts, target), Reached: target > 0 && accepts >= target}
	}
	for _, req := range d.Settings.VoteShare {
		r.VoteShare = append(r.VoteShare, evalRequirement(req, tl, r))
	}
	return r
}

// evalRequirement compares exactly: for a percent num/den x 100 and a
// threshold of bp basis points, num x 10000 against bp x den (a percent with
// den 0 is 0).
func evalRequirement(req Requirement, tl Tally, r Results) RequirementResult {
	ot := tl.Options[req.OptionID]
	num, den := ot.Total, r.SumTotals
	if req.Measure == MeasureVoterPercent {
		num, den = ot.Voters, r.Eligible
	}
	out := RequirementResult{Requirement: req, Value: percent(num, den)}
	bp, ok := thresholdBP(req.Threshold)
	if !ok {
		return out
	}
	lhs, rhs := num*10000, bp*den // percent x 100 x den, threshold x 100 x den
	if den == 0 {
		lhs, rhs = 0, bp
	}
	switch req.Op {
	case AtLeast:
		out.Passed = lhs >= rhs
	case AtMost:
		out.Passed = lhs <= rhs
	}
	return out
}
