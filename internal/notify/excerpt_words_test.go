package notify

import (
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/lang"
)

// A poll notice's stored English excerpt reaches the reader in their
// language and zone; what people wrote stays as it is.
func TestExcerptTextWordsPollExcerpts(t *testing.T) {
	de := i18n.New().Printer(lang.German, i18n.Zone("Europe/Berlin"))
	at := time.Date(2026, 5, 4, 15, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		kind   Kind
		stored string
		want   string
	}{
		{PollClosingSoon, ExcerptCloses.At(at), "Endet am 4. Mai 2026, 17:00 CEST"},
		{PollOpened, ExcerptOpenUntil.At(at), "Abstimmung offen bis 4. Mai 2026, 17:00 CEST"},
		{PollOutcomeReview, ExcerptReview.At(at), "Überprüfung am 4. Mai 2026"},
		{PollClosed, string(ExcerptClosed), "Die Abstimmung ist beendet: Schreiben Sie ihr Ergebnis."},
		{Announcement, ExcerptCloses.At(at), "Endet am 4. Mai 2026, 17:00 CEST"},
		{Comment, "Closes 4 May 2026 15:00 UTC", "Closes 4 May 2026 15:00 UTC"},
		{PollClosed, "something else", "something else"},
		// A published outcome's excerpt is its statement: never reworded,
		// even when it reads like a poll excerpt; the sentence older
		// notifications carry still is.
		{OutcomePublished, "Closes 4 May 2026 15:00 UTC", "Closes 4 May 2026 15:00 UTC"},
		{OutcomePublished, "We paint it green: • the shed", "We paint it green: • the shed"},
		{OutcomePublished, string(ExcerptOutcome), "Das Ergebnis dieser Abstimmung wurde veröffentlicht."},
	} {
		if got := ExcerptText(de, Notification{Kind: c.kind, Excerpt: c.stored}); got != c.want {
			t.Errorf("%s %q: %q, want %q", c.kind, c.stored, got, c.want)
		}
	}
}
