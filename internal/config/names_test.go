package config

import (
	"math/rand/v2"
	"regexp"
	"testing"
)

// The rules as they were written before Load stopped compiling regular
// expressions at start-up: the hand-written checks must agree with them.
var (
	tableNameRE  = regexp.MustCompile(`^[a-zA-Z0-9_.-]{3,255}$`)
	bucketNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	domainNameRE = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
)

func TestNameRulesAgreeWithTheirRegularExpressions(t *testing.T) {
	long := func(n int, c byte) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = c
		}
		return string(b)
	}
	inputs := []string{"", "a", "ab", "abc", "quorum-main", "Quorum_Main.v2", "a b", "quorum.example.org", "example.org.",
		".example.org", "ex--ample.org", "-ex.org", "ex-.org", "ex..org", "EXAMPLE.org", "xn--bcher-kva.example",
		long(63, 'a'), long(64, 'a'), long(255, 'a'), long(256, 'a'), long(63, 'a') + "." + long(63, 'b'), "a.b", "1.2.3.4",
		"my.bucket-1", "my_bucket", "bucket-", "-bucket", "b\u00e9cket", "t0123abcd-uploads"}
	const alphabet = "abcxyzABZ019-._ \u00e9"
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		inputs = append(inputs, string(b))
	}
	for _, s := range inputs {
		if got, want := validTableName(s), tableNameRE.MatchString(s); got != want {
			t.Errorf("validTableName(%q) = %v, the rule says %v", s, got, want)
		}
		if got, want := validBucketName(s), bucketNameRE.MatchString(s); got != want {
			t.Errorf("validBucketName(%q) = %v, the rule says %v", s, got, want)
		}
		if got, want := validDomainName(s), domainNameRE.MatchString(s); got != want {
			t.Errorf("validDomainName(%q) = %v, the rule says %v", s, got, want)
		}
	}
}
