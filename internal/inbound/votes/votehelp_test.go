package votes

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/poll"
)

// helpPolls is one poll of every type (and the variants whose help
// differs): preset options, typed labels, meeting times, none of the above.
func helpPolls() map[string]poll.Definition {
	multi := def(poll.TypePoll, "Alpha", "Beta", "Gamma")
	multi.Settings.MinChoices, multi.Settings.MaxChoices, multi.Settings.NoneOfTheAbove = 1, 2, true
	ranked := def(poll.TypeRankedChoice, "Alpha", "Beta", "Gamma", "Delta")
	ranked.Settings.MinChoices, ranked.Settings.NoneOfTheAbove = 2, true
	score := def(poll.TypeScore, "Alpha", "Beta", "Gamma")
	score.Settings.MinScore, score.Settings.MaxScore = 1, 5
	dots := def(poll.TypeDotVote, "Alpha", "Beta", "Gamma")
	dots.Settings.DotsPerPerson = 2
	t0 := time.Date(2026, 12, 5, 22, 30, 0, 0, time.UTC)
	meeting := poll.New(poll.TypeMeeting)
	meeting.Options = []poll.Option{{ID: "a", Start: t0}, {ID: "b", Start: t0.Add(24 * time.Hour)}, {ID: "c", Start: time.Date(2026, 12, 9, 0, 0, 0, 0, time.UTC), AllDay: true}}
	meeting.Settings.CanRespondMaybe = true
	yesNo := meeting
	yesNo.Settings.CanRespondMaybe = false
	return map[string]poll.Definition{
		"proposal": poll.New(poll.TypeProposal), "count": poll.New(poll.TypeCount), "check": poll.New(poll.TypeCheck),
		"poll": def(poll.TypePoll, "Alpha", "Beta"), "multi": multi, "score": score, "ranked": ranked, "dots": dots,
		"meeting": meeting, "meeting yes/no": yesNo, "question": poll.New(poll.TypeQuestion),
	}
}

// isOptionLine: a help line listing an option ("  2. Beta").
func isOptionLine(l string) bool {
	l = strings.TrimSpace(l)
	i := strings.Index(l, ". ")
	return i > 0 && i <= 3 && strings.Trim(l[:i], "0123456789") == ""
}

// Every poll type's help in every language: no missing message, no English
// sentence (each line but the option list differs from the English one),
// meeting times in the voter's zone, and every example it gives (and the
// preset labels and "none of the above" it lists) is a valid vote in that
// language, also when copied with the bidi isolates it is shown in.
func TestVoteHelpInEveryLanguage(t *testing.T) {
	cat := i18n.New()
	for name, d := range helpPolls() {
		english := strings.Split(VoteHelp(cat.PrinterIn(lang.English, "Asia/Tokyo"), d), "\n")
		for _, l := range lang.Supported {
			p := cat.PrinterIn(l, "Asia/Tokyo")
			help := VoteHelp(p, d)
			if strings.Contains(help, i18n.Missing) {
				t.Errorf("%s %s: missing message:\n%s", l, name, help)
			}
			lines := strings.Split(help, "\n")
			if len(lines) != len(english) {
				t.Errorf("%s %s: %d lines, English has %d:\n%s", l, name, len(lines), len(english), help)
				continue
			}
			for i, line := range lines {
				if l != lang.English && !isOptionLine(line) && line == english[i] {
					t.Errorf("%s %s: English line %q", l, name, line)
				}
			}
			if d.Type == poll.TypeMeeting {
				// 5 Dec 22:30 UTC is 6 Dec 07:30 in Tokyo; the all-day 9 Dec stays 9 Dec.
				for _, want := range []string{p.DateTime(d.Options[0].Start) + " (" + p.Isolate("Asia/Tokyo") + ")", p.Date(time.Date(2026, 12, 9, 12, 0, 0, 0, p.Location()))} {
					if !strings.Contains(help, want) || !strings.Contains(p.DateTime(d.Options[0].Start), "07:30") {
						t.Errorf("%s %s: no %q in\n%s", l, name, want, help)
					}
				}
			}
			examples := voteExamples(p, d)
			wantExamples := map[poll.Type]int{poll.TypeScore: 2, poll.TypeRankedChoice: 2, poll.TypeDotVote: 2, poll.TypeMeeting: 1}[d.Type]
			if d.Type == poll.TypePoll && d.Settings.MaxChoices > 1 {
				wantExamples = 1
			}
			if len(examples) != wantExamples {
				t.Errorf("%s %s: examples %q, want %d", l, name, examples, wantExamples)
			}
			// Meeting answers are the voter's words, not English ones
			// (which the parser would read too).
			if enEx := voteExamples(cat.Printer(lang.English, nil), d); d.Type == poll.TypeMeeting && l != lang.English && examples[0] == enEx[0] {
				t.Errorf("%s %s: English example %q", l, name, examples[0])
			}
			for _, o := range d.Options {
				if d.Type != poll.TypeMeeting && d.Type != poll.TypeScore && d.Type != poll.TypeDotVote && d.Type != poll.TypeRankedChoice && d.Settings.MaxChoices <= 1 {
					examples = append(examples, OptionLabel(p, o))
				}
			}
			if d.Settings.NoneOfTheAbove {
				examples = append(examples, p.T("poll.none_of_the_above"))
			}
			for _, ex := range examples {
				if !strings.Contains(help, p.Isolate(ex)) && !strings.Contains(help, ex) {
					t.Errorf("%s %s: example %q not in the help:\n%s", l, name, ex, help)
				}
				for _, text := range []string{ex, p.Isolate(ex), "\u2068" + ex + "\u2069\nbecause"} {
					if _, err := ParseVote(d, l, text); err != nil {
						t.Errorf("%s %s: example %q does not parse: %v", l, name, text, err)
					}
				}
			}
		}
	}
}

