package idempotency

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// validKey is the rule the regular expression ^[\x21-\x7e]{8,255}$ stated
// (compiled at every cold start before it was written in code): same
// answer on the edges and on random keys of every byte and length.
func TestValidKeyMatchesTheExpression(t *testing.T) {
	re := regexp.MustCompile(`^[\x21-\x7e]{8,255}$`)
	keys := []string{"", "1234567", "12345678", strings.Repeat("a", 255), strings.Repeat("a", 256),
		"abcd efgh", "abcdefg\x7f", "abcdefg\x20", "abcdefg\x21", "abcdefg\x7e", "abcdefgé", "abcdefgh\n"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		b := make([]byte, rng.IntN(270))
		for i := range b {
			if rng.IntN(20) == 0 {
				b[i] = byte(rng.IntN(256))
			} else {
				b[i] = byte(0x21 + rng.IntN(0x7e-0x21+1))
			}
		}
		keys = append(keys, string(b))
	}
	for _, k := range keys {
		if got, want := validKey(k), re.MatchString(k); got != want {
			t.Errorf("validKey(%q) = %v, the expression says %v", k, got, want)
		}
	}
}
