package votes

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/poll"
)

// TestVocabularyHasCatalogLabels: every preset option is understood by the
// label the poll email shows in every language (the catalog's
// poll.option.<id>), and every meeting answer and "none of the above" by the
// catalog's word; a catalog change that the vote reader does not follow
// fails here.
func TestVocabularyHasCatalogLabels(t *testing.T) {
	cat := i18n.New()
	ids := []string{poll.OptionAgree, poll.OptionAbstain, poll.OptionDisagree, poll.OptionBlock, poll.OptionConsent,
		poll.OptionObjection, poll.OptionAccept, poll.OptionDecline, poll.OptionLooksGood, poll.OptionNotSure, poll.OptionConcerned}
	for _, l := range lang.Supported {
		p := cat.Printer(l, time.UTC)
		v, ok := vocabularies[l]
		if !ok {
			t.Errorf("%s: no vocabulary", l)
			continue
		}
		for _, id := range ids {
			label := p.T("poll.option." + id)
			if w := v.options[id]; len(w) == 0 || fold(w[0]) != fold(label) {
				t.Errorf("%s %s: vocabulary starts %v, catalog label is %q", l, id, w, label)
			}
			d := def(poll.TypeProposal)
			d.Options = []poll.Option{{ID: id, Label: poll.PresetLabel(id)}, {ID: "other", Label: "Something else"}}
			if b, err := ParseVote(d, l, label); err != nil || b.Choices[0].OptionID != id {
				t.Errorf("%s: catalog label %q not read as %s: %+v %v", l, label, id, b, err)
			}
		}
		for answer, key := range map[int]string{poll.MeetingYes: "poll.meeting.yes", poll.MeetingNo: "poll.meeting.no", poll.MeetingMaybe: "poll.meeting.maybe"} {
			if got, ok := meetingAnswer(l, p.T(key)); !ok || got != answer {
				t.Errorf("%s: meeting word %q read as %d %v, want %d", l, p.T(key), got, ok, answer)
			}
		}
		if !isNone(l, p.T("poll.none_of_the_above")) {
			t.Errorf("%s: %q is not none of the above", l, p.T("poll.none_of_the_above"))
		}
	}
}

func TestParseVoteInTheVotersLanguage(t *testing.T) {
	proposal := def(poll.TypeProposal)
	count := def(poll.TypeCount)
	check := def(poll.TypeCheck)
	meeting := def(poll.TypeMeeting, "", "", "")
	for i := range meeting.Options {
		meeting.Options[i].Start = time.Date(2026, 12, 1+i, 18, 0, 0, 0, time.UTC)
	}
	cases := []struct {
		l      lang.Lang
		d      poll.Definition
		text   string
		want   []poll.Choice
		reason string
	}{
		{lang.German, proposal, "Dafür", ch("agree", 1), ""},
		{lang.German, proposal, "dafur", ch("agree", 1), ""},
		{lang.German, proposal, "Ja, aber nur bis Juni", ch("agree", 1), "aber nur bis Juni"},
		{lang.German, proposal, "ZUSTIMMEN", ch("agree", 1), ""},
		{lang.German, proposal, "Nein\nZu teuer.", ch("disagree", 1), "Zu teuer."},
		{lang.German, proposal, "Ich enthalte mich", ch("abstain", 1), ""},
		{lang.German, proposal, "Blockieren", ch("block", 1), ""},
		{lang.German, proposal, "Ablehn", ch("disagree", 1), ""}, // prefix of the translated label
		{lang.German, proposal, "yes", ch("agree", 1), ""},       // English as well
		{lang.German, count, "bin dabei", ch("accept", 1), ""},
		{lang.German, check, "Bedenken", ch("concerned", 1), ""},
		{lang.German, meeting, "ja nein vielleicht", ch("a", 2, "b", 0, "c", 1), ""},
		{lang.Spanish, proposal, "Sí", ch("agree", 1), ""},
		{lang.Spanish, proposal, "si", ch("agree", 1), ""},
		{lang.Spanish, proposal, "en desacuerdo", ch("disagree", 1), ""},
		{lang.Spanish, proposal, "ABSTENCION", ch("abstain", 1), ""},
		{lang.Spanish, count, "Rechazar", ch("decline", 1), ""},
		{lang.Spanish, meeting, "sí, no, tal vez", ch("a", 2, "b", 0, "c", 1), ""},
		{lang.French, proposal, "D'accord", ch("agree", 1), ""},
		{lang.French, proposal, "d’accord", ch("agree", 1), ""},
		{lang.French, proposal, "Oui !", ch("agree", 1), ""},
		{lang.French, proposal, "pas d'accord", ch("disagree", 1), ""},
		{lang.French, proposal, "Je m'abstiens", ch("abstain", 1), ""},
		{lang.French, check, "ca me va", ch("looks_good", 1), ""},
		{lang.French, meeting, "oui, non, peut-être\nà bientôt", ch("a", 2, "b", 0, "c", 1), "à bientôt"},
		{lang.Italian, proposal, "Sì", ch("agree", 1), ""},
		{lang.Italian, proposal, "d'accordo", ch("agree", 1), ""},
		{lang.Italian, proposal, "In disaccordo", ch("disagree", 1), ""},
		{lang.Italian, count, "accettare", ch("accept", 1), ""},
		{lang.Italian, meeting, "si no forse", ch("a", 2, "b", 0, "c", 1), ""},
		{lang.Dutch, proposal, "Ja", ch("agree", 1), ""},
		{lang.Dutch, proposal, "Mee eens", ch("agree", 1), ""},
		{lang.Dutch, proposal, "nee", ch("disagree", 1), ""},
		{lang.Dutch, proposal, "Onthouden", ch("abstain", 1), ""},
		{lang.Dutch, check, "ziet er goed uit", ch("looks_good", 1), ""},
		{lang.Dutch, meeting, "ja nee misschien", ch("a", 2, "b", 0, "c", 1), ""},
		{lang.Portuguese, proposal, "Sim", ch("agree", 1), ""},
		{lang.Portuguese, proposal, "concordo", ch("agree", 1), ""},
		{lang.Portuguese, proposal, "Não", ch("disagree", 1), ""},
		{lang.Portuguese, proposal, "nao", ch("disagree", 1), ""},
		{lang.Portuguese, count, "Recusar", ch("decline", 1), ""},
		{lang.Portuguese, meeting, "sim não talvez", ch("a", 2, "b", 0, "c", 1), ""},
		{lang.Arabic, proposal, "نعم", ch("agree", 1), ""},
		{lang.Arabic, proposal, "موافق", ch("agree", 1), ""},
		{lang.Arabic, proposal, "غير موافق", ch("disagree", 1), ""},
		{lang.Arabic, proposal, "لا", ch("disagree", 1), ""},
		{lang.Arabic, proposal, "ممتنع", ch("abstain", 1), ""},
		{lang.Arabic, proposal, "نعم، بشرط الميزانية", ch("agree", 1), "بشرط الميزانية"}, // Arabic comma before the reason
		{lang.Arabic, check, "لست متاكدا", ch("not_sure", 1), ""},                        // without hamza and tanween
		{lang.Arabic, meeting, "نعم، لا، ربما", ch("a", 2, "b", 0, "c", 1), ""},
		{lang.English, proposal, "Agree", ch("agree", 1), ""},
		{lang.English, meeting, "yes no maybe", ch("a", 2, "b", 0, "c", 1), ""},
		{"", proposal, "yes", ch("agree", 1), ""}, // no setting: English
	}
	for _, c := range cases {
		b, err := ParseVote(c.d, c.l, c.text)
		if err != nil {
			t.Errorf("%s %q: %v", c.l, c.text, err)
			continue
		}
		if !reflect.DeepEqual(b.Choices, c.want) || b.Reason != c.reason {
			t.Errorf("%s %q: got %+v %q, want %+v %q", c.l, c.text, b.Choices, b.Reason, c.want, c.reason)
		}
	}
}

