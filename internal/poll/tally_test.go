package poll

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// propertyDefs are the poll definitions the property test runs over: every
// type, with the settings that make ballots most varied.
func propertyDefs() []Definition {
	return []Definition{
		def(TypeProposal, 0, nil),
		def(TypePoll, 5, func(d *Definition) { d.Settings.MaxChoices = 3; d.Settings.NoneOfTheAbove = true }),
		def(TypePoll, 3, nil),
		def(TypeCount, 0, nil),
		def(TypeCheck, 0, nil),
		def(TypeScore, 4, nil),
		def(TypeScore, 3, func(d *Definition) { d.Settings.MinScore, d.Settings.MaxScore = 2, 9 }),
		def(TypeRankedChoice, 5, func(d *Definition) { d.Settings.NoneOfTheAbove = true }),
		def(TypeRankedChoice, 2, nil), // N clamped to 2
		def(TypeDotVote, 4, nil),
		def(TypeMeeting, 4, nil),
		def(TypeMeeting, 3, func(d *Definition) { d.Settings.CanRespondMaybe = false }),
		def(TypeQuestion, 0, nil),
	}
}

// TestDeltaEqualsRecount is the property the storage layer relies on: from
// an empty tally, applying the delta of every cast, change and withdrawal
// (as DynamoDB ADD would, on a flat attribute map) always equals a recount
// of the voters' latest ballots.
func TestDeltaEqualsRecount(t *testing.T) {
	for _, d0 := range propertyDefs() {
		for seed := uint64(1); seed <= 8; seed++ {
			name := fmt.Sprintf("%s/%d-options/seed-%d", d0.Type, len(d0.Options), seed)
			t.Run(name, func(t *testing.T) {
				d := mustValid(t, d0)
				r := rand.New(rand.NewPCG(seed, 42))
				voters := 1 + r.IntN(25)
				current := map[int]*Ballot{}
				var tally Tally
				attrs := map[string]int64{} // what the DynamoDB item holds
				steps := 400
				for step := range steps {
					// Midway, a voter adds an option (types that allow it):
					// earlier ballots do not mention it.
					if step == steps/2 && d.Type.FreeOptions() && d.Type != TypeRankedChoice {
						o := Option{ID: NextOptionID(d.Options), Label: "Added"}
						if d.Type == TypeMeeting {
							o = Option{ID: o.ID, Start: d.Options[len(d.Options)-1].Start.Add(48 * 60 * 60 * 1e9)}
						}
						d.Settings.VotersMayAddOptions = true
						var err error
						if d, err = ValidateAddOption(d, o, State{Decided: int64(len(current))}, now, false); err != nil {
							t.Fatalf("add option: %v", fieldsOf(err))
						}
					}
					v := r.IntN(voters)
					prev := current[v]
					var next *Ballot
					if prev == nil || r.IntN(4) != 0 { // cast or change
						b, err := PrepareBallot(d, randomBallot(r, d))
						if err != nil {
							t.Fatalf("step %d: generated ballot invalid: %v", step, fieldsOf(err))
						}
						next = &b
					} // else withdraw
					delta := Delta(d.Type, prev, next)
					if len(delta) > MaxDeltaEntries {
						t.Fatalf("delta has %d entries, more than %d", len(delta), MaxDeltaEntries)
					}
					for k, n := range delta {
						if n == 0 {
							t.Fatalf("zero entry %q in delta", k)
						}
						attrs[k] += n // DynamoDB ADD
					}
					if err := tally.Apply(delta); err != nil {
						t.Fatal(err)
					}
					if next == nil {
						delete(current, v)
					} else {
						current[v] = next
					}
					if step%37 == 0 || step == steps-1 {
						var final []Ballot
						for _, k := range slices.Sorted(maps.Keys(current)) {
							final = append(final, *current[k])
						}
						want := Recount(d.Type, final)
						if !tally.Equal(want) {
							t.Fatalf("step %d: tally differs from recount: %v", step, tally.Diff(want))
						}
						fromItem, err := TallyFromAttributes(attrs)
						if err != nil {
							t.Fatal(err)
						}
						if !fromItem.Equal(want) {
							t.Fatalf("step %d: item differs from recount: %v", step, fromItem.Diff(want))
						}
						if want.Decided != int64(len(current)) || tally.Negative() {
							t.Fatalf("step %d: decided %d for %d ballots, negative %v", step, want.Decided, len(current), tally.Negative())
						}
					}
				}
			})
		}
	}
}

