package i18n

import (
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/poll"
)

// Values the code fills into an error message are worded for the reader
// when they are terms (a field, a kind of poll, a phrase); other values
// stay as given.
func TestErrorfWordsTerms(t *testing.T) {
	cat := New()
	de := cat.Printer(lang.German, nil)
	if got := de.Errorf("does not apply to %s polls", poll.TypeRankedChoice.Term()); got != "gilt nicht für Umfragen vom Typ „Rangfolge“" {
		t.Errorf("poll type: %q", got)
	}
	if got := de.Errorf("%s: %s", domain.FieldTerm("settings.closing_at"), "x"); got != "Ende: x" {
		t.Errorf("field: %q", got)
	}
	if got := de.Errorf("%s: %s", domain.FieldTerm("options[3].label"), "x"); got != "Optionen: x" {
		t.Errorf("indexed field: %q", got)
	}
	if got := de.FieldLabel("poll.settings.vote_share"); got != "Anforderungen an den Stimmenanteil" {
		t.Errorf("a template's poll field: %q", got)
	}
	if got := de.Errorf("%s: %s", domain.FieldTerm("no_such_field"), "x"); got != "no_such_field: x" {
		t.Errorf("a field without a label keeps its name: %q", got)
	}
	if got := de.Errorf("option %q cannot be removed %s", "a", domain.Term{Kind: "phrase", Name: "after_votes", English: "after votes were cast"}); !strings.Contains(got, "nachdem Stimmen") {
		t.Errorf("phrase: %q", got)
	}
	// English-only callers (logs, err.Error()) see the term's English.
	var fe domain.FieldErrors
	fe.Add("settings.anonymous", "is not allowed for %s polls", poll.TypeDotVote.Term())
	if fe[0].Message != "is not allowed for dot_vote polls" {
		t.Errorf("English message: %q", fe[0].Message)
	}
}

// Every poll type and the phrases the poll core fills in have words in
// every language (the catalogs' completeness test covers the languages).
func TestPollTermsInCatalogs(t *testing.T) {
	en := New().Printer(lang.English, nil)
	for _, ty := range poll.Types() {
		if en.Term(ty.Term().TermKey()) == "" {
			t.Errorf("no words for poll type %s", ty)
		}
	}
	for _, ph := range []string{"after_votes", "once_open_hidden"} {
		if en.Term("phrase."+ph) == "" {
			t.Errorf("no words for phrase %s", ph)
		}
	}
}

// Dates with the day of the week, in the language's words and order.
func TestWeekdayDate(t *testing.T) {
	cat := New()
	at := time.Date(2026, 5, 4, 15, 0, 0, 0, time.UTC)
	berlin := Zone("Europe/Berlin")
	for l, want := range map[lang.Lang]string{
		lang.English: "Mon 4 May 2026, 17:00",
		lang.German:  "Mo., 4. Mai 2026, 17:00",
		lang.French:  "lun. 4 mai 2026 à 17:00",
	} {
		if got := cat.Printer(l, berlin).WeekdayDateTime(at); got != want {
			t.Errorf("%s: %q, want %q", l, got, want)
		}
	}
	if got := cat.Printer(lang.Arabic, time.UTC).WeekdayDate(at); !strings.HasPrefix(got, "الاثنين ") {
		t.Errorf("Arabic: %q", got)
	}
}
