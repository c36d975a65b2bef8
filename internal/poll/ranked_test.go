package poll

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// rankedDef is a ranked_choice poll over options named by letters, with N
// ranked choices per ballot.
func rankedDef(t *testing.T, letters string, n int, seats int) Definition {
	t.Helper()
	d := def(TypeRankedChoice, 0, func(d *Definition) {
		for _, l := range letters {
			d.Options = append(d.Options, Option{ID: string(l), Label: "Option " + string(l)})
		}
		d.Settings.MinChoices = n
		d.Settings.Seats = seats
		d.Settings.NoneOfTheAbove = true
	})
	return mustValid(t, d)
}

// ballots builds prepared ballots from "count:ORDER" specs, e.g. "5:ACB";
// "3:-" is three none-of-the-above ballots.
func ballots(t *testing.T, d Definition, specs ...string) []Ballot {
	t.Helper()
	var out []Ballot
	for _, s := range specs {
		var n int
		var order string
		if _, err := fmt.Sscanf(s, "%d:%s", &n, &order); err != nil {
			t.Fatal(err)
		}
		in := Ballot{NoneOfTheAbove: order == "-"}
		if !in.NoneOfTheAbove {
			for _, l := range order {
				in.Choices = append(in.Choices, Choice{OptionID: string(l)})
			}
		}
		b, err := PrepareBallot(d, in)
		if err != nil {
			t.Fatalf("%s: %v", s, fieldsOf(err))
		}
		for range n {
			out = append(out, b)
		}
	}
	return out
}

func tiers(r SchulzeResult) string {
	var parts []string
	for _, t := range r.Ranking {
		parts = append(parts, fmt.Sprintf("%d:%s", t.Rank, strings.Join(t.Options, "=")))
	}
	return strings.Join(parts, " ")
}

func TestSchulze(t *testing.T) {
	tests := []struct {
		name      string
		letters   string
		n         int
		specs     []string
		condorcet string
		ranking   string
	}{
		{ // the worked example of the Schulze method: E > A > C > B > D, no Condorcet winner
			"schulze example", "ABCDE", 5,
			[]string{"5:ACBED", "5:ADECB", "8:BEDAC", "3:CABED", "7:CAEBD", "2:CBADE", "7:DCEBA", "8:EBADC"},
			"", "1:E 2:A 3:C 4:B 5:D",
		},
		{"condorcet winner", "ABC", 3, []string{"4:ABC", "3:BCA", "2:CBA"}, "B", "1:B 2:C 3:A"},
		{"cycle is a full tie", "ABC", 3, []string{"1:ABC", "1:BCA", "1:CAB"}, "", "1:A=B=C"},
		{"pairwise tie", "AB", 2, []string{"1:AB", "1:BA"}, "", "1:A=B"},
		{"ranked beats unranked", "ABCD", 2, []string{"2:AB", "1:CD"}, "A", "1:A 2:B 3:C 4:D"},
		{"none of the above ignored", "ABC", 2, []string{"2:BA", "1:AB", "5:-"}, "B", "1:B 2:A 3:C"},
		{"no ballots", "ABC", 3, nil, "", "1:A=B=C"},
		{ // cycle A>B>C>A with different strengths: Schulze resolves it
			"weighted cycle", "ABC", 3, []string{"4:ABC", "3:BCA", "2:CAB"}, "", "1:A 2:B 3:C",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := rankedDef(t, tc.letters, tc.n, 1)
			r := Schulze(d, ballots(t, d, tc.specs...))
			if r.CondorcetWinner != tc.condorcet {
				t.Errorf("condorcet winner %q, want %q (pairwise %v)", r.CondorcetWinner, tc.condorcet, r.Pairwise)
			}
			if got := tiers(r); got != tc.ranking {
				t.Errorf("ranking %s, want %s (strongest %v)", got, tc.ranking, r.Strongest)
			}
			if !slices.Equal(r.Winners, r.Ranking[0].Options) {
				t.Error("winners are the first tier")
			}
		})
	}
	// The example's matrices.
	d := rankedDef(t, "ABCDE", 5, 1)
	r := Schulze(d, ballots(t, d, "5:ACBED", "5:ADECB", "8:BEDAC", "3:CABED", "7:CAEBD", "2:CBADE", "7:DCEBA", "8:EBADC"))
	wantD := [][]int64{{0, 20, 26, 30, 22}, {25, 0, 16, 33, 18}, {19, 29, 0, 17, 24}, {15, 12, 28, 0, 14}, {23, 27, 21, 31, 0}}
	wantP := [][]int64{{0, 28, 28, 30, 24}, {25, 0, 28, 33, 24}, {25, 29, 0, 29, 24}, {25, 28, 28, 0, 24}, {25, 28, 28, 31, 0}}
	if !reflect.DeepEqual(r.Pairwise, wantD) || !reflect.DeepEqual(r.Strongest, wantP) || r.Ballots != 45 {
		t.Fatalf("pairwise %v\nstrongest %v", r.Pairwise, r.Strongest)
	}
}

