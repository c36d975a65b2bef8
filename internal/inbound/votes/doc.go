// Package votes reads a vote from the words of an email reply (ParseVote)
// and words the help a voter gets when it cannot (VoteHelp, VoteProblem),
// in the eight languages of internal/i18n. It is apart from
// internal/inbound, which parses whole messages with enmime and the
// character sets of golang.org/x/text, so that the mailer, which only
// writes the voting help into notification emails, does not link those
// nor run their package initialisation at each cold start.
package votes

import (
	"regexp"
	"sync"
)

// lazyRegexp compiles expr on its first use, not at package init (as
// internal/inbound's): every cold start of a function linking this package
// would pay for it.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
