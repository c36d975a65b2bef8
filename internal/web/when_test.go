package web

import (
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/lang"
)

// A timeline's times read as how long ago, in the reader's language, and
// keep the exact instant: the machine-readable datetime and, on hover, the
// date and time in the reader's zone with its name (issue 15: "times in the
// reader's zone, relative where they read better").
func TestWhenIsRelativeWithTheFullDateAsItsTitle(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	cat := i18n.New()
	now := time.Date(2026, 7, 1, 22, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		p    *i18n.Printer
		at   time.Time
		want string
	}{
		{"English, minutes", cat.Printer(lang.English, time.UTC), now.Add(-5 * time.Minute),
			`<time datetime="2026-07-01T22:25:00Z" title="1 Jul 2026, 22:25 UTC">5 minutes ago</time>`},
		{"German in Berlin, one day", cat.Printer(lang.German, berlin), now.Add(-24 * time.Hour),
			`<time datetime="2026-06-30T22:30:00Z" title="1. Juli 2026, 00:30 CEST">gestern</time>`},
		{"English, a week or more: the date", cat.Printer(lang.English, time.UTC), now.Add(-8 * 24 * time.Hour),
			`<time datetime="2026-06-23T22:30:00Z" title="23 Jun 2026, 22:30 UTC">23 Jun 2026</time>`},
	} {
		if got := string(when(c.p, c.at, now)); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}
