package votes

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/text"
)

// VoteProblem is why a reply could not be read as a vote. It is worded for
// the voter with Message and the catalog (email.vote.problem.* keys); its
// Error text is the English one for logs, and it unwraps to a
// domain.Invalid error with that text, so pages and the API see what they
// always saw.
type VoteProblem struct {
	Key    string // catalog key
	Plural bool   // Key has plural forms for Count
	Count  int
	// Values are the key's values as name/value pairs; "Text" is what the
	// voter wrote (isolated when worded).
	Values  []any
	english string
}

func (e *VoteProblem) Error() string { return string(domain.Invalid) + ": " + e.message() }

// Unwrap is the domain error with the English message.
func (e *VoteProblem) Unwrap() error {
	return &domain.Error{Code: domain.Invalid, Message: e.message()}
}

func (e *VoteProblem) message() string { return "We could not read your vote: " + e.english + "." }

// Message is the problem in a sentence for the voter: "We could not read
// your vote: …" in p's language.
func (e *VoteProblem) Message(p *i18n.Printer) string {
	kv := []any{"Yes", p.T("poll.meeting.yes"), "No", p.T("poll.meeting.no"), "Maybe", p.T("poll.meeting.maybe"),
		"None", p.T("poll.none_of_the_above")}
	for i := 0; i+1 < len(e.Values); i += 2 {
		v := e.Values[i+1]
		if e.Values[i] == "Text" {
			v = p.Isolate(fmt.Sprint(v))
		}
		kv = append(kv, e.Values[i], v)
	}
	var what string
	if e.Plural {
		what = p.N(e.Key, e.Count, kv...)
	} else {
		what = p.T(e.Key, kv...)
	}
	return p.T("email.vote.problem.intro", "Problem", what)
}

func problem(key, english string, kv ...any) *VoteProblem {
	return &VoteProblem{Key: "email.vote.problem." + key, Values: kv, english: english}
}

func problemN(key string, n int, english string, kv ...any) *VoteProblem {
	return &VoteProblem{Key: "email.vote.problem." + key, Plural: true, Count: n, Values: kv, english: english}
}

// ballotProblem says why poll.PrepareBallot refused a ballot the reply was
// read as, from the field it named (the rule itself stays in poll).
func ballotProblem(d poll.Definition, in poll.Ballot, err error) *VoteProblem {
	english := domain.ErrorMessage(err)
	var de *domain.Error
	field := ""
	if errors.As(err, &de) && len(de.Fields) > 0 {
		field = de.Fields[0].Field
	}
	s := d.Settings
	switch {
	case field == "reason":
		limit := poll.MaxReasonLength
		if s.ReasonMaxLength > 0 {
			limit = min(limit, s.ReasonMaxLength)
		}
		switch {
		case s.ReasonMode == poll.ReasonDisabled:
			return problem("reason_disabled", english)
		case s.ReasonMode == poll.ReasonRequired && poll.VisibleLength(text.Block(in.Reason)) <= poll.MinRequiredReason:
			return problemN("reason_required", poll.MinRequiredReason, english)
		default:
			return problemN("reason_long", limit, english)
		}
	case strings.HasSuffix(field, ".option_id"):
		return problem("duplicate", english)
	case field == "none_of_the_above":
		if !s.NoneOfTheAbove {
			return problem("none_off", english)
		}
		return problem("none_mixed", english)
	case field == "choices" || strings.HasSuffix(field, ".score"):
		whole := field == "choices"
		switch d.Type {
		case poll.TypeProposal, poll.TypeCount, poll.TypeCheck:
			return problem("one_option", english)
		case poll.TypePoll:
			if s.MinChoices == s.MaxChoices {
				return problemN("choice_exact", s.MinChoices, english)
			}
			return problem("choice_range", english, "Min", s.MinChoices, "Max", s.MaxChoices)
		case poll.TypeScore:
			if whole {
				return problem("rate_one", english)
			}
			return problem("score_range", english, "Min", s.MinScore, "Max", s.MaxScore)
		case poll.TypeRankedChoice:
			return problemN("rank_count", d.RankedN(), english)
		case poll.TypeDotVote:
			if whole {
				return problemN("dots_over", s.DotsPerPerson, english)
			}
			return problem("dots_negative", english)
		case poll.TypeMeeting:
			if whole {
				return problem("every_time", english)
			}
			return problem("maybe_off", english)
		}
	}
	return problem("other", english)
}

// OptionLabel is an option's label as the reader sees it: a preset option
// still under its preset (English) label is worded in the reader's
// language; a label someone typed is never translated.
func OptionLabel(p *i18n.Printer, o poll.Option) string {
	if def := poll.PresetLabel(o.ID); def != "" && o.Label == def {
		return p.T("poll.option." + o.ID)
	}
	return o.Label
}

// optionLine is how the help lists an option: its label, or a meeting
// time in the reader's language and zone (an all-day slot by its date).
func optionLine(p *i18n.Printer, d poll.Definition, o poll.Option) string {
	if d.Type != poll.TypeMeeting || o.Start.IsZero() {
		return OptionLabel(p, o)
	}
	if o.AllDay {
		u := o.Start.UTC()
		return p.Date(time.Date(u.Year(), u.Month(), u.Day(), 12, 0, 0, 0, p.Location()))
	}
	return p.DateTime(o.Start) + " (" + p.Isolate(p.Location().String()) + ")"
}

