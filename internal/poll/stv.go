package poll

import (
	"math/big"
	"slices"
)

// STV candidate statuses.
const (
	STVContinuing = "continuing"
	STVElected    = "elected"
	STVExcluded   = "excluded"
)

// STV round actions.
const (
	ActionSurplus = "transfer_surplus"
	ActionExclude = "exclude"
	ActionFinish  = "finish"
)

// STV tie-break rules recorded on a round.
const (
	TieBreakEarlierRound = "earlier_round"
	TieBreakOptionOrder  = "option_order"
)

// STVCandidate is one option's standing at a round.
type STVCandidate struct {
	ID     string  `json:"id"`
	Votes  float64 `json:"votes"`
	Exact  string  `json:"exact"` // the same value as an exact fraction, e.g. "7/3"
	Status string  `json:"status"`
}

// STVRound is one count: the standing after the previous round's action,
// who reached the quota at this count, then this round's action.
type STVRound struct {
	Number     int            `json:"number"`
	Candidates []STVCandidate `json:"candidates"` // poll order
	Exhausted  float64        `json:"exhausted"`
	// ExhaustedExact is Exhausted as an exact fraction.
	ExhaustedExact string   `json:"exhausted_exact"`
	Elected        []string `json:"elected,omitempty"`
	// Action: transfer_surplus (of Subject, Amount votes), exclude (Subject,
	// its Amount votes move on) or finish.
	Action  string  `json:"action"`
	Subject string  `json:"subject,omitempty"`
	Amount  float64 `json:"amount,omitempty"`
	// TieBreak says how a tie was broken choosing Subject (or the election
	// order of Elected): earlier_round or option_order; "" when none.
	TieBreak string `json:"tie_break,omitempty"`
}

// STVResult is the single transferable vote count of a ranked_choice poll.
type STVResult struct {
	Seats   int        `json:"seats"`
	Ballots int64      `json:"ballots"` // ballots ranking at least one option
	Quota   int64      `json:"quota"`   // Droop: floor(ballots / (seats + 1)) + 1
	Elected []string   `json:"elected"` // in order of election
	Rounds  []STVRound `json:"rounds"`
}

type stvBallot struct {
	prefs  []int
	weight *big.Rat
	pos    int // index in prefs of the current holder; len(prefs) = exhausted
}

