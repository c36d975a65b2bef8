package tag

import (
	"slices"
	"testing"
	"time"
)

// TestResolveShowsOnlyDefinedTagsByName: ids of deleted tags are dropped
// (a deletion shows everywhere at once), the rest sorted by name.
func TestResolveShowsOnlyDefinedTagsByName(t *testing.T) {
	defs := map[string]Tag{"a": {ID: "a", Name: "zebra"}, "b": {ID: "b", Name: "Apple"}}
	got := Resolve(defs, []string{"a", "gone", "b"})
	if len(got) != 2 || got[0].Name != "Apple" || got[1].Name != "zebra" {
		t.Fatalf("Resolve: %+v", got)
	}
	if got := Resolve(defs, nil); got == nil || len(got) != 0 {
		t.Fatalf("Resolve of nothing: %#v, want an empty list", got)
	}
}

// TestIndexKeysSortByCreation: a tag's index lists newest first in a
// descending query, threads and polls apart.
func TestIndexKeysSortByCreation(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	keys := []string{
		IndexSK(Thread, t0.Add(time.Hour), "b"),
		IndexSK(Thread, t0, "a"),
		IndexSK(Thread, t0.Add(time.Nanosecond), "c"),
	}
	sorted := slices.Clone(keys)
	slices.Sort(sorted)
	if want := []string{keys[1], keys[2], keys[0]}; !slices.Equal(sorted, want) {
		t.Fatalf("keys sort as %v, want %v", sorted, want)
	}
	if IndexSK(Poll, t0, "p")[:2] != "P#" || IndexSK(Thread, t0, "t")[:2] != "T#" {
		t.Fatal("threads and polls share a prefix")
	}
}

// TestPaletteIsSmallAndUnique: the palette's names are CSS class suffixes.
func TestPaletteIsSmallAndUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Palette {
		if seen[c] || c == "" {
			t.Fatalf("palette colour %q repeated or empty", c)
		}
		seen[c] = true
		if !validColour(c) {
			t.Fatalf("%q is not valid", c)
		}
	}
	if validColour("#ff0000") || validColour("Red") {
		t.Fatal("a colour outside the palette is valid")
	}
}
