package poll

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
)

var now = time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)

func at(h int) *time.Time { t := now.Add(time.Duration(h) * time.Hour); return &t }

// labelled returns free options o1..on labelled A, B, C...
func labelled(n int) []Option {
	out := make([]Option, n)
	for i := range out {
		out[i] = Option{ID: fmt.Sprintf("o%d", i+1), Label: string(rune('A'+i%26)) + fmt.Sprint(i/26)}
	}
	return out
}

// meetingOptions returns n hourly options starting tomorrow.
func meetingOptions(n int) []Option {
	out := make([]Option, n)
	for i := range out {
		out[i] = Option{ID: fmt.Sprintf("o%d", i+1), Start: now.Add(24*time.Hour + time.Duration(i)*time.Hour)}
	}
	return out
}

// def returns a valid open definition of type t with n free options (where
// the type takes free options) and settings adjusted by mod.
func def(t Type, n int, mod func(*Definition)) Definition {
	d := New(t)
	d.Title = "What shall we do?"
	d.Settings.ClosingAt = at(72)
	switch {
	case t == TypeMeeting:
		d.Options = meetingOptions(n)
	case t.FreeOptions():
		d.Options = labelled(n)
	}
	if mod != nil {
		mod(&d)
	}
	return d
}

func mustValid(t *testing.T, d Definition) Definition {
	t.Helper()
	out, err := ValidateNew(d, now)
	if err != nil {
		t.Fatalf("definition should be valid: %v", fieldsOf(err))
	}
	return out
}

// fieldsOf lists the fields of a validation error.
func fieldsOf(err error) []string {
	var e *domain.Error
	if !errors.As(err, &e) {
		if err == nil {
			return nil
		}
		return []string{"<" + err.Error() + ">"}
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field+": "+f.Message)
	}
	if len(out) == 0 {
		out = append(out, "<"+string(e.Code)+": "+e.Message+">")
	}
	return out
}

// hasField reports whether err is a validation error naming field.
func hasField(err error, field string) bool {
	var e *domain.Error
	if !errors.As(err, &e) || e.Code != domain.Invalid {
		return false
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

func ids(opts []Option) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.ID
	}
	return out
}

// randomBallot returns a random valid ballot (raw input form) for d.
func randomBallot(r *rand.Rand, d Definition) Ballot {
	b := Ballot{}
	if d.Settings.ReasonMode != ReasonDisabled && (d.Settings.ReasonMode == ReasonRequired || r.IntN(2) == 0) {
		b.Reason = "because I think so"
	}
	opts := ids(d.Options)
	perm := func() []string {
		p := slices.Clone(opts)
		r.Shuffle(len(p), func(i, j int) { p[i], p[j] = p[j], p[i] })
		return p
	}
	s := d.Settings
	switch d.Type {
	case TypeProposal, TypeCount, TypeCheck:
		b.Choices = []Choice{{OptionID: opts[r.IntN(len(opts))]}}
	case TypePoll:
		if s.NoneOfTheAbove && r.IntN(5) == 0 {
			b.NoneOfTheAbove = true
			break
		}
		k := s.MinChoices + r.IntN(s.MaxChoices-s.MinChoices+1)
		for _, id := range perm()[:k] {
			b.Choices = append(b.Choices, Choice{OptionID: id, Score: 1})
		}
	case TypeScore:
		p := perm()
		for _, id := range p[:1+r.IntN(len(p))] {
			b.Choices = append(b.Choices, Choice{OptionID: id, Score: s.MinScore + r.IntN(s.MaxScore-s.MinScore+1)})
		}
	case TypeRankedChoice:
		if s.NoneOfTheAbove && r.IntN(6) == 0 {
			b.NoneOfTheAbove = true
			break
		}
		for _, id := range perm()[:d.RankedN()] {
			b.Choices = append(b.Choices, Choice{OptionID: id})
		}
	case TypeDotVote:
		left := s.DotsPerPerson
		for _, id := range perm() {
			n := r.IntN(left + 1)
			if r.IntN(3) == 0 {
				n = 0
			}
			b.Choices = append(b.Choices, Choice{OptionID: id, Score: n})
			left -= n
		}
	case TypeMeeting:
		for _, id := range perm() {
			v := []int{MeetingNo, MeetingYes, MeetingMaybe}[r.IntN(2+btoi(s.CanRespondMaybe))]
			b.Choices = append(b.Choices, Choice{OptionID: id, Score: v})
		}
	}
	return b
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
