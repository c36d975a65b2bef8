package poll

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// resultsOf prepares the ballots, recounts and computes the results.
func resultsOf(t *testing.T, d Definition, eligible int64, in ...Ballot) Results {
	t.Helper()
	d = mustValid(t, d)
	var bs []Ballot
	for i, b := range in {
		p, err := PrepareBallot(d, b)
		if err != nil {
			t.Fatalf("ballot %d: %v", i, fieldsOf(err))
		}
		bs = append(bs, p)
	}
	return ComputeResults(d, Recount(d.Type, bs), eligible)
}

func vote(pairs ...any) Ballot { return Ballot{Choices: cs(pairs...)} }

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// row is the expected figures of one option row.
type row struct {
	id                        string
	total, voters             int64
	avg, scoreP, voterP, maxP float64
}

func checkRows(t *testing.T, r Results, want []row) {
	t.Helper()
	if len(r.Options) != len(want) {
		t.Fatalf("%d rows, want %d", len(r.Options), len(want))
	}
	for i, w := range want {
		g := r.Options[i]
		if g.ID != w.id || g.Total != w.total || g.Voters != w.voters || !near(g.Average, w.avg) ||
			!near(g.ScorePercent, w.scoreP) || !near(g.VoterPercent, w.voterP) || !near(g.MaxScorePercent, w.maxP) {
			t.Errorf("row %d = {%s t%d v%d avg%.4g s%.4g v%.4g m%.4g}, want %+v", i, g.ID, g.Total, g.Voters,
				g.Average, g.ScorePercent, g.VoterPercent, g.MaxScorePercent, w)
		}
		for _, f := range []float64{g.Average, g.ScorePercent, g.VoterPercent, g.MaxScorePercent} {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				t.Errorf("row %d has a non-finite figure", i)
			}
		}
	}
}

func rowOf(r Results, kind string) *ExtraRow {
	for i := range r.Rows {
		if r.Rows[i].Kind == kind {
			return &r.Rows[i]
		}
	}
	return nil
}

func TestResultsNoVotes(t *testing.T) {
	for _, typ := range Types() {
		d := def(typ, 3, func(d *Definition) { d.Settings.QuorumPercent = 50 })
		r := resultsOf(t, d, 10)
		if r.Decided != 0 || r.Undecided != 10 || r.Eligible != 10 {
			t.Errorf("%s: counts %d/%d/%d", typ, r.Decided, r.Undecided, r.Eligible)
		}
		for _, o := range r.Options {
			if o.Total != 0 || o.Voters != 0 || o.Average != 0 || o.ScorePercent != 0 || o.VoterPercent != 0 || o.MaxScorePercent != 0 {
				t.Errorf("%s: %+v", typ, o)
			}
		}
		if r.Quorum == nil || r.Quorum.Required != 5 || r.Quorum.Reached {
			t.Errorf("%s: quorum %+v", typ, r.Quorum)
		}
		if u := rowOf(r, RowUndecided); (u == nil) != (typ == TypeMeeting) || (u != nil && (u.Voters != 10 || u.VoterPercent != 100)) {
			t.Errorf("%s: undecided row %+v", typ, u)
		}
	}
	// Nobody eligible: every percent is 0, not NaN.
	r := resultsOf(t, def(TypeScore, 2, nil), 0)
	checkRows(t, r, []row{{"o1", 0, 0, 0, 0, 0, 0}, {"o2", 0, 0, 0, 0, 0, 0}})
	if u := rowOf(r, RowUndecided); u.VoterPercent != 0 {
		t.Fatal("undecided percent of nobody")
	}
}