func stvSummary(r STVResult) string {
	var parts []string
	for _, rd := range r.Rounds {
		var vs []string
		for _, c := range rd.Candidates {
			if c.Status != STVExcluded || c.Exact != "0" {
				vs = append(vs, c.ID+"="+c.Exact)
			}
		}
		s := fmt.Sprintf("%d[%s ex=%s]", rd.Number, strings.Join(vs, ","), rd.ExhaustedExact)
		if len(rd.Elected) > 0 {
			s += " elect " + strings.Join(rd.Elected, "")
		}
		s += " " + rd.Action
		if rd.Subject != "" {
			s += " " + rd.Subject
		}
		if rd.TieBreak != "" {
			s += " (" + rd.TieBreak + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func TestSTV(t *testing.T) {
	tests := []struct {
		name    string
		letters string
		n       int
		seats   int
		specs   []string
		quota   int64
		elected string
		rounds  string
	}{
		{
			"single seat runoff", "ABC", 2, 1, []string{"4:AB", "3:BC", "2:CB"}, 5, "B",
			"1[A=4,B=3,C=2 ex=0] exclude C; 2[A=4,B=5 ex=0] elect B finish",
		},
		{
			"two seats with a fractional surplus and exhausted ballots", "ABCD", 2, 2,
			[]string{"6:AB", "2:AC", "3:CD", "4:DC"}, 6, "AD",
			"1[A=8,B=0,C=3,D=4 ex=0] elect A transfer_surplus A; " +
				"2[A=6,B=3/2,C=7/2,D=4 ex=0] exclude B; " +
				"3[A=6,C=7/2,D=4 ex=3/2] exclude C; " +
				"4[A=6,D=7 ex=2] elect D finish",
		},
		{
			"exclusion tie broken by option order", "ABC", 1, 1, []string{"3:A", "2:B", "2:C"}, 4, "A",
			"1[A=3,B=2,C=2 ex=0] exclude C (option_order); 2[A=3,B=2 ex=2] exclude B; 3[A=3 ex=4] elect A finish",
		},
		{
			"exclusion tie broken by an earlier round", "ABCD", 2, 1,
			[]string{"4:AD", "3:CA", "2:BA", "1:DB"}, 6, "A",
			"1[A=4,B=2,C=3,D=1 ex=0] exclude D; 2[A=4,B=3,C=3 ex=0] exclude B (earlier_round); 3[A=6,C=3 ex=1] elect A finish",
		},
		{
			"two reach the quota at once, tied: option order elects first", "ABC", 1, 2,
			[]string{"3:B", "3:A", "1:C"}, 3, "AB",
			"1[A=3,B=3,C=1 ex=0] elect AB finish (option_order)",
		},
		{
			"three seats, chained surpluses", "ABCDE", 3, 3,
			[]string{"10:ABC", "3:BCD", "3:EDC", "1:DEC"}, 5, "ABE",
			"1[A=10,B=3,C=0,D=1,E=3 ex=0] elect A transfer_surplus A; " +
				"2[A=5,B=8,C=0,D=1,E=3 ex=0] elect B transfer_surplus B; " +
				"3[A=5,B=5,C=3,D=1,E=3 ex=0] exclude D; " +
				"4[A=5,B=5,C=3,E=4 ex=0] exclude C; " +
				"5[A=5,B=5,E=4 ex=3] elect E finish",
		},
		{"none of the above only", "ABC", 2, 1, []string{"4:-"}, 1, "", ""},
		{"no ballots", "ABC", 2, 1, nil, 1, "", ""},
		{
			"none of the above does not count towards the quota", "ABC", 1, 1,
			[]string{"2:A", "1:B", "10:-"}, 2, "A", "1[A=2,B=1,C=0 ex=0] elect A finish",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := rankedDef(t, tc.letters, tc.n, tc.seats)
			r := STV(d, ballots(t, d, tc.specs...), d.Settings.Seats)
			if r.Quota != tc.quota {
				t.Errorf("quota %d, want %d", r.Quota, tc.quota)
			}
			if got := strings.Join(r.Elected, ""); got != tc.elected {
				t.Errorf("elected %q, want %q", got, tc.elected)
			}
			if got := stvSummary(r); got != tc.rounds {
				t.Errorf("rounds\n got %s\nwant %s", got, tc.rounds)
			}
		})
	}
}

// TestSTVInvariants runs random elections: every round conserves the
// ballots exactly (votes + exhausted = ballots), every seat is filled by a
// distinct option, and the count is deterministic.
func TestSTVInvariants(t *testing.T) {
	for seed := uint64(1); seed <= 60; seed++ {
		r := rand.New(rand.NewPCG(seed, 3))
		k := 2 + r.IntN(7)
		letters := "ABCDEFGHI"[:k]
		n := 1 + r.IntN(k)
		seats := 1 + r.IntN(k-1)
		d := rankedDef(t, letters, n, seats)
		var bs []Ballot
		for range r.IntN(60) {
			b, err := PrepareBallot(d, randomBallot(r, d))
			if err != nil {
				t.Fatal(err)
			}
			bs = append(bs, b)
		}
		res := STV(d, bs, seats)
		valid := int64(0)
		for _, b := range bs {
			if !b.NoneOfTheAbove {
				valid++
			}
		}
		if res.Ballots != valid || res.Quota != valid/int64(seats+1)+1 {
			t.Fatalf("seed %d: ballots %d quota %d", seed, res.Ballots, res.Quota)
		}
		if valid > 0 && len(res.Elected) != seats {
			t.Fatalf("seed %d: elected %v for %d seats", seed, res.Elected, seats)
		}
		if len(slices.Compact(slices.Sorted(slices.Values(res.Elected)))) != len(res.Elected) {
			t.Fatalf("seed %d: elected twice %v", seed, res.Elected)
		}
		for _, rd := range res.Rounds {
			sum, _ := new(big.Rat).SetString(rd.ExhaustedExact)
			for _, c := range rd.Candidates {
				v, _ := new(big.Rat).SetString(c.Exact)
				sum.Add(sum, v)
			}
			if sum.Cmp(big.NewRat(valid, 1)) != 0 {
				t.Fatalf("seed %d round %d: %s votes for %d ballots", seed, rd.Number, sum.RatString(), valid)
			}
		}
		if again := STV(d, bs, seats); !reflect.DeepEqual(again, res) {
			t.Fatalf("seed %d: not deterministic", seed)
		}
		sch := Schulze(d, bs)
		count := 0
		for _, tier := range sch.Ranking {
			count += len(tier.Options)
		}
		if count != k {
			t.Fatalf("seed %d: ranking %v misses options", seed, sch.Ranking)
		}
		if sch.CondorcetWinner != "" && !slices.Equal(sch.Winners, []string{sch.CondorcetWinner}) {
			t.Fatalf("seed %d: Schulze must elect the Condorcet winner %s, got %v", seed, sch.CondorcetWinner, sch.Winners)
		}
	}
}

func TestComputeRankedChoice(t *testing.T) {
	d := rankedDef(t, "ABC", 3, 1)
	r := ComputeRankedChoice(d, ballots(t, d, "4:ABC", "3:BCA", "2:CBA"))
	if r.Schulze.CondorcetWinner != "B" || strings.Join(r.STV.Elected, "") != "B" {
		t.Fatalf("%+v", r)
	}
}
