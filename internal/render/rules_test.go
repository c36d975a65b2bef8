package render

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// The rules are the expressions the allow-list used (and the bluemonday
// policy of sanitize_test.go still uses), as code.
var ruleExpressions = []struct {
	name string
	rule func(string) bool
	expr string
}{
	{"start", isStart, `^[0-9]{1,6}$`},
	{"align", isAlign, `^(left|right|center)$`},
	{"language class", isLanguageClass, `^language-[a-zA-Z0-9_+-]{1,32}$`},
	{"mention class", isMentionClass, `^mention$`},
	{"span class", isSpanClass, `^mention$|^task$`},
	{"link href", isLinkHref, `^(?i:https?:|mailto:)|` + memberPathExpr},
	{"member path", isMemberPath, memberPathExpr},
}

const memberPathExpr = `^/groups/[A-Za-z0-9_-]{1,128}\?tab=members#member-[A-Za-z0-9_-]{1,128}$`

// TestRulesMatchTheExpressions compares each rule with its expression on
// edge cases and on random strings built from the pieces that matter.
func TestRulesMatchTheExpressions(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	pieces := []string{"", "0", "9", "123456", "1234567", "left", "right", "center", "Left", "language-", "go", "c++",
		"a b", "checked", "disabled", "task", "Task", "tasks", "mention", "Mention", "http:", "HTTPS:", "hTtP:", "httpſ:", "mailto:", "MAILTO:",
		"javascript:", "/groups/", "?tab=members#member-", "g1", "u_1-x", "?", "#", "/", "-", "_", ":", "\x00", "é", "\n",
		long(31), long(32), long(33), long(127), long(128), long(129)}
	var inputs []string
	for _, a := range pieces {
		inputs = append(inputs, a, "language-"+a, "/groups/"+a+"?tab=members#member-"+a)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(5) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		inputs = append(inputs, b.String())
	}
	for _, c := range ruleExpressions {
		re := regexp.MustCompile(c.expr)
		for _, in := range inputs {
			got, want := c.rule(in), re.MatchString(in)
			if c.name == "link href" {
				// An href must also be a URL the sanitiser accepts
				// (safeHref): the expression's (?i) lets "httpſ:" (long s)
				// through, which the rule does not and no URL parse does.
				_, url := safeHref(in)
				got, want = got && url, want && url
			}
			if got != want {
				t.Errorf("%s(%q) = %v, the expression %s says %v", c.name, in, got, c.expr, want)
			}
		}
	}
}
