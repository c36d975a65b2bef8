package pages

import (
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/poll"
)

// The values inside the poll pages' messages are the reader's words:
// meeting times (their language, their zone), a vote-share rule, the
// hub's types (the CSV exports': internal/api).
func TestPollValuesInTheReadersLanguage(t *testing.T) {
	cat := i18n.New()
	de := cat.Printer(lang.German, i18n.Zone("Europe/Berlin"))
	en := cat.Printer(lang.English, time.UTC)
	d := poll.New(poll.TypeMeeting)
	d.Settings.TimeZone = "America/New_York"
	at := time.Date(2026, 5, 4, 15, 0, 0, 0, time.UTC)
	timed := poll.Option{ID: "a", Start: at, Label: "Raum 2"}
	allDay := poll.Option{ID: "b", Start: time.Date(2026, 5, 5, 0, 0, 0, 0, time.UTC), AllDay: true}
	for _, c := range []struct {
		p    *i18n.Printer
		o    poll.Option
		want string
	}{
		{de, timed, "Mo., 4. Mai 2026, 17:00 (Raum 2)"},
		{en, timed, "Mon 4 May 2026, 15:00 (Raum 2)"},
		{de, allDay, "Di., 5. Mai 2026"},
	} {
		if got := handlerkit.OptionLabel(c.p, d, c.o); got != c.want {
			t.Errorf("%s: %q, want %q", c.p.Lang(), got, c.want)
		}
	}
	if got := requirementRule(de, poll.Requirement{Measure: poll.MeasureVoterPercent, Op: poll.AtLeast, Threshold: 50}); !strings.HasPrefix(got, "mit mindestens 50") || !strings.Contains(got, "der Abstimmenden") {
		t.Errorf("rule: %q", got)
	}

	closes := time.Now().Add(72 * time.Hour)
	dp := poll.New(poll.TypeRankedChoice)
	dp.Settings.ClosingAt = &closes
	hub := hubDecisions([]decision.Decision{{Poll: decision.Poll{ID: "x", Status: poll.StatusOpen, Definition: dp}}}, de, time.Now())
	if hub[0].Type != "Rangfolge" || !strings.HasPrefix(hub[0].When, "endet in 3 Tagen (") {
		t.Errorf("hub: %+v", hub[0])
	}
}
