package decision

import (
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/poll"
)

// The history is bounded by count and by size: reasons at the limit, in
// four-byte characters, never push a ballot item past DynamoDB's 400 KB.
func TestHistoryBoundedBySize(t *testing.T) {
	big := strings.Repeat("😀", poll.MaxReasonLength) // 40 KB
	var hist []pastStance
	now := time.Now()
	for i := 0; i < 3*MaxBallotHistory; i++ {
		prev := poll.Ballot{Choices: []poll.Choice{{OptionID: "a", Score: 1}}, Reason: big + string(rune('a'+i%26))}
		next := poll.Ballot{Choices: []poll.Choice{{OptionID: "b", Score: 1}}, Reason: big}
		hist = nextHistory(hist, &prev, now, next)
	}
	total := 0
	for _, h := range hist {
		total += len(h.Reason)
	}
	if len(hist) == 0 || len(hist) > MaxBallotHistory || total > maxHistoryBytes {
		t.Fatalf("history of %d stances, %d bytes", len(hist), total)
	}
	// Small stances: bounded by count only.
	hist = nil
	for i := 0; i < 3*MaxBallotHistory; i++ {
		prev := poll.Ballot{Choices: []poll.Choice{{OptionID: "a", Score: 1}}, Reason: "r" + string(rune('a'+i%26))}
		hist = nextHistory(hist, &prev, now, poll.Ballot{Choices: []poll.Choice{{OptionID: "b", Score: 1}}})
	}
	if len(hist) != MaxBallotHistory {
		t.Fatalf("history of %d", len(hist))
	}
}