func TestParseVoteLanguageLimits(t *testing.T) {
	proposal := def(poll.TypeProposal)
	// A poll offering both Agree and Consent: "ja" names both, so it is
	// refused with the help text rather than guessed.
	both := def(poll.TypeProposal)
	both.Options = []poll.Option{{ID: poll.OptionAgree, Label: "Agree"}, {ID: poll.OptionConsent, Label: "Consent"}, {ID: poll.OptionObjection, Label: "Objection"}}
	bad := []struct {
		l    lang.Lang
		d    poll.Definition
		text string
	}{
		{lang.German, both, "ja"},
		{lang.German, both, "yes"},
		{lang.English, proposal, "oui"}, // another language than the voter's and English
		{lang.German, proposal, "sí"},
		{lang.French, proposal, "ja"},
		{lang.Arabic, proposal, "sim"},
		{lang.Lang("xx"), proposal, "ja"}, // unknown setting: English only
	}
	for _, c := range bad {
		_, err := ParseVote(c.d, c.l, c.text)
		var vp *VoteProblem
		if domain.ErrorCode(err) != domain.Invalid || !errors.As(err, &vp) || vp.Key != "email.vote.problem.no_option" {
			t.Errorf("%s %q: %v (want the help reply)", c.l, c.text, err)
		}
	}

	// Labels people typed match as typed, before any word of a language.
	typed := def(poll.TypePoll, "Nein", "Ja")
	for text, want := range map[string]string{"Ja": "b", "nein": "a"} {
		b, err := ParseVote(typed, lang.German, text)
		if err != nil || b.Choices[0].OptionID != want {
			t.Errorf("typed label %q: %+v %v, want %s", text, b, err, want)
		}
	}
	// An English-only voter's poll labelled in French still matches as typed.
	french := def(poll.TypePoll, "Oui", "Non")
	if b, err := ParseVote(french, lang.English, "non"); err != nil || b.Choices[0].OptionID != "b" {
		t.Errorf("typed label non: %+v %v", b, err)
	}
	// "none of the above" in the voter's language.
	none := def(poll.TypePoll, "Alpha", "Beta")
	none.Settings.NoneOfTheAbove = true
	if b, err := ParseVote(none, lang.German, "Keine der Optionen"); err != nil || !b.NoneOfTheAbove {
		t.Errorf("keine der Optionen: %+v %v", b, err)
	}
}
