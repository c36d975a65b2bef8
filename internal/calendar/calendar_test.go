package calendar

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/poll"
)

func TestMeetingICS(t *testing.T) {
	start := time.Date(2026, 3, 14, 15, 30, 0, 0, time.UTC)
	p := decision.Poll{ID: "abc-_123", Definition: poll.Definition{Title: "Réunion; budget, \\ " + strings.Repeat("é", 60)}}
	p.Definition.Settings.MeetingDuration = 45
	o := decision.Outcome{Statement: "Bring snacks.\r\nAnd maps\x07.", UpdatedAt: start, Version: 3}
	got := string(MeetingICS(p, o, poll.Option{Start: start}, "https://quorum.example/polls/abc", o.Statement))
	lines := strings.Split(strings.TrimSuffix(got, "\r\n"), "\r\n")
	var unfolded []string
	for _, l := range lines {
		if len(l) > 75 || !utf8.ValidString(l) {
			t.Errorf("line of %d octets or split inside a character: %q", len(l), l)
		}
		if strings.HasPrefix(l, " ") {
			unfolded[len(unfolded)-1] += l[1:]
			continue
		}
		unfolded = append(unfolded, l)
	}
	all := strings.Join(unfolded, "\n")
	for _, want := range []string{"BEGIN:VCALENDAR", "UID:poll-abc123@quorum", "SEQUENCE:2", "DTSTART:20260314T153000Z",
		"DTEND:20260314T161500Z", `SUMMARY:Réunion\; budget\, \\ éé`, `DESCRIPTION:Bring snacks.\nAnd maps.`,
		"URL:https://quorum.example/polls/abc", "END:VCALENDAR"} {
		if !strings.Contains(all, want) {
			t.Errorf("lacks %q:\n%s", want, all)
		}
	}
	day := string(MeetingICS(p, o, poll.Option{Start: start, AllDay: true}, "", o.Statement))
	if !strings.Contains(day, "DTSTART;VALUE=DATE:20260314\r\n") || !strings.Contains(day, "DTEND;VALUE=DATE:20260315\r\n") || strings.Contains(day, "URL:") {
		t.Errorf("all-day event:\n%s", day)
	}
}
