package facts

import (
	"strconv"
	"strings"
	"testing"
)

func TestRuntimeEnvKeepsTheHeapBelowTheFunctionsMemory(t *testing.T) {
	for _, mb := range []int{128, 256, 512, 1024, 10240} {
		env := RuntimeEnv(mb)
		if env["GOGC"] != strconv.Itoa(GCPercent) {
			t.Errorf("%d MB: GOGC %q", mb, env["GOGC"])
		}
		lim, ok := strings.CutSuffix(env["GOMEMLIMIT"], "MiB")
		n, err := strconv.Atoi(lim)
		if !ok || err != nil || n <= 0 || n >= mb {
			t.Errorf("%d MB: GOMEMLIMIT %q is not a limit below the function's memory", mb, env["GOMEMLIMIT"])
		}
	}
}
