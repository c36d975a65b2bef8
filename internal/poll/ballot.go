package poll

import (
	"fmt"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/text"
)

// Choice is one option of a ballot with the score it gets.
type Choice struct {
	OptionID string `json:"option_id"`
	Score    int    `json:"score"`
}

// Ballot is one voter's answer. In canonical form (PrepareBallot) choices are
// in option order, except ranked_choice where they are in rank order (first
// = most preferred, score N) and dot_vote where options with 0 dots are left
// out. NoneOfTheAbove is exclusive: it comes with no choices.
type Ballot struct {
	Choices        []Choice `json:"choices"`
	NoneOfTheAbove bool     `json:"none_of_the_above,omitempty"`
	Reason         string   `json:"reason,omitempty"`
}

// Meeting answers.
const (
	MeetingNo    = 0
	MeetingMaybe = 1
	MeetingYes   = 2
)

// VisibleLength counts the characters of s a reader can see: runes that are
// neither white space, control nor format characters (zero-width joiners,
// direction marks, BOM...).
func VisibleLength(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		n++
	}
	return n
}

// ValidateReason checks a (trimmed) reason against the poll's reason rules.
func ValidateReason(s Settings, reason string, fe *domain.FieldErrors) {
	limit := MaxReasonLength
	if s.ReasonMaxLength > 0 {
		limit = min(limit, s.ReasonMaxLength)
	}
	switch {
	case s.ReasonMode == ReasonDisabled && reason != "":
		fe.Add("reason", "reasons are disabled in this poll")
	case s.ReasonMode == ReasonRequired && VisibleLength(reason) <= MinRequiredReason:
		fe.Add("reason", "is required: write more than %d characters", MinRequiredReason)
	case utf8.RuneCountInString(reason) > limit:
		fe.Add("reason", "must be at most %d characters", limit)
	}
}

// PrepareBallot validates in against the poll definition and returns it in
// canonical form, the only form the tally functions accept. Input scores:
// proposal/count/check/poll accept 0 or 1 (stored as 1); ranked_choice takes
// the options in rank order and accepts 0 or the exact points (N, N-1, ...).
// The reason is cleaned as a body (text.Block).
func PrepareBallot(d Definition, in Ballot) (Ballot, error) {
	var fe domain.FieldErrors
	out := Ballot{NoneOfTheAbove: in.NoneOfTheAbove, Reason: text.Block(in.Reason)}
	ValidateReason(d.Settings, out.Reason, &fe)

	t := d.Type
	index := make(map[string]int, len(d.Options))
	for i, o := range d.Options {
		index[o.ID] = i
	}
	// Known, distinct options.
	seen := make(map[string]bool, len(in.Choices))
	ok := true
	for i, c := range in.Choices {
		f := fmt.Sprintf("choices[%d].option_id", i)
		if _, known := index[c.OptionID]; !known {
			fe.Add(f, "is not an option of this poll")
			ok = false
		} else if seen[c.OptionID] {
			fe.Add(f, "option %q chosen more than once", c.OptionID)
			ok = false
		}
		seen[c.OptionID] = true
	}
	if in.NoneOfTheAbove {
		switch {
		case !d.Settings.NoneOfTheAbove:
			fe.Add("none_of_the_above", "is not offered in this poll")
		case len(in.Choices) > 0:
			fe.Add("none_of_the_above", "cannot be combined with other choices")
		}
		return out, fe.Err()
	}
	if !ok {
		return out, fe.Err()
	}
	choices := slices.Clone(in.Choices)
	byOption := func() {
		slices.SortFunc(choices, func(a, b Choice) int { return index[a.OptionID] - index[b.OptionID] })
	}
	scoreOne := func() {
		for i := range choices {
			if choices[i].Score != 0 && choices[i].Score != 1 {
				fe.Add(fmt.Sprintf("choices[%d].score", i), "must be 1")
			}
			choices[i].Score = 1
		}
	}

	switch t {
	case TypeQuestion:
		if len(choices) > 0 {
			fe.Add("choices", "a question takes a reason only")
		}
		choices = nil
	case TypeProposal, TypeCount, TypeCheck:
		if len(choices) != 1 {
			fe.Add("choices", "choose exactly one option")
		}
		scoreOne()
	case TypePoll:
		s := d.Settings
		switch n := len(choices); {
		case n == 0 && s.NoneOfTheAbove:
			fe.Add("choices", "choose between %d and %d options, or none of the above", s.MinChoices, s.MaxChoices)
		case n < s.MinChoices || n > s.MaxChoices:
			if s.MinChoices == s.MaxChoices {
				fe.Add("choices", "choose exactly %d option(s)", s.MinChoices)
			} else {
				fe.Add("choices", "choose between %d and %d options", s.MinChoices, s.MaxChoices)
			}
		}
		scoreOne()
		byOption()
	case TypeScore:
		if len(choices) == 0 {
			fe.Add("choices", "rate at least one option")
		}
		for i, c := range choices {
			if c.Score < d.Settings.MinScore || c.Score > d.Settings.MaxScore {
				fe.Add(fmt.Sprintf("choices[%d].score", i), "must be between %d and %d", d.Settings.MinScore, d.Settings.MaxScore)
			}
		}
		byOption()
	case TypeRankedChoice:
		n := d.RankedN()
		if len(choices) != n {
			fe.Add("choices", "rank exactly %d options", n)
		}
		for i := range choices {
			want := n - i
			if choices[i].Score != 0 && choices[i].Score != want {
				fe.Add(fmt.Sprintf("choices[%d].score", i), "rank %d gets %d points", i+1, want)
			}
			choices[i].Score = want
		}
	case TypeDotVote:
		sum := 0
		for i, c := range choices {
			if c.Score < 0 {
				fe.Add(fmt.Sprintf("choices[%d].score", i), "must not be negative")
			}
			if c.Score > 0 {
				sum += c.Score
			}
		}
		if sum > d.Settings.DotsPerPerson {
			fe.Add("choices", "uses %d dots; at most %d", sum, d.Settings.DotsPerPerson)
		}
		choices = slices.DeleteFunc(choices, func(c Choice) bool { return c.Score == 0 })
		byOption()
	case TypeMeeting:
		if len(choices) != len(d.Options) {
			fe.Add("choices", "answer every option")
		}
		for i, c := range choices {
			switch {
			case c.Score == MeetingYes || c.Score == MeetingNo:
			case c.Score == MeetingMaybe && d.Settings.CanRespondMaybe:
			case c.Score == MeetingMaybe:
				fe.Add(fmt.Sprintf("choices[%d].score", i), "maybe is not allowed in this poll: answer yes (2) or no (0)")
			default:
				fe.Add(fmt.Sprintf("choices[%d].score", i), "must be yes (2), maybe (1) or no (0)")
			}
		}
		byOption()
	}
	if len(choices) == 0 {
		choices = nil
	}
	out.Choices = choices
	return out, fe.Err()
}
