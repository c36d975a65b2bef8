package api

import (
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/poll"
)

// The extra rows and option columns of the CSV exports are the reader's
// words: meeting times in their language and zone.
func TestCSVValuesInTheReadersLanguage(t *testing.T) {
	de := i18n.New().Printer(lang.German, i18n.Zone("Europe/Berlin"))
	d := poll.New(poll.TypeMeeting)
	d.Settings.TimeZone = "America/New_York"
	at := time.Date(2026, 5, 4, 15, 0, 0, 0, time.UTC)
	timed := poll.Option{ID: "a", Start: at, Label: "Raum 2"}
	d.Options = []poll.Option{timed}
	d.Settings.NoneOfTheAbove = true
	p := decision.Poll{ID: "p1", Definition: d}
	res := poll.Results{Options: []poll.OptionResult{{ID: "a"}}, Rows: []poll.ExtraRow{{Kind: poll.RowUndecided}, {Kind: poll.RowNoneOfTheAbove}}}
	csv := string(resultsCSV(de, p, res))
	for _, want := range []string{"Mo., 4. Mai 2026, 17:00 (Raum 2)", "undecided,Unentschieden", "none_of_the_above," + de.T("page.poll.none_of_the_above"), "option_id,option"} {
		if !strings.Contains(csv, want) {
			t.Errorf("results CSV lacks %q:\n%s", want, csv)
		}
	}
	if b := string(ballotsCSV(de, p, nil)); !strings.Contains(b, "Mo., 4. Mai 2026, 17:00 (Raum 2)") {
		t.Errorf("ballots CSV head: %s", b)
	}

}
