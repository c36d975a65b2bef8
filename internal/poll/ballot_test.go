package poll

import (
	"reflect"
	"strings"
	"testing"
)

func cs(pairs ...any) []Choice {
	var out []Choice
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, Choice{OptionID: pairs[i].(string), Score: pairs[i+1].(int)})
	}
	return out
}

func TestPrepareBallot(t *testing.T) {
	proposal := def(TypeProposal, 0, nil)
	single := def(TypePoll, 3, nil)
	multi := def(TypePoll, 4, func(d *Definition) {
		d.Settings.MinChoices, d.Settings.MaxChoices, d.Settings.NoneOfTheAbove = 2, 3, true
	})
	score := def(TypeScore, 3, nil)
	score1to10 := def(TypeScore, 2, func(d *Definition) { d.Settings.MinScore, d.Settings.MaxScore = 1, 10 })
	ranked := def(TypeRankedChoice, 4, func(d *Definition) { d.Settings.NoneOfTheAbove = true })
	ranked2 := def(TypeRankedChoice, 2, nil) // N = min(3, 2) = 2
	dots := def(TypeDotVote, 3, nil)
	meeting := def(TypeMeeting, 3, nil)
	noMaybe := def(TypeMeeting, 2, func(d *Definition) { d.Settings.CanRespondMaybe = false })
	question := def(TypeQuestion, 0, nil)
	required := def(TypePoll, 2, func(d *Definition) { d.Settings.ReasonMode = ReasonRequired })
	disabled := def(TypePoll, 2, func(d *Definition) { d.Settings.ReasonMode = ReasonDisabled })
	short := def(TypePoll, 2, func(d *Definition) { d.Settings.ReasonMaxLength = 10 })
	nolimit := def(TypePoll, 2, func(d *Definition) { d.Settings.ReasonMaxLength = 0 })

	tests := []struct {
		name  string
		d     Definition
		in    Ballot
		field string  // "" = valid
		want  *Ballot // canonical form, when checked
	}{
		{"proposal one", proposal, Ballot{Choices: cs("abstain", 0)}, "", &Ballot{Choices: cs("abstain", 1)}},
		{"proposal none", proposal, Ballot{}, "choices", nil},
		{"proposal two", proposal, Ballot{Choices: cs("agree", 1, "block", 1)}, "choices", nil},
		{"proposal unknown", proposal, Ballot{Choices: cs("yes", 1)}, "choices[0].option_id", nil},
		{"proposal score 2", proposal, Ballot{Choices: cs("agree", 2)}, "choices[0].score", nil},
		{"count", def(TypeCount, 0, nil), Ballot{Choices: cs("decline", 1)}, "", nil},
		{"check", def(TypeCheck, 0, nil), Ballot{Choices: cs("not_sure", 1)}, "", nil},
		{"check two", def(TypeCheck, 0, nil), Ballot{Choices: cs("not_sure", 1, "concerned", 1)}, "choices", nil},
		{"poll single", single, Ballot{Choices: cs("o2", 0)}, "", &Ballot{Choices: cs("o2", 1)}},
		{"poll single two", single, Ballot{Choices: cs("o2", 1, "o1", 1)}, "choices", nil},
		{"poll nota not offered", single, Ballot{NoneOfTheAbove: true}, "none_of_the_above", nil},
		{"poll multi sorted", multi, Ballot{Choices: cs("o3", 1, "o1", 1)}, "", &Ballot{Choices: cs("o1", 1, "o3", 1)}},
		{"poll multi too few", multi, Ballot{Choices: cs("o3", 1)}, "choices", nil},
		{"poll multi too many", multi, Ballot{Choices: cs("o1", 1, "o2", 1, "o3", 1, "o4", 1)}, "choices", nil},
		{"poll multi duplicate", multi, Ballot{Choices: cs("o1", 1, "o1", 1)}, "choices[1].option_id", nil},
		{"poll nota", multi, Ballot{NoneOfTheAbove: true}, "", &Ballot{NoneOfTheAbove: true}},
		{"poll nota exclusive", multi, Ballot{NoneOfTheAbove: true, Choices: cs("o1", 1, "o2", 1)}, "none_of_the_above", nil},
		{"poll empty with nota offered", multi, Ballot{}, "choices", nil},
		{"score ends", score, Ballot{Choices: cs("o3", 5, "o1", 0)}, "", &Ballot{Choices: cs("o1", 0, "o3", 5)}},
		{"score above", score, Ballot{Choices: cs("o1", 6)}, "choices[0].score", nil},
		{"score below", score, Ballot{Choices: cs("o1", -1)}, "choices[0].score", nil},
		{"score 1..10 zero", score1to10, Ballot{Choices: cs("o1", 0)}, "choices[0].score", nil},
		{"score 1..10 ends", score1to10, Ballot{Choices: cs("o1", 1, "o2", 10)}, "", nil},
		{"score nothing rated", score, Ballot{}, "choices", nil},
		{"ranked", ranked, Ballot{Choices: cs("o4", 0, "o2", 0, "o1", 0)}, "", &Ballot{Choices: cs("o4", 3, "o2", 2, "o1", 1)}},
		{"ranked explicit points", ranked, Ballot{Choices: cs("o4", 3, "o2", 2, "o1", 1)}, "", nil},
		{"ranked wrong points", ranked, Ballot{Choices: cs("o4", 1, "o2", 2, "o1", 3)}, "choices[0].score", nil},
		{"ranked too few", ranked, Ballot{Choices: cs("o4", 0, "o2", 0)}, "choices", nil},
		{"ranked too many", ranked, Ballot{Choices: cs("o4", 0, "o2", 0, "o1", 0, "o3", 0)}, "choices", nil},
		{"ranked duplicate", ranked, Ballot{Choices: cs("o4", 0, "o4", 0, "o1", 0)}, "choices[1].option_id", nil},
		{"ranked nota", ranked, Ballot{NoneOfTheAbove: true}, "", nil},
		{"ranked fewer options than N", ranked2, Ballot{Choices: cs("o2", 0, "o1", 0)}, "", &Ballot{Choices: cs("o2", 2, "o1", 1)}},
		{"ranked fewer options than N, one ranked", ranked2, Ballot{Choices: cs("o2", 0)}, "choices", nil},
		{"dots exactly spent", dots, Ballot{Choices: cs("o1", 5, "o2", 0, "o3", 3)}, "", &Ballot{Choices: cs("o1", 5, "o3", 3)}},
		{"dots exceeded", dots, Ballot{Choices: cs("o1", 5, "o3", 4)}, "choices", nil},
		{"dots negative", dots, Ballot{Choices: cs("o1", -1, "o3", 4)}, "choices[0].score", nil},
		{"dots none spent", dots, Ballot{}, "", &Ballot{}},
		{"meeting all answered", meeting, Ballot{Choices: cs("o3", 1, "o1", 2, "o2", 0)}, "", &Ballot{Choices: cs("o1", 2, "o2", 0, "o3", 1)}},
		{"meeting missing", meeting, Ballot{Choices: cs("o1", 2, "o2", 0)}, "choices", nil},
		{"meeting bad answer", meeting, Ballot{Choices: cs("o1", 3, "o2", 0, "o3", 0)}, "choices[0].score", nil},
		{"meeting maybe not allowed", noMaybe, Ballot{Choices: cs("o1", 1, "o2", 0)}, "choices[0].score", nil},
		{"meeting yes/no", noMaybe, Ballot{Choices: cs("o1", 2, "o2", 0)}, "", nil},
		{"question reason", question, Ballot{Reason: "  I think we should  "}, "", &Ballot{Reason: "I think we should"}},
		{"question no reason", question, Ballot{}, "reason", nil},
		{"question choices", question, Ballot{Reason: "long enough", Choices: cs("o1", 1)}, "choices[0].option_id", nil},
		{"reason required 5 visible", required, Ballot{Choices: cs("o1", 1), Reason: "ab \u200b cd e"}, "reason", nil},
		{"reason required 6 visible", required, Ballot{Choices: cs("o1", 1), Reason: "abc def"}, "", nil},
		{"reason disabled", disabled, Ballot{Choices: cs("o1", 1), Reason: "hello"}, "reason", nil},
		{"reason disabled whitespace", disabled, Ballot{Choices: cs("o1", 1), Reason: "  "}, "", &Ballot{Choices: cs("o1", 1)}},
		{"reason at limit", short, Ballot{Choices: cs("o1", 1), Reason: strings.Repeat("é", 10)}, "", nil},
		{"reason over limit", short, Ballot{Choices: cs("o1", 1), Reason: strings.Repeat("é", 11)}, "reason", nil},
		{"reason default limit", single, Ballot{Choices: cs("o1", 1), Reason: strings.Repeat("x", 501)}, "reason", nil},
		{"reason limit off", nolimit, Ballot{Choices: cs("o1", 1), Reason: strings.Repeat("x", 5000)}, "", nil},
		{"reason hard cap", nolimit, Ballot{Choices: cs("o1", 1), Reason: strings.Repeat("x", MaxReasonLength+1)}, "reason", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustValid(t, tc.d)
			got, err := PrepareBallot(d, tc.in)
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("want valid, got %v", fieldsOf(err))
			case tc.field != "" && !hasField(err, tc.field):
				t.Fatalf("want an error on %s, got %v", tc.field, fieldsOf(err))
			case tc.want != nil && !reflect.DeepEqual(got, *tc.want):
				t.Fatalf("canonical form %+v, want %+v", got, *tc.want)
			}
		})
	}
}

func TestVisibleLength(t *testing.T) {
	for s, want := range map[string]int{"": 0, "  \t\n": 0, "abc": 3, "a\u200bb\u200dc\ufeff": 3, "héllo": 5, "👍👍": 2} {
		if got := VisibleLength(s); got != want {
			t.Errorf("VisibleLength(%q) = %d, want %d", s, got, want)
		}
	}
}
