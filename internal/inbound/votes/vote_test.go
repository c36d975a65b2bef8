package votes

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/poll"
)

func def(t poll.Type, labels ...string) poll.Definition {
	d := poll.New(t)
	if len(labels) > 0 {
		d.Options = nil
		for i, l := range labels {
			d.Options = append(d.Options, poll.Option{ID: string(rune('a' + i)), Label: l})
		}
	}
	return d
}

func ch(pairs ...any) []poll.Choice {
	var out []poll.Choice
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, poll.Choice{OptionID: pairs[i].(string), Score: pairs[i+1].(int)})
	}
	return out
}

func TestParseVote(t *testing.T) {
	proposal := def(poll.TypeProposal)
	single := def(poll.TypePoll, "Alpha", "Beta", "Gamma délicieux")
	multi := def(poll.TypePoll, "Alpha", "Beta", "Gamma")
	multi.Settings.MinChoices, multi.Settings.MaxChoices = 1, 2
	score := def(poll.TypeScore, "Alpha", "Beta", "Gamma")
	ranked := def(poll.TypeRankedChoice, "Alpha", "Beta", "Gamma")
	dots := def(poll.TypeDotVote, "Alpha", "Beta", "Gamma")
	meeting := def(poll.TypeMeeting, "", "", "")
	for i := range meeting.Options {
		meeting.Options[i].Start = time.Date(2026, 12, 1+i, 18, 0, 0, 0, time.UTC)
	}
	count := def(poll.TypeCount)
	check := def(poll.TypeCheck)
	question := def(poll.TypeQuestion)

	cases := []struct {
		name   string
		d      poll.Definition
		text   string
		want   []poll.Choice
		reason string
	}{
		{"agree", proposal, "Agree\n\nBecause tomatoes.", ch("agree", 1), "Because tomatoes."},
		{"agree same-line reason", proposal, "Agree, as long as it is under 500 EUR.\nWe need it.", ch("agree", 1), "as long as it is under 500 EUR.\nWe need it."},
		{"yes", proposal, "yes!", ch("agree", 1), ""},
		{"+1", proposal, "+1", ch("agree", 1), ""},
		{"no", proposal, "No", ch("disagree", 1), ""},
		{"block", proposal, "BLOCK - this breaks the rules", ch("block", 1), "this breaks the rules"},
		{"ordinal word", proposal, "second option", ch("abstain", 1), ""},
		{"2nd", proposal, "2nd", ch("abstain", 1), ""},
		{"option 3", proposal, "option 3", ch("disagree", 1), ""},
		{"german ordinal", proposal, "vierte", ch("block", 1), ""},
		{"prefix", proposal, "disag", ch("disagree", 1), ""},
		{"leading words", proposal, "agree with Bob on this", ch("agree", 1), "with Bob on this"},
		{"accent insensitive", single, "gamma delicieux", ch("c", 1), ""},
		{"unique prefix", single, "Gam", ch("c", 1), ""},
		{"number", single, "2", ch("b", 1), ""},
		{"multi", multi, "Alpha, Gamma", ch("a", 1, "c", 1), ""},
		{"multi and", multi, "alpha and beta", ch("a", 1, "b", 1), ""},
		{"score pairs", score, "Alpha 4, Beta 2\nreason", ch("a", 4, "b", 2), "reason"},
		{"score colon", score, "Gamma: 5; Alpha=1", ch("a", 1, "c", 5), ""},
		{"score order", score, "4 2 5", ch("a", 4, "b", 2, "c", 5), ""},
		{"ranked labels", ranked, "Beta, Alpha, Gamma", ch("b", 3, "a", 2, "c", 1), ""},
		{"ranked arrows", ranked, "Beta > Gamma > Alpha", ch("b", 3, "c", 2, "a", 1), ""},
		{"ranked numbers", ranked, "2 1 3", ch("b", 3, "a", 2, "c", 1), ""},
		{"dots", dots, "Alpha 3, Beta 5", ch("a", 3, "b", 5), ""},
		{"dots order", dots, "3 0 5", ch("a", 3, "c", 5), ""},
		{"meeting", meeting, "yes no maybe", ch("a", 2, "b", 0, "c", 1), ""},
		{"count", count, "count me in", ch("accept", 1), ""},
		{"check", check, "LGTM", ch("looks_good", 1), ""},
		{"question", question, "My answer is here.\nSecond line.", nil, "My answer is here.\nSecond line."},
	}
	for _, c := range cases {
		b, err := ParseVote(c.d, lang.English, c.text)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !reflect.DeepEqual(b.Choices, c.want) || b.Reason != c.reason {
			t.Errorf("%s: got %+v %q, want %+v %q", c.name, b.Choices, b.Reason, c.want, c.reason)
		}
	}

	bad := []struct {
		name, mention string
		d             poll.Definition
		text          string
	}{
		{"unknown", "Agree", proposal, "perhaps later"},
		{"empty", "Agree", proposal, "   "},
		{"ambiguous prefix", "Alpha", def(poll.TypePoll, "Alpha", "Alps"), "Alp"},
		{"ordinal out of range", "Gamma", single, "7"},
		{"score out of range", "from 0 to 5", score, "Alpha 9"},
		{"score count", "3 options", score, "4 2"},
		{"ranked too few", "Rank exactly 3", ranked, "Beta, Alpha"},
		{"ranked duplicate", "Rank exactly", ranked, "Beta, Beta, Alpha"},
		{"dots over budget", "8 dots", dots, "Alpha 7, Beta 5"},
		{"meeting count", "yes, no or maybe", meeting, "yes no"},
		{"meeting word", "yes, no or maybe", meeting, "yes no later"},
		{"multi too many", "between 1 and 2", multi, "Alpha, Beta, Gamma"},
	}
	en := i18n.New().Printer(lang.English, nil)
	for _, c := range bad {
		_, err := ParseVote(c.d, lang.English, c.text)
		var vp *VoteProblem
		if domain.ErrorCode(err) != domain.Invalid || !errors.As(err, &vp) {
			t.Errorf("%s: %v (want a VoteProblem)", c.name, err)
			continue
		}
		if help := vp.Message(en) + "\n\n" + VoteHelp(en, c.d); !strings.Contains(help, c.mention) {
			t.Errorf("%s: %v (want a help reply mentioning %q):\n%s", c.name, err, c.mention, help)
		}
	}
}