func TestResultsProposal(t *testing.T) {
	d := def(TypeProposal, 0, func(d *Definition) {
		d.Settings.VoteShare = []Requirement{
			{OptionID: "agree", Measure: MeasureScorePercent, Op: AtLeast, Threshold: 50},
			{OptionID: "block", Measure: MeasureVoterPercent, Op: AtMost, Threshold: 10},
			{OptionID: "agree", Measure: MeasureScorePercent, Op: AtLeast, Threshold: 50.01},
			{OptionID: "disagree", Measure: MeasureVoterPercent, Op: AtMost, Threshold: 9.99},
		}
	})
	// 2 agree, 1 abstain, 1 disagree of 10 eligible: agree is exactly 50% of
	// the score, disagree exactly 10% of voters.
	r := resultsOf(t, d, 10, vote("agree", 1), vote("abstain", 1), vote("agree", 1), vote("disagree", 1))
	checkRows(t, r, []row{ // option order
		{"agree", 2, 2, 1, 50, 20, 100},
		{"abstain", 1, 1, 1, 25, 10, 50},
		{"disagree", 1, 1, 1, 25, 10, 50},
		{"block", 0, 0, 0, 0, 0, 0},
	})
	passed := []bool{true, true, false, false}
	for i, vs := range r.VoteShare {
		if vs.Passed != passed[i] {
			t.Errorf("requirement %d (%+v) passed=%v", i, vs.Requirement, vs.Passed)
		}
	}
	if !near(r.VoteShare[0].Value, 50) || !near(r.VoteShare[1].Value, 0) {
		t.Errorf("values %+v", r.VoteShare)
	}
	if r.Decided != 4 || r.Undecided != 6 || rowOf(r, RowUndecided).VoterPercent != 60 {
		t.Errorf("counts %+v", r)
	}
	if rowOf(r, RowNoneOfTheAbove) != nil {
		t.Error("no none-of-the-above row for proposals")
	}
}

func TestResultsAllAbstain(t *testing.T) {
	d := def(TypeProposal, 0, func(d *Definition) {
		d.Settings.VoteShare = []Requirement{{OptionID: "agree", Measure: MeasureScorePercent, Op: AtLeast, Threshold: 0}}
	})
	r := resultsOf(t, d, 3, vote("abstain", 1), vote("abstain", 1), vote("abstain", 1))
	checkRows(t, r, []row{
		{"agree", 0, 0, 0, 0, 0, 0},
		{"abstain", 3, 3, 1, 100, 100, 100},
		{"disagree", 0, 0, 0, 0, 0, 0},
		{"block", 0, 0, 0, 0, 0, 0},
	})
	if !r.VoteShare[0].Passed { // 0 >= 0
		t.Error("threshold 0 is met by 0")
	}
	if r.Undecided != 0 || rowOf(r, RowUndecided).VoterPercent != 0 {
		t.Error("nobody undecided")
	}
}

func TestResultsVoteShareNoVotes(t *testing.T) {
	d := def(TypePoll, 2, func(d *Definition) {
		d.Settings.VoteShare = []Requirement{
			{OptionID: "o1", Measure: MeasureScorePercent, Op: AtLeast, Threshold: 50},
			{OptionID: "o1", Measure: MeasureScorePercent, Op: AtMost, Threshold: 50},
			{OptionID: "o1", Measure: MeasureVoterPercent, Op: AtLeast, Threshold: 0},
		}
	})
	r := resultsOf(t, d, 0)
	if got := []bool{r.VoteShare[0].Passed, r.VoteShare[1].Passed, r.VoteShare[2].Passed}; !reflect.DeepEqual(got, []bool{false, true, true}) {
		t.Fatalf("no votes: %v", got)
	}
}

func TestResultsPollTiesAndNota(t *testing.T) {
	d := def(TypePoll, 3, func(d *Definition) {
		d.Settings.MaxChoices = 2
		d.Settings.NoneOfTheAbove = true
	})
	r := resultsOf(t, d, 8,
		vote("o3", 1, "o2", 1), vote("o3", 1), vote("o2", 1),
		Ballot{NoneOfTheAbove: true}, Ballot{NoneOfTheAbove: true}, vote("o1", 1))
	// o2 and o3 tie on 2: option order breaks the tie in the total-desc order.
	checkRows(t, r, []row{
		{"o2", 2, 2, 1, 40, 25, 100},
		{"o3", 2, 2, 1, 40, 25, 100},
		{"o1", 1, 1, 1, 20, 12.5, 50},
	})
	nota := rowOf(r, RowNoneOfTheAbove)
	if nota == nil || nota.Voters != 2 || nota.VoterPercent != 25 {
		t.Fatalf("nota row %+v", nota)
	}
	if r.Decided != 6 || r.Undecided != 2 || r.SumTotals != 5 || r.MaxTotal != 2 {
		t.Fatalf("counts %+v", r)
	}
	if r.Rows[0].Kind != RowNoneOfTheAbove || r.Rows[1].Kind != RowUndecided {
		t.Fatalf("rows %+v", r.Rows)
	}
}

