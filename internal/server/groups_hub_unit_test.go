package server

import (
	"fmt"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/poll"
)

func TestTimeLeft(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		-time.Hour:                    "closing now",
		30 * time.Second:              "closing now",
		time.Minute:                   "closes in 1 minute",
		59 * time.Minute:              "closes in 59 minutes",
		time.Hour + 10*time.Minute:    "closes in 1 hour",
		5*time.Hour + 40*time.Minute:  "closes in 6 hours",
		47 * time.Hour:                "closes in 47 hours",
		72*time.Hour - 5*time.Second:  "closes in 3 days",
		24*time.Hour*9 + 11*time.Hour: "closes in 9 days",
	} {
		if got := timeLeft(now.Add(d), now); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
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
