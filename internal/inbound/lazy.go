package inbound

import (
	"regexp"
	"sync"
)

// lazyRegexp compiles expr the first time it is used. This package's
// expressions serve received mail only, but it is linked into every
// function (reply tokens): compiled at package init they cost each cold
// start of each function.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
