package store_test

import (
	"context"
	"testing"

	"github.com/quorum-app/quorum/internal/store"
)

func TestScanStepResumesToTheEnd(t *testing.T) { both(t, testScanStepResumesToTheEnd) }

// A scan in small pages, resumed from each cursor, finds every matching
// item of its prefix exactly once, none of another prefix, and ends with
// an empty cursor; a malformed cursor is refused.
func testScanStepResumesToTheEnd(t *testing.T, s *store.Store, _ raw) {
	ctx := context.Background()
	for i, title := range []string{"keep", "drop", "keep", "keep", "drop", "keep", "keep"} {
		if err := s.Create(ctx, newNote("scan", string(rune('a'+i)), title), nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Create(ctx, &note{Item: store.Item{PK: "OTHER#x", SK: "NOTE#z", Type: "note"}, Title: "keep"}, nil); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	cursor, steps := "", 0
	for {
		found, next, err := store.ScanStep[note](ctx, s, "NOTEGROUP#scan", "$ = ?", []any{"Title", "keep"}, cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range found {
			seen[n.PK+"/"+n.SK]++
			if n.Title != "keep" || n.PK != "NOTEGROUP#scan" {
				t.Errorf("found %+v", n)
			}
		}
		steps++
		if next == "" {
			break
		}
		if steps > 100 {
			t.Fatal("the scan does not end")
		}
		cursor = next
	}
	if len(seen) != 5 {
		t.Errorf("found %d items, want 5: %v", len(seen), seen)
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s found %d times", k, n)
		}
	}
	if _, _, err := store.ScanStep[note](ctx, s, "NOTEGROUP#scan", "", nil, "!!not a cursor", 2); err == nil {
		t.Error("a malformed cursor was accepted")
	}
}
