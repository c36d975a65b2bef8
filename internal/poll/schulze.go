package poll

import "slices"

// Tier is one place of a ranking: several options share a place when tied.
type Tier struct {
	Rank    int      `json:"rank"` // 1-based; the next tier's rank skips tied places
	Options []string `json:"options"`
}

// SchulzeResult is the Condorcet analysis of a ranked_choice poll.
type SchulzeResult struct {
	// Options are the option ids in poll order; they index the matrices.
	Options []string `json:"options"`
	// Ballots counted: those ranking at least one option.
	Ballots int64 `json:"ballots"`
	// Pairwise[i][j] = ballots preferring option i to option j.
	Pairwise [][]int64 `json:"pairwise"`
	// Strongest[i][j] = strength of the strongest path from i to j.
	Strongest [][]int64 `json:"strongest"`
	// CondorcetWinner beats every other option head to head ("" if none,
	// e.g. a cycle or a pairwise tie).
	CondorcetWinner string `json:"condorcet_winner,omitempty"`
	// Winners are the Schulze winners (Ranking[0]); more than one is a tie.
	Winners []string `json:"winners"`
	// Ranking is the full Schulze order, best first, ties sharing a tier.
	Ranking []Tier `json:"ranking"`
}

// rankings returns, per ballot with at least one ranked option, the option
// indexes in preference order. Choices are ordered by score (higher first;
// canonical ballots already are); unknown options are ignored.
func rankings(d Definition, ballots []Ballot) [][]int {
	index := make(map[string]int, len(d.Options))
	for i, o := range d.Options {
		index[o.ID] = i
	}
	var out [][]int
	for _, b := range ballots {
		if b.NoneOfTheAbove {
			continue
		}
		cs := slices.Clone(b.Choices)
		slices.SortStableFunc(cs, func(a, b Choice) int { return b.Score - a.Score })
		var r []int
		seen := map[int]bool{}
		for _, c := range cs {
			if i, ok := index[c.OptionID]; ok && !seen[i] {
				r = append(r, i)
				seen[i] = true
			}
		}
		if len(r) > 0 {
			out = append(out, r)
		}
	}
	return out
}

// Schulze computes the Condorcet (Schulze method) result of a ranked_choice
// poll from its ballots. Pairwise preferences: a ballot prefers an option it
// ranks higher to one it ranks lower, and any ranked option to every unranked
// one; two unranked options get no preference. Link strength is winning
// votes: d[i][j] when d[i][j] > d[j][i], else 0. Strongest paths by the
// Floyd-Warshall widest path. i beats j when p[i][j] > p[j][i]; the ranking
// peels off, tier by tier, the options no remaining option beats. Ties are
// reported, never broken. "None of the above" ballots express no preference.
func Schulze(d Definition, ballots []Ballot) SchulzeResult {
	k := len(d.Options)
	res := SchulzeResult{Options: make([]string, k)}
	for i, o := range d.Options {
		res.Options[i] = o.ID
	}
	dm := make([][]int64, k)
	for i := range dm {
		dm[i] = make([]int64, k)
	}
	for _, r := range rankings(d, ballots) {
		res.Ballots++
		ranked := make([]bool, k)
		for pos, i := range r {
			ranked[i] = true
			for _, j := range r[pos+1:] {
				dm[i][j]++
			}
		}
		for _, i := range r {
			for j := range k {
				if !ranked[j] {
					dm[i][j]++
				}
			}
		}
	}
	p := make([][]int64, k)
	for i := range p {
		p[i] = make([]int64, k)
		for j := range k {
			if i != j && dm[i][j] > dm[j][i] {
				p[i][j] = dm[i][j]
			}
		}
	}
	for m := range k {
		for i := range k {
			if i == m {
				continue
			}
			for j := range k {
				if j == i || j == m {
					continue
				}
				p[i][j] = max(p[i][j], min(p[i][m], p[m][j]))
			}
		}
	}
	res.Pairwise, res.Strongest = dm, p

	for i := range k {
		wins := true
		for j := range k {
			if j != i && dm[i][j] <= dm[j][i] {
				wins = false
				break
			}
		}
		if wins && k > 0 {
			res.CondorcetWinner = res.Options[i]
		}
	}

	remaining := make([]bool, k)
	left := k
	for i := range remaining {
		remaining[i] = true
	}
	place := 1
	for left > 0 {
		var tier []int
		for i := range k {
			if !remaining[i] {
				continue
			}
			beaten := false
			for j := range k {
				if remaining[j] && j != i && p[j][i] > p[i][j] {
					beaten = true
					break
				}
			}
			if !beaten {
				tier = append(tier, i)
			}
		}
		if len(tier) == 0 { // impossible: the Schulze relation is acyclic; never loop
			for i := range k {
				if remaining[i] {
					tier = append(tier, i)
				}
			}
		}
		t := Tier{Rank: place}
		for _, i := range tier {
			remaining[i] = false
			t.Options = append(t.Options, res.Options[i])
		}
		left -= len(tier)
		place += len(tier)
		res.Ranking = append(res.Ranking, t)
	}
	if len(res.Ranking) > 0 {
		res.Winners = res.Ranking[0].Options
	}
	return res
}
