package ids

import (
	"encoding/base64"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

var (
	entityRE   = regexp.MustCompile(`^[a-z2-7]{16}$`)
	userRE     = regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)
	sortableRE = regexp.MustCompile(`^[0-9a-f]{24}$`)
)

func TestFormats(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		e, u := New(), NewUser()
		if !entityRE.MatchString(e) || !Valid(e) {
			t.Fatalf("entity id %q is not 16 lowercase base32 characters", e)
		}
		if b, err := base64.RawURLEncoding.Strict().DecodeString(u); !userRE.MatchString(u) || err != nil || len(b) != 16 || !Valid(u) {
			t.Fatalf("user id %q is not 22 base64url characters of 16 bytes", u)
		}
		if seen[e] || seen[u] {
			t.Fatalf("an id repeated: %q %q", e, u)
		}
		seen[e], seen[u] = true, true
	}
	sum := []byte("0123456789abcdefghij")
	if got := FromHash(sum); got != FromHash(sum) || !entityRE.MatchString(got) || got != "gaytemzugu3doobz" {
		t.Errorf("FromHash = %q, want the lowercase base32 of the first 10 bytes", got)
	}
}

func TestSortableIdsSortByTime(t *testing.T) {
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var got []string
	for i := range 50 {
		id := NewSortable(base.Add(time.Duration(49-i) * time.Millisecond))
		if !sortableRE.MatchString(id) || !Valid(id) {
			t.Fatalf("sortable id %q is not 24 hex digits", id)
		}
		got = append(got, id)
	}
	if sort.StringsAreSorted(got) {
		t.Fatal("ids were made newest first; they should not already be sorted")
	}
	sort.Strings(got)
	for i := 1; i < len(got); i++ {
		if got[i-1][:16] >= got[i][:16] {
			t.Fatalf("lexical order is not time order at %d: %s %s", i, got[i-1], got[i])
		}
	}
	if s := Sortable(base, []byte{0xde, 0xad, 0xbe, 0xef, 0xff}); s != "1886caf21c963200deadbeef" {
		t.Errorf("Sortable = %q", s)
	}
}

func TestValid(t *testing.T) {
	for _, c := range []struct {
		id   string
		want bool
	}{
		{"abcdefghij234567", true}, {"AbC_-09", true}, {"a", true}, {strings.Repeat("a", MaxLen), true},
		{"", false}, {strings.Repeat("a", MaxLen+1), false}, {"USER#x", false}, {"a b", false}, {"a/b", false},
		{"a.b", false}, {"a\x00b", false}, {"é", false}, {"a\nb", false}, {"a%2F", false},
	} {
		if got := Valid(c.id); got != c.want {
			t.Errorf("Valid(%q) = %v, want %v", c.id, got, c.want)
		}
	}
}

func TestAlnum(t *testing.T) {
	for in, want := range map[string]string{"q3Rk2bVx0aZ-_e9LmN1pQw": "q3Rk2bVx0aZe9LmN1pQw", "abc>@<x\r\n": "abcx", "é1": "1", "": ""} {
		if got := Alnum(in); got != want {
			t.Errorf("Alnum(%q) = %q, want %q", in, got, want)
		}
	}
}