// VoteHelp explains how to vote by email in poll d, in p's language (the
// help reply to a vote that could not be read). Its examples are worded
// with words ParseVote reads in that language (voteExamples).
func VoteHelp(p *i18n.Printer, d poll.Definition) string {
	var b strings.Builder
	b.WriteString(p.T("email.vote.help.intro") + "\n")
	ex := func(i int) string { return p.Isolate(voteExamples(p, d)[i]) }
	s := d.Settings
	switch d.Type {
	case poll.TypeProposal, poll.TypeCount, poll.TypeCheck:
		b.WriteString(p.T("email.vote.help.one") + "\n")
	case poll.TypePoll:
		if s.MaxChoices > 1 {
			b.WriteString(p.T("email.vote.help.several", "Min", s.MinChoices, "Max", s.MaxChoices, "Example", ex(0)) + "\n")
		} else {
			b.WriteString(p.T("email.vote.help.one") + "\n")
		}
	case poll.TypeScore:
		b.WriteString(p.T("email.vote.help.score", "Min", s.MinScore, "Max", s.MaxScore, "Example", ex(0), "Numbers", ex(1)) + "\n")
	case poll.TypeRankedChoice:
		b.WriteString(p.N("email.vote.help.ranked", d.RankedN(), "Example", ex(0), "Numbers", ex(1)) + "\n")
	case poll.TypeDotVote:
		b.WriteString(p.N("email.vote.help.dots", s.DotsPerPerson, "Example", ex(0), "Numbers", ex(1)) + "\n")
	case poll.TypeMeeting:
		key := "email.vote.help.meeting"
		if s.CanRespondMaybe {
			key = "email.vote.help.meeting_maybe"
		}
		b.WriteString(p.T(key, "Yes", p.T("poll.meeting.yes"), "No", p.T("poll.meeting.no"), "Maybe", p.T("poll.meeting.maybe"),
			"Example", ex(0)) + "\n")
	case poll.TypeQuestion:
		b.WriteString(p.T("email.vote.help.question") + "\n")
	}
	if d.Type != poll.TypeQuestion {
		for i, o := range d.Options {
			fmt.Fprintf(&b, "  %d. %s\n", i+1, p.Isolate(optionLine(p, d, o)))
		}
	}
	if s.NoneOfTheAbove && (d.Type == poll.TypePoll || d.Type == poll.TypeRankedChoice) {
		b.WriteString(p.T("email.vote.help.none", "None", p.T("poll.none_of_the_above")) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// voteExamples are the example answers VoteHelp shows for d (none for the
// types whose help shows none), each one a valid vote in p's language.
func voteExamples(p *i18n.Printer, d poll.Definition) []string {
	s := d.Settings
	n := len(d.Options)
	switch d.Type {
	case poll.TypePoll:
		if s.MaxChoices <= 1 {
			return nil
		}
		k := min(max(2, s.MinChoices), s.MaxChoices, n)
		var parts []string
		if k == 2 && n >= 3 {
			parts = []string{"1", "3"}
		} else {
			for i := 1; i <= k; i++ {
				parts = append(parts, strconv.Itoa(i))
			}
		}
		return []string{strings.Join(parts, ", ")}
	case poll.TypeScore:
		clamp := func(v int) int { return min(max(v, s.MinScore), s.MaxScore) }
		var named, nums []string
		for i, o := range d.Options {
			if i < 2 {
				named = append(named, OptionLabel(p, o)+" "+strconv.Itoa(clamp(s.MaxScore-1-i)))
			}
			nums = append(nums, strconv.Itoa(clamp(s.MaxScore-i)))
		}
		return []string{strings.Join(named, ", "), strings.Join(nums, " ")}
	case poll.TypeRankedChoice:
		var labels, nums []string
		for i := n - 1; i >= 0 && len(labels) < d.RankedN(); i-- {
			labels = append(labels, OptionLabel(p, d.Options[i]))
			nums = append(nums, strconv.Itoa(i+1))
		}
		return []string{strings.Join(labels, ", "), strings.Join(nums, " ")}
	case poll.TypeDotVote:
		// 2 and 1 dots, or 1 and 1 out of 2, or 1 and 0 out of 1.
		first := min(2, max(1, s.DotsPerPerson-1))
		given := []int{first, min(1, max(0, s.DotsPerPerson-first))}
		var named, nums []string
		for i, o := range d.Options {
			v := 0
			if i < 2 {
				v = given[i]
				named = append(named, OptionLabel(p, o)+" "+strconv.Itoa(v))
			}
			nums = append(nums, strconv.Itoa(v))
		}
		return []string{strings.Join(named, ", "), strings.Join(nums, " ")}
	case poll.TypeMeeting:
		words := []string{p.T("poll.meeting.yes"), p.T("poll.meeting.no")}
		if s.CanRespondMaybe {
			words = append(words, p.T("poll.meeting.maybe"))
		}
		parts := make([]string, n)
		for i := range parts {
			parts[i] = words[i%len(words)]
		}
		return []string{strings.Join(parts, " ")}
	}
	return nil
}