func TestResultsScore(t *testing.T) {
	d := def(TypeScore, 3, nil) // 0..5
	r := resultsOf(t, d, 4,
		vote("o1", 5, "o2", 0, "o3", 5),
		vote("o1", 5, "o2", 0),
		vote("o1", 0, "o3", 1))
	// voters count non-zero scores only: o1 has 2 voters (5, 5) and a 0 rating.
	checkRows(t, r, []row{
		{"o1", 10, 2, 5, 62.5, 50, 100},
		{"o3", 6, 2, 3, 37.5, 50, 60},
		{"o2", 0, 0, 0, 0, 0, 0},
	})
	if got := r.Options[0].ScoreCounts; !reflect.DeepEqual(got, map[int]int64{0: 1, 5: 2}) {
		t.Fatalf("score counts %v", got)
	}
	if got := r.Options[2].ScoreCounts; !reflect.DeepEqual(got, map[int]int64{0: 2}) {
		t.Fatalf("score counts %v", got)
	}
}

func TestResultsRankedChoice(t *testing.T) {
	d := def(TypeRankedChoice, 4, nil) // N = 3
	r := resultsOf(t, d, 5,
		vote("o2", 0, "o1", 0, "o3", 0),
		vote("o1", 0, "o2", 0, "o4", 0),
		vote("o2", 0, "o4", 0, "o1", 0))
	// o2: 3+2+3 = 8; o1: 2+3+1 = 6; o4: 1+2 = 3; o3: 1
	checkRows(t, r, []row{
		{"o2", 8, 3, 8.0 / 3, 8 * 100.0 / 18, 60, 100},
		{"o1", 6, 3, 2, 6 * 100.0 / 18, 60, 75},
		{"o4", 3, 2, 1.5, 3 * 100.0 / 18, 40, 37.5},
		{"o3", 1, 1, 1, 1 * 100.0 / 18, 20, 12.5},
	})
	if got := r.Options[0].RankCounts; !reflect.DeepEqual(got, []int64{2, 1, 0}) {
		t.Fatalf("rank counts of o2 %v", got)
	}
	if got := r.Options[1].RankCounts; !reflect.DeepEqual(got, []int64{1, 1, 1}) {
		t.Fatalf("rank counts of o1 %v", got)
	}
	// Fewer options than N: N = 2, first gets 2.
	r2 := resultsOf(t, def(TypeRankedChoice, 2, nil), 2, vote("o2", 0, "o1", 0))
	checkRows(t, r2, []row{{"o2", 2, 1, 2, 200.0 / 3, 50, 100}, {"o1", 1, 1, 1, 100.0 / 3, 50, 50}})
}

func TestResultsDotVote(t *testing.T) {
	d := def(TypeDotVote, 3, nil) // 8 dots
	r := resultsOf(t, d, 3, vote("o1", 8), vote("o2", 4, "o3", 4), Ballot{})
	checkRows(t, r, []row{
		{"o1", 8, 1, 8, 50, 100.0 / 3, 100},
		{"o2", 4, 1, 4, 25, 100.0 / 3, 50},
		{"o3", 4, 1, 4, 25, 100.0 / 3, 50},
	})
	if r.Decided != 3 || r.Undecided != 0 {
		t.Fatal("a ballot spending no dots is still decided")
	}
}

func TestResultsMeeting(t *testing.T) {
	d := def(TypeMeeting, 3, nil)
	d.Options[0], d.Options[2] = d.Options[2], d.Options[0] // given out of order: kept in time order
	r := resultsOf(t, d, 5,
		vote("o1", 2, "o2", 1, "o3", 0),
		vote("o1", 2, "o2", 2, "o3", 0),
		vote("o1", 0, "o2", 1, "o3", 0))
	// voters = any answer, including no.
	checkRows(t, r, []row{
		{"o1", 4, 3, 4.0 / 3, 50, 60, 100},
		{"o2", 4, 3, 4.0 / 3, 50, 60, 100},
		{"o3", 0, 3, 0, 0, 60, 0},
	})
	if got := r.Options[1].ScoreCounts; !reflect.DeepEqual(got, map[int]int64{MeetingYes: 1, MeetingMaybe: 2}) {
		t.Fatalf("yes/maybe/no %v", got)
	}
	if len(r.Rows) != 0 {
		t.Fatalf("meeting has no undecided row: %+v", r.Rows)
	}
	if r.Options[0].Start == nil || !r.Options[0].Start.Before(*r.Options[1].Start) {
		t.Fatal("time order")
	}
}

