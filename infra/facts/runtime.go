package facts

import "strconv"

// GCPercent is GOGC in every function's environment. Package initialisation
// allocates a few MB, past the collector's first goal at the default of 100,
// so a cold start collected while starting (9–13 % of its CPU); at 400 it
// does not. A Lambda process serves one request at a time and lives minutes,
// so the larger heap between collections is cheap; GOMEMLIMIT keeps it
// below the function's memory.
const GCPercent = 400

// RuntimeEnv is what the Go runtime of a function with memoryMB of memory
// gets in its environment: GOGC (GCPercent) and a soft memory limit of
// three quarters of the function's memory, so that a busy process collects
// well before Lambda's limit whatever GOGC says. The CDK stack sets it on
// every function, and the cold-start benchmark starts each function (and
// the hello-world it is compared with) with it.
func RuntimeEnv(memoryMB int) map[string]string {
	return map[string]string{
		"GOGC":       strconv.Itoa(GCPercent),
		"GOMEMLIMIT": strconv.Itoa(memoryMB*3/4) + "MiB",
	}
}