// STV counts a ranked_choice poll by single transferable vote with the
// Droop quota and the weighted inclusive Gregory method, in exact rational
// arithmetic:
//
//   - every ballot ranking at least one option is worth 1 and sits with its
//     highest-ranked continuing option; "none of the above" ballots and empty
//     rankings take no part (they do not count towards the quota);
//   - each round, every continuing option with votes >= quota is elected
//     (ordered by votes, highest first); if seats are filled, or the
//     continuing options are no more than the seats left (they are all
//     elected), the count ends;
//   - otherwise the largest untransferred surplus (votes - quota > 0) of an
//     elected option is transferred: every ballot it holds moves to its next
//     continuing option at weight x surplus / votes; the option keeps the
//     quota;
//   - when no surplus is pending, the continuing option with the fewest votes
//     is excluded and its ballots move on at their current weight;
//   - a ballot without a further continuing option is exhausted.
//
// Ties (fewest votes to exclude, largest surplus or election order) are broken
// by the votes at the earliest round where the tied options differ (the
// forward rule), then by poll option order (the earlier option is favoured:
// elected first, excluded last). With no ballots nobody is elected.
// seats <= 0 is treated as 1.
func STV(d Definition, ballots []Ballot, seats int) STVResult {
	k := len(d.Options)
	seats = max(seats, 1)
	rs := rankings(d, ballots)
	res := STVResult{Seats: seats, Ballots: int64(len(rs))}
	res.Quota = res.Ballots/int64(seats+1) + 1
	if len(rs) == 0 || k == 0 {
		return res
	}
	quota := new(big.Rat).SetInt64(res.Quota)
	status := make([]string, k)
	for i := range status {
		status[i] = STVContinuing
	}
	bs := make([]*stvBallot, len(rs))
	for i, r := range rs {
		bs[i] = &stvBallot{prefs: r, weight: big.NewRat(1, 1)}
	}
	holder := func(b *stvBallot) int {
		if b.pos < len(b.prefs) {
			return b.prefs[b.pos]
		}
		return -1
	}
	// advance moves a ballot to its next continuing option (or exhausts it).
	advance := func(b *stvBallot) {
		b.pos++
		for b.pos < len(b.prefs) && status[b.prefs[b.pos]] != STVContinuing {
			b.pos++
		}
	}
	votes := make([]*big.Rat, k)
	transferred := make([]bool, k) // elected and surplus transferred: keeps the quota
	count := func() *big.Rat {
		for i := range votes {
			votes[i] = new(big.Rat)
			if transferred[i] {
				votes[i].Set(quota)
			}
		}
		ex := new(big.Rat)
		for _, b := range bs {
			if h := holder(b); h >= 0 {
				votes[h].Add(votes[h], b.weight)
			} else {
				ex.Add(ex, b.weight)
			}
		}
		return ex
	}
	var history [][]*big.Rat // votes per round, for tie-breaks
	var elected []int
	pending := map[int]bool{} // elected, surplus not yet transferred
	surplus := func(i int) *big.Rat { return new(big.Rat).Sub(votes[i], quota) }
	// pick returns the favoured (or disfavoured, lowest) candidate among tied
	// ones by the forward rule, then option order.
	pick := func(tied []int, lowest bool) (int, string) {
		if len(tied) == 1 {
			return tied[0], ""
		}
		for _, round := range history {
			var best []int
			for _, i := range tied {
				if len(best) == 0 {
					best = []int{i}
					continue
				}
				c := round[i].Cmp(round[best[0]])
				if lowest {
					c = -c
				}
				switch {
				case c > 0:
					best = []int{i}
				case c == 0:
					best = append(best, i)
				}
			}
			if len(best) == 1 {
				return best[0], TieBreakEarlierRound
			}
			tied = best
		}
		if lowest {
			return slices.Max(tied), TieBreakOptionOrder
		}
		return slices.Min(tied), TieBreakOptionOrder
	}
	// order sorts candidates by value (highest first), breaking ties by pick.
	order := func(cands []int, value func(int) *big.Rat) ([]int, string) {
		var out []int
		how := ""
		rest := slices.Clone(cands)
		for len(rest) > 0 {
			top := []int{rest[0]}
			for _, i := range rest[1:] {
				switch c := value(i).Cmp(value(top[0])); {
				case c > 0:
					top = []int{i}
				case c == 0:
					top = append(top, i)
				}
			}
			w, h := pick(top, false)
			if h != "" {
				how = h
			}
			out = append(out, w)
			rest = slices.DeleteFunc(rest, func(i int) bool { return i == w })
		}
		return out, how
	}

	for round := 1; ; round++ {
		ex := count()
		snap := make([]*big.Rat, k)
		for i := range votes {
			snap[i] = new(big.Rat).Set(votes[i])
		}
		history = append(history, snap)
		rd := STVRound{Number: round}
		rd.Exhausted, _ = ex.Float64()
		rd.ExhaustedExact = ex.RatString()

		var reached []int
		for i := range k {
			if status[i] == STVContinuing && votes[i].Cmp(quota) >= 0 {
				reached = append(reached, i)
			}
		}
		reached, rd.TieBreak = order(reached, func(i int) *big.Rat { return votes[i] })
		seatsLeft := seats - len(elected)
		if len(reached) > seatsLeft { // cannot happen with the Droop quota; stay safe
			reached = reached[:seatsLeft]
		}
		for _, i := range reached {
			status[i] = STVElected
			elected = append(elected, i)
			pending[i] = true
			rd.Elected = append(rd.Elected, d.Options[i].ID)
		}
		var continuing []int
		for i := range k {
			if status[i] == STVContinuing {
				continuing = append(continuing, i)
			}
		}
		seatsLeft = seats - len(elected)
		if seatsLeft > 0 && len(continuing) <= seatsLeft {
			rest, how := order(continuing, func(i int) *big.Rat { return votes[i] })
			if how != "" {
				rd.TieBreak = how
			}
			for _, i := range rest {
				status[i] = STVElected
				elected = append(elected, i)
				rd.Elected = append(rd.Elected, d.Options[i].ID)
			}
			seatsLeft = 0
		}
		if seatsLeft == 0 {
			rd.Action = ActionFinish
			res.Rounds = append(res.Rounds, withCandidates(rd, d, snap, status))
			break
		}
		// Transfer the largest pending surplus, if any is positive.
		var withSurplus []int
		for i := range pending {
			if surplus(i).Sign() > 0 {
				withSurplus = append(withSurplus, i)
			} else {
				delete(pending, i)
			}
		}
		slices.Sort(withSurplus)
		if len(withSurplus) > 0 {
			byS, how := order(withSurplus, surplus)
			c := byS[0]
			delete(pending, c)
			transferred[c] = true
			s := surplus(c)
			ratio := new(big.Rat).Quo(s, votes[c])
			for _, b := range bs {
				if holder(b) == c {
					b.weight.Mul(b.weight, ratio)
					advance(b)
				}
			}
			rd.Action, rd.Subject, rd.TieBreak = ActionSurplus, d.Options[c].ID, firstNonEmpty(how, rd.TieBreak)
			rd.Amount, _ = s.Float64()
		} else {
			low := []int{continuing[0]}
			for _, i := range continuing[1:] {
				switch c := votes[i].Cmp(votes[low[0]]); {
				case c < 0:
					low = []int{i}
				case c == 0:
					low = append(low, i)
				}
			}
			c, how := pick(low, true)
			status[c] = STVExcluded
			for _, b := range bs {
				if holder(b) == c {
					advance(b)
				}
			}
			rd.Action, rd.Subject, rd.TieBreak = ActionExclude, d.Options[c].ID, firstNonEmpty(how, rd.TieBreak)
			rd.Amount, _ = votes[c].Float64()
		}
		res.Rounds = append(res.Rounds, withCandidates(rd, d, snap, status))
	}
	for _, i := range elected {
		res.Elected = append(res.Elected, d.Options[i].ID)
	}
	return res
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// withCandidates fills the standing of a round: votes counted at the start
// of the round, status after its action (an option excluded or elected in
// this round shows as such).
func withCandidates(rd STVRound, d Definition, votes []*big.Rat, status []string) STVRound {
	for i, o := range d.Options {
		f, _ := votes[i].Float64()
		rd.Candidates = append(rd.Candidates, STVCandidate{ID: o.ID, Votes: f, Exact: votes[i].RatString(), Status: status[i]})
	}
	return rd
}

// RankedChoiceResults are the extra results of a ranked_choice poll,
// computed from its ballots when it closes and stored with the results.
type RankedChoiceResults struct {
	Schulze SchulzeResult `json:"schulze"`
	STV     STVResult     `json:"stv"`
}

// ComputeRankedChoice runs Schulze and STV (with the poll's seats) over the
// final ballots of a ranked_choice poll.
func ComputeRankedChoice(d Definition, ballots []Ballot) RankedChoiceResults {
	return RankedChoiceResults{Schulze: Schulze(d, ballots), STV: STV(d, ballots, d.Settings.Seats)}
}