func TestResultsCountTarget(t *testing.T) {
	d := def(TypeCount, 0, func(d *Definition) { d.Settings.CountTarget = 4 })
	r := resultsOf(t, d, 10, vote("accept", 1), vote("decline", 1), vote("accept", 1))
	if r.Target == nil || r.Target.Accepts != 2 || r.Target.Percent != 50 || r.Target.Reached {
		t.Fatalf("target %+v", r.Target)
	}
	checkRows(t, r, []row{{"accept", 2, 2, 1, 200.0 / 3, 20, 100}, {"decline", 1, 1, 1, 100.0 / 3, 10, 50}})
	r = resultsOf(t, d, 10, vote("accept", 1), vote("accept", 1), vote("accept", 1), vote("accept", 1), vote("accept", 1))
	if !r.Target.Reached || r.Target.Percent != 125 {
		t.Fatalf("target %+v", r.Target)
	}
}

func TestQuorumBoundary(t *testing.T) {
	tests := []struct {
		percent  int
		eligible int64
		decided  int
		required int64
		reached  bool
	}{
		{50, 10, 5, 5, true},
		{50, 10, 4, 5, false},
		{50, 9, 4, 5, false}, // ceil(4.5) = 5
		{50, 9, 5, 5, true},
		{33, 3, 1, 1, true},  // ceil(0.99) = 1
		{34, 3, 1, 2, false}, // ceil(1.02) = 2
		{100, 3, 3, 3, true},
		{100, 3, 2, 3, false},
		{1, 1000, 10, 10, true},
		{1, 1001, 10, 11, false},
		{50, 0, 0, 0, true},
	}
	for _, tc := range tests {
		d := def(TypeCheck, 0, func(d *Definition) { d.Settings.QuorumPercent = tc.percent })
		var bs []Ballot
		for range tc.decided {
			bs = append(bs, vote("looks_good", 1))
		}
		r := resultsOf(t, d, tc.eligible, bs...)
		if r.Quorum.Required != tc.required || r.Quorum.Reached != tc.reached {
			t.Errorf("%d%% of %d with %d: %+v", tc.percent, tc.eligible, tc.decided, r.Quorum)
		}
	}
	if r := resultsOf(t, def(TypeCheck, 0, nil), 10); r.Quorum != nil {
		t.Error("no quorum set")
	}
}

func TestResultsStaleEligible(t *testing.T) {
	r := resultsOf(t, def(TypeCheck, 0, nil), 1, vote("looks_good", 1), vote("concerned", 1))
	if r.Eligible != 2 || r.Undecided != 0 || r.Options[0].VoterPercent != 50 {
		t.Fatalf("%+v", r)
	}
}

func TestResultsQuestion(t *testing.T) {
	r := resultsOf(t, def(TypeQuestion, 0, nil), 4, Ballot{Reason: "my answer is this"})
	if len(r.Options) != 0 || r.Decided != 1 || r.Undecided != 3 || rowOf(r, RowUndecided).VoterPercent != 75 {
		t.Fatalf("%+v", r)
	}
	if r.Order != OrderNone {
		t.Fatal(r.Order)
	}
}

func TestResultsFromStoredTally(t *testing.T) {
	// The storage layer reads the tally item and computes results from it.
	d := mustValid(t, def(TypeMeeting, 2, func(d *Definition) { d.Settings.TimeZone = "America/New_York" }))
	tl, err := TallyFromAttributes(map[string]int64{"decided": 2, "t.o1": 3, "v.o1": 2, "c.2.o1": 1, "c.1.o1": 1, "v.o2": 2, "c.0.o2": 2, "PK": 0})
	if err != nil {
		t.Fatal(err)
	}
	r := ComputeResults(d, tl, 2)
	if r.Options[0].Total != 3 || r.Options[1].Voters != 2 || r.Options[1].Total != 0 {
		t.Fatalf("%+v", r.Options)
	}
	if !strings.Contains(d.Settings.TimeZone, "New_York") || r.Options[0].Start.Location() != time.UTC {
		t.Fatal("starts stay UTC")
	}
}