// Every problem a reply can have, in every language: worded from the
// catalog (no missing message, not the English sentence), what the voter
// wrote quoted as typed.
func TestVoteProblemsInEveryLanguage(t *testing.T) {
	cat := i18n.New()
	polls := helpPolls()
	reasonless := def(poll.TypePoll, "Alpha", "Beta")
	reasonless.Settings.ReasonMode = poll.ReasonDisabled
	needsReason := def(poll.TypePoll, "Alpha", "Beta")
	needsReason.Settings.ReasonMode = poll.ReasonRequired
	shortReason := def(poll.TypePoll, "Alpha", "Beta")
	shortReason.Settings.ReasonMaxLength = 10
	exact := def(poll.TypePoll, "Alpha", "Beta", "Gamma")
	exact.Settings.MinChoices, exact.Settings.MaxChoices = 2, 2
	cases := []struct {
		key  string
		d    poll.Definition
		text string
	}{
		{"empty", polls["proposal"], " "},
		{"too_long", polls["proposal"], strings.Repeat("a", maxVoteLine+1)},
		{"no_option", polls["proposal"], "Zebra"},
		{"not_pair", polls["score"], "Alpha, Beta 2"},
		{"numbers", polls["score"], "1 2"},
		{"meeting_count", polls["meeting"], "yes"},
		{"meeting_word", polls["meeting"], "yes no later"},
		{"duplicate", polls["ranked"], "Alpha, Alpha"},
		{"choice_range", polls["multi"], "Alpha, Beta, Gamma"},
		{"choice_exact", exact, "Alpha"},
		{"score_range", polls["score"], "Alpha 9"},
		{"rank_count", polls["ranked"], "Alpha, Beta, Gamma"},
		{"dots_over", polls["dots"], "Alpha 2, Beta 1"},
		{"maybe_off", polls["meeting yes/no"], "yes maybe no"},
		{"reason_disabled", reasonless, "Alpha\nbecause"},
		{"reason_required", needsReason, "Alpha"},
		{"reason_long", shortReason, "Alpha\nbecause of many things"},
	}
	for _, c := range cases {
		_, err := ParseVote(c.d, lang.English, c.text)
		var vp *VoteProblem
		if !errors.As(err, &vp) || vp.Key != "email.vote.problem."+c.key {
			t.Errorf("%s: %v (%+v)", c.key, err, vp)
			continue
		}
		english := vp.Message(cat.Printer(lang.English, nil))
		for _, l := range lang.Supported {
			msg := vp.Message(cat.Printer(l, nil))
			if strings.Contains(msg, i18n.Missing) || (l != lang.English && msg == english) {
				t.Errorf("%s %s: %q", c.key, l, msg)
			}
			if c.key == "no_option" && !strings.Contains(msg, "Zebra") {
				t.Errorf("%s %s: what the voter wrote is not quoted: %q", c.key, l, msg)
			}
		}
	}
}