func TestDeltaTable(t *testing.T) {
	ballot := func(nota bool, cs ...Choice) *Ballot { return &Ballot{Choices: cs, NoneOfTheAbove: nota} }
	c := func(id string, s int) Choice { return Choice{OptionID: id, Score: s} }
	tests := []struct {
		name       string
		typ        Type
		prev, next *Ballot
		want       TallyDelta
	}{
		{"cast proposal", TypeProposal, nil, ballot(false, c("agree", 1)),
			TallyDelta{"decided": 1, "t.agree": 1, "v.agree": 1}},
		{"change proposal", TypeProposal, ballot(false, c("agree", 1)), ballot(false, c("block", 1)),
			TallyDelta{"t.agree": -1, "v.agree": -1, "t.block": 1, "v.block": 1}},
		{"same ballot again is a no-op", TypeProposal, ballot(false, c("agree", 1)), ballot(false, c("agree", 1)),
			TallyDelta{}},
		{"withdraw poll", TypePoll, ballot(false, c("o1", 1), c("o2", 1)), nil,
			TallyDelta{"decided": -1, "t.o1": -1, "v.o1": -1, "t.o2": -1, "v.o2": -1}},
		{"none of the above", TypePoll, ballot(false, c("o1", 1)), ballot(true),
			TallyDelta{"nota": 1, "t.o1": -1, "v.o1": -1}},
		{"score zero counts in c.0 but not in voters", TypeScore, nil, ballot(false, c("o1", 0), c("o2", 5)),
			TallyDelta{"decided": 1, "c.0.o1": 1, "t.o2": 5, "v.o2": 1, "c.5.o2": 1}},
		{"score 3 to 0", TypeScore, ballot(false, c("o1", 3)), ballot(false, c("o1", 0)),
			TallyDelta{"t.o1": -3, "v.o1": -1, "c.3.o1": -1, "c.0.o1": 1}},
		{"ranked choice points", TypeRankedChoice, nil, ballot(false, c("o2", 3), c("o1", 2), c("o4", 1)),
			TallyDelta{"decided": 1, "t.o2": 3, "v.o2": 1, "c.3.o2": 1, "t.o1": 2, "v.o1": 1, "c.2.o1": 1, "t.o4": 1, "v.o4": 1, "c.1.o4": 1}},
		{"meeting no counts as a voter", TypeMeeting, nil, ballot(false, c("o1", 0), c("o2", 2)),
			TallyDelta{"decided": 1, "v.o1": 1, "c.0.o1": 1, "t.o2": 2, "v.o2": 1, "c.2.o2": 1}},
		{"meeting yes to maybe", TypeMeeting, ballot(false, c("o1", 2)), ballot(false, c("o1", 1)),
			TallyDelta{"t.o1": -1, "c.2.o1": -1, "c.1.o1": 1}},
		{"dot vote", TypeDotVote, nil, ballot(false, c("o1", 5), c("o3", 3)),
			TallyDelta{"decided": 1, "t.o1": 5, "v.o1": 1, "t.o3": 3, "v.o3": 1}},
		{"question", TypeQuestion, nil, &Ballot{Reason: "a reason"}, TallyDelta{"decided": 1}},
		{"withdraw nothing", TypeQuestion, nil, nil, TallyDelta{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Delta(tc.typ, tc.prev, tc.next)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTallyAttributesRoundTrip(t *testing.T) {
	d := mustValid(t, def(TypeMeeting, 3, nil))
	r := rand.New(rand.NewPCG(7, 7))
	var bs []Ballot
	for range 30 {
		b, err := PrepareBallot(d, randomBallot(r, d))
		if err != nil {
			t.Fatal(err)
		}
		bs = append(bs, b)
	}
	tl := Recount(d.Type, bs)
	attrs := tl.Attributes()
	attrs["version"] = 12 // foreign attributes are ignored
	back, err := TallyFromAttributes(attrs)
	if err != nil || !back.Equal(tl) {
		t.Fatalf("round trip: %v %v", err, back.Diff(tl))
	}
	for k := range attrs {
		if k != "version" && k != AttrDecided && k != AttrNone && !strings.HasPrefix(k, "t.") && !strings.HasPrefix(k, "v.") && !strings.HasPrefix(k, "c.") {
			t.Fatalf("unexpected attribute %q", k)
		}
	}
	for _, bad := range []string{"t.", "t.a.b", "c.x.o1", "c.-1.o1", "c.01.o1", "c.1", "x.y"} {
		if _, err := TallyFromAttributes(map[string]int64{bad: 1}); err == nil {
			t.Errorf("%q should be rejected", bad)
		}
	}
	keys := Delta(TypeScore, nil, &Ballot{Choices: []Choice{{"o2", 1}, {"o1", 2}}}).Keys()
	if !slices.IsSorted(keys) || len(keys) != 7 {
		t.Fatalf("keys %v", keys)
	}
}

// TestDeltaWorstCaseSize checks the bound the storage layer relies on to
// keep the UpdateExpression under DynamoDB's 4 KB limit.
func TestDeltaWorstCaseSize(t *testing.T) {
	prev, next := &Ballot{}, &Ballot{}
	for i := range MaxOptions {
		id := fmt.Sprintf("o%d", i+1)
		prev.Choices = append(prev.Choices, Choice{id, 0})
		next.Choices = append(next.Choices, Choice{id, 100})
	}
	d := Delta(TypeScore, prev, next)
	if len(d) > MaxDeltaEntries {
		t.Fatalf("%d entries", len(d))
	}
	expr := "ADD "
	for i := range d.Keys() {
		expr += fmt.Sprintf("#a%d :a%d, ", i, i)
	}
	if len(expr) > 4096 {
		t.Fatalf("expression of %d bytes", len(expr))
	}
	w := Delta(TypeScore, nil, next)
	if len(w) > MaxDeltaEntries || w[AttrDecided] != 1 {
		t.Fatalf("cast delta %d entries", len(w))
	}
}

func TestTallyDiff(t *testing.T) {
	a := Recount(TypePoll, []Ballot{{Choices: []Choice{{"o1", 1}}}})
	b := Recount(TypePoll, []Ballot{{Choices: []Choice{{"o2", 1}}}})
	got := a.Diff(b)
	want := []string{"t.o1: 1 != 0", "t.o2: 0 != 1", "v.o1: 1 != 0", "v.o2: 0 != 1"}
	if !reflect.DeepEqual(got, want) || a.Equal(b) || len(a.Diff(a)) != 0 {
		t.Fatalf("diff %v", got)
	}
	var neg Tally
	if err := neg.Apply(Delta(TypePoll, &Ballot{Choices: []Choice{{"o1", 1}}}, nil)); err != nil || !neg.Negative() {
		t.Fatal("withdrawing from an empty tally goes negative")
	}
	if err := neg.Apply(TallyDelta{"bogus": 1}); err == nil {
		t.Fatal("unknown attribute")
	}
}
