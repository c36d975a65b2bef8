package pages

import (
	"fmt"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/poll"
)

// How long a poll stays open, in the reader's words (the hub, the
// dashboard and the poll pages share timeLeftText).
func TestTimeLeft(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cat := i18n.New()
	en, de := cat.Printer(lang.English, time.UTC), cat.Printer(lang.German, time.UTC)
	for d, want := range map[time.Duration][2]string{
		-time.Hour:                    {"closing now", "endet jetzt"},
		30 * time.Second:              {"closing now", "endet jetzt"},
		time.Minute:                   {"closes in 1 minute", "endet in 1 Minute"},
		59 * time.Minute:              {"closes in 59 minutes", "endet in 59 Minuten"},
		time.Hour + 10*time.Minute:    {"closes in 1 hour", "endet in 1 Stunde"},
		5*time.Hour + 40*time.Minute:  {"closes in 6 hours", "endet in 6 Stunden"},
		47 * time.Hour:                {"closes in 47 hours", "endet in 47 Stunden"},
		72*time.Hour - 5*time.Second:  {"closes in 3 days", "endet in 3 Tagen"},
		24*time.Hour*9 + 11*time.Hour: {"closes in 9 days", "endet in 9 Tagen"},
	} {
		for i, p := range []*i18n.Printer{en, de} {
			if got := timeLeftText(p, now.Add(d), now); got != want[i] {
				t.Errorf("%s %v: %q, want %q", p.Lang(), d, got, want[i])
			}
		}
	}
}

func TestInitialsAndAvatar(t *testing.T) {
	for name, want := range map[string]string{
		"Ada Lovelace": "AL", "ada": "A", "Jean-Luc Picard": "JP", "  ": "?", "": "?", "émile zola": "ÉZ", "(x) y": "XY", "!!": "?",
	} {
		if got := initials(name); got != want {
			t.Errorf("initials(%q) = %q, want %q", name, got, want)
		}
	}
	if a, b := avatarOf("u1", "Ada"), avatarOf("u1", "Ada Lovelace"); a.Class != b.Class {
		t.Errorf("the colour depends on the name: %q %q", a.Class, b.Class)
	}
	classes := map[string]bool{}
	for i := 0; i < 200; i++ {
		classes[avatarOf(fmt.Sprintf("01JX%08d", i), "X").Class] = true
	}
	if len(classes) != 8 {
		t.Errorf("200 ids use %d of the 8 colours", len(classes))
	}
}

// Open decisions first, soonest closing on top; the rest keep the core's
// order (newest first).
func TestHubDecisionsOrder(t *testing.T) {
	now := time.Now()
	at := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
	mk := func(id string, status poll.Status, closes *time.Time) decision.Decision {
		d := poll.New(poll.TypeProposal)
		d.Title, d.Settings.ClosingAt = id, closes
		return decision.Decision{Poll: decision.Poll{ID: id, Status: status, Definition: d}}
	}
	got := hubDecisions([]decision.Decision{
		mk("closed-new", poll.StatusClosed, at(-time.Hour)),
		mk("open-late", poll.StatusOpen, at(72*time.Hour)),
		mk("draft", poll.StatusDraft, nil),
		mk("open-soon", poll.StatusOpen, at(2*time.Hour)),
		mk("closed-old", poll.StatusClosed, at(-48*time.Hour)),
	}, i18n.New().Printer(lang.English, time.UTC), now)
	var ids []string
	for _, d := range got {
		ids = append(ids, d.ID)
	}
	if fmt.Sprint(ids) != "[open-soon open-late closed-new draft closed-old]" {
		t.Errorf("order %v", ids)
	}
	if got[0].When == "" || !got[0].Open || got[2].Open {
		t.Errorf("first %+v, third %+v", got[0], got[2])
	}
}
