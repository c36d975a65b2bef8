package search

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/ids"
)

// The index keys documents by ids that match this expression; ids.Valid,
// the one check of an id, must accept exactly those.
func TestValidIDMatchesTheExpression(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
	inputs := []string{"", "a", "Z9_-", strings.Repeat("a", 128), strings.Repeat("a", 129), "a b", "a\n", "é", "a.b", "a/b", "\x00"}
	alphabet := "aZ09_-./ é\n\x00#?"
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		b := make([]byte, rng.IntN(140))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		if rng.IntN(2) == 0 { // mostly valid characters, to reach the length limit
			for i := range b {
				b[i] = "aZ09_-"[rng.IntN(6)]
			}
		}
		inputs = append(inputs, string(b))
	}
	for _, in := range inputs {
		if got, want := ids.Valid(in), re.MatchString(in); got != want {
			t.Errorf("ids.Valid(%q) = %v, the expression says %v", in, got, want)
		}
	}
}
