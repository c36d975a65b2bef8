package lambdarun

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/quorum-app/quorum/infra/facts"
	"github.com/quorum-app/quorum/internal/localcloud"
	"github.com/quorum-app/quorum/internal/testcloud"
)

// coldStarts bounds the cold starts per function (and as many of
// hello-world): enough for stable medians, few enough for make bench.
const coldStarts = 21

// Goals of issue 14, item 1.
const (
	goalCPURatio = 2.0  // CPU time to first response ÷ hello-world's
	goalSizeMB   = 15.0 // every function but api
)

// coldStartCases are the functions with the sample event each is handed,
// and floor (internal/lambdarun/floor): hello-world with the design's
// DynamoDB client and one GetItem, the least a function that calls
// DynamoDB on its first event can cost; it has no goal of its own.
var coldStartCases = []struct{ fn, event, pkg string }{
	{"api", "api-healthz.json", ""},
	{"inbound", "ses-inbound.json", ""},
	{"mailer", "mailer-stream.json", ""},
	{"scheduler", "scheduler-tick.json", ""},
	{"ses-events", "ses-events-bounce.json", ""},
	{"floor", "ses-events-bounce.json", "./internal/lambdarun/floor"},
}

// BenchmarkColdStart starts every function's bootstrap, built as the
// deployment builds it, on the local cloud with its configuration in the
// environment as on AWS, and hands it one sample event from events/. Each
// start of a function is paired with a start of hello-world (interleaved,
// so both see the same machine load). Reported: the median wall time from
// exec to response (ns/op), the median CPU time of the function and of
// hello-world until their responses, their ratio against its goal, and
// the size of the binary built for the deployed architecture against its
// goal.
func BenchmarkColdStart(b *testing.B) {
	ctx := context.Background()
	wd, _ := os.Getwd()
	root, err := localcloud.FindRoot(wd)
	if err != nil {
		b.Fatal(err)
	}
	// QUORUM_COLDSTART_DIR keeps the bootstraps there, built with their
	// symbols (without -ldflags=-s -w, which changes no code), so that
	// perf record of the benchmark can name each sample's functions
	// (docs/local.md, "Finding where a start's CPU goes").
	dir, symbols := os.Getenv("QUORUM_COLDSTART_DIR"), true
	if dir == "" {
		dir, symbols = b.TempDir(), false
	}
	build := func(b *testing.B, name, pkg, goarch string) string {
		b.Helper()
		out := filepath.Join(dir, goarch, name, "bootstrap")
		var err error
		if symbols {
			err = BuildWith(ctx, root, pkg, goarch, out, slices.DeleteFunc(slices.Clone(BuildFlags),
				func(f string) bool { return f == "-ldflags=-s -w" }))
		} else {
			err = Build(ctx, root, pkg, goarch, out)
		}
		if err != nil {
			b.Fatal(err)
		}
		return out
	}
	hello := build(b, "hello", "./internal/lambdarun/hello", runtime.GOARCH)
	env := testcloud.New(b)
	cfg := env.Config
	cfg.RequestTimeout = 25 * time.Second // the deployed value (testcloud leaves it unset)
	// The deployment sets no AWS timeouts (awsclient's defaults apply);
	// testcloud's generous ones for shared stand-ins are beyond what
	// config.Load accepts from the environment.
	cfg.AWSAttemptTimeout, cfg.AWSCallBudget = 0, 0
	environ := cfg.Environ()
	// As deployed (infra/stack sets facts.RuntimeEnv on every function),
	// for the function and the hello-world it is compared with alike
	// (GOGC matters at a start; the memory limit, far above a starting
	// heap, does not, so one size serves every function).
	var runtimeEnv []string
	for k, v := range facts.RuntimeEnv(256) {
		runtimeEnv = append(runtimeEnv, k+"="+v)
	}
	environ = append(environ, runtimeEnv...)
	putRawMail(b, env, root)

	for _, c := range coldStartCases {
		// Built inside the sub-benchmark, so -bench 'ColdStart/mailer'
		// builds only what it runs (once: b.Run may call it again).
		var bin string
		var st os.FileInfo
		var event []byte
		b.Run(c.fn, func(b *testing.B) {
			pkg := cmp.Or(c.pkg, "./functions/"+c.fn)
			if bin == "" {
				bin = build(b, c.fn, pkg, runtime.GOARCH)
				shipped := bin
				if runtime.GOARCH != DeployArch {
					shipped = build(b, c.fn, pkg, DeployArch)
				}
				var err error
				if st, err = os.Stat(shipped); err != nil {
					b.Fatal(err)
				}
				if event, err = os.ReadFile(filepath.Join(root, "events", c.event)); err != nil {
					b.Fatal(err)
				}
			}
			n := min(b.N, coldStarts)
			var walls, cpus, helloCPUs []time.Duration
			for range n {
				h, err := Invoke(ctx, hello, Options{Env: runtimeEnv, Event: event})
				if err != nil || h.Failed {
					b.Fatalf("hello-world: %v %s", err, h.Response)
				}
				r, err := Invoke(ctx, bin, Options{Env: environ, Event: event})
				if err != nil {
					b.Fatal(err)
				}
				if r.Failed {
					b.Fatalf("%s answered %s with an error: %s\n%s", c.fn, c.event, r.Response, r.Output)
				}
				walls, cpus, helloCPUs = append(walls, r.Wall), append(cpus, r.CPU()), append(helloCPUs, h.CPU())
			}
			cpu, helloCPU := median(cpus), median(helloCPUs)
			b.ReportMetric(float64(median(walls).Nanoseconds()), "ns/op")
			b.ReportMetric(ms(cpu), "cpu-ms")
			b.ReportMetric(ms(helloCPU), "hello-cpu-ms")
			if c.pkg != "" { // a yardstick, not a function: no goal
				b.ReportMetric(float64(cpu)/float64(helloCPU), "cost-cpu/hello")
			} else {
				b.ReportMetric(float64(cpu)/float64(helloCPU), fmt.Sprintf("cost-cpu/hello:goal<=%g", goalCPURatio))
			}
			// The spread of the paired ratios (each start against the
			// hello-world start beside it): first and third quartile.
			ratios := make([]float64, len(cpus))
			for i := range cpus {
				ratios[i] = float64(cpus[i]) / float64(max(helloCPUs[i], 1))
			}
			slices.Sort(ratios)
			b.ReportMetric(ratios[len(ratios)/4], "cost-cpu/hello-q1")
			b.ReportMetric(ratios[len(ratios)*3/4], "cost-cpu/hello-q3")
			size := float64(st.Size()) / 1e6
			if c.fn == "api" || c.pkg != "" {
				b.ReportMetric(size, "size-MB")
			} else {
				b.ReportMetric(size, fmt.Sprintf("size-MB:goal<=%g", goalSizeMB))
			}
		})
	}
}

// putRawMail stores the raw message of events/ses-inbound.json where the
// receipt rule would have put it, so the inbound function finds it.
func putRawMail(b *testing.B, env *testcloud.Env, root string) {
	raw, err := os.ReadFile(filepath.Join(root, "events", "ses-inbound.eml"))
	if err != nil {
		b.Fatal(err)
	}
	js, err := os.ReadFile(filepath.Join(root, "events", "ses-inbound.json"))
	if err != nil {
		b.Fatal(err)
	}
	var ev events.SimpleEmailEvent
	if err := json.Unmarshal(js, &ev); err != nil || len(ev.Records) == 0 {
		b.Fatalf("events/ses-inbound.json: %v", err)
	}
	prefix := env.Config.InboundPrefix
	if prefix == "" {
		prefix = "raw/" // the configuration's default
	}
	_, err = env.S3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(env.Config.InboundBucket),
		Key: aws.String(prefix + ev.Records[0].SES.Mail.MessageID), Body: bytes.NewReader(raw)})
	if err != nil {
		b.Fatal(err)
	}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
