// Package lambdarun runs built Lambda functions locally the way AWS Lambda
// starts them, to measure what a cold start costs: Build compiles a
// function exactly as the deployment does (infra/infra.mk), and Invoke
// starts the binary as a new process with AWS_LAMBDA_RUNTIME_API pointing at
// a stand-in for the Lambda Runtime API, hands it one event and reports the
// time from exec to its response, and the CPU time the process used until
// then (from its rusage).
//
// The stand-in serves the part of the Runtime API
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html) that
// aws-lambda-go uses: GET invocation/next, POST invocation/{id}/response,
// POST invocation/{id}/error and POST init/error. The process is killed as
// soon as its first response (or error) arrives, so its rusage holds the
// cost of start-up plus one invocation and nothing after.
package lambdarun

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// BuildFlags are the go build flags of every deployed function
// (infra/infra.mk's build-lambdas), after GOOS=linux CGO_ENABLED=0.
var BuildFlags = []string{"-trimpath", "-tags", "lambda.norpc", "-ldflags=-s -w"}

// DeployArch is the architecture functions are deployed for.
const DeployArch = "arm64"

// Build compiles the main package pkg (a path relative to dir, such as
// "./functions/mailer") into out with BuildFlags for linux/goarch
// (runtime.GOARCH to run it here, DeployArch for the size of what ships).
func Build(ctx context.Context, dir, pkg, goarch, out string) error {
	return BuildWith(ctx, dir, pkg, goarch, out, BuildFlags)
}

// BuildWith is Build with other go build flags (the benchmark keeps the
// symbols for perf with BuildFlags less -ldflags=-s -w).
func BuildWith(ctx context.Context, dir, pkg, goarch, out string, flags []string) error {
	args := append([]string{"build"}, flags...)
	args = append(args, "-o", out, pkg)
	cmd := exec.CommandContext(ctx, "go", args...) // #nosec G204 -- benchmark tooling: the go tool with our own package paths
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+goarch, "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, stderr.Bytes())
	}
	return nil
}

// Options describe one cold start.
type Options struct {
	// Env is the function's whole environment (as on AWS, nothing is
	// inherited from this process). AWS_LAMBDA_RUNTIME_API and the
	// variables Lambda itself sets (function name, memory size, handler)
	// are added.
	Env []string
	// Event is the payload handed to the function.
	Event []byte
	// Timeout bounds the whole run (default 30 s); the function sees it
	// as its deadline.
	Timeout time.Duration
	// Output receives the process's stdout and stderr (default: kept in
	// Result.Output).
	Output io.Writer
}

// Result is what one cold start cost.
type Result struct {
	// Response is the function's response body (or its error body when
	// Failed).
	Response []byte
	// Failed reports that the function answered with an error (its
	// handler's error or a failed initialisation).
	Failed bool
	// Wall is the time from exec to the response arriving.
	Wall time.Duration
	// User and System are the process's CPU time until its response.
	User, System time.Duration
	// MaxRSS is the process's peak resident set, in bytes.
	MaxRSS int64
	// Output is what the process wrote, when Options.Output was nil.
	Output []byte
}

// CPU is the process's user plus system time.
func (r Result) CPU() time.Duration { return r.User + r.System }

// Runtime API paths (version 2018-06-01).
const (
	apiPrefix     = "/2018-06-01/runtime/"
	nextPath      = apiPrefix + "invocation/next"
	invokePrefix  = apiPrefix + "invocation/"
	initErrorPath = apiPrefix + "init/error"
	requestID     = "8476a536-e9f4-11e8-9739-2dfe598c3fcd"
	functionName  = "quorum-coldstart"
)

// runtimeAPI is the stand-in for one process: it hands out the event once
// and records the first answer.
type runtimeAPI struct {
	event    []byte
	deadline time.Time
	onAnswer func() // called once, before the answer is acknowledged

	mu       sync.Mutex
	given    bool
	answered bool
	at       time.Time
	body     []byte
	failed   bool
	done     chan struct{}
}

func (a *runtimeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == nextPath:
		a.mu.Lock()
		first := !a.given
		a.given = true
		a.mu.Unlock()
		if !first {
			// One event per process: the next poll waits until the
			// process is stopped, as Lambda freezes it.
			<-r.Context().Done()
			return
		}
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", requestID)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(a.deadline.UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:eu-west-1:123456789012:function:"+functionName)
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=0")
		h.Set("Content-Type", "application/json")
		_, _ = w.Write(a.event)
	case r.Method == http.MethodPost && r.URL.Path == invokePrefix+requestID+"/response":
		a.answer(w, r, false)
	case r.Method == http.MethodPost && (r.URL.Path == invokePrefix+requestID+"/error" || r.URL.Path == initErrorPath):
		a.answer(w, r, true)
	default:
		// The extensions API and anything else: not offered.
		http.NotFound(w, r)
	}
}

func (a *runtimeAPI) answer(w http.ResponseWriter, r *http.Request, failed bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 6<<20)) // Lambda's response limit
	if err != nil {
		http.Error(w, "reading the response: "+err.Error(), http.StatusBadRequest)
		return
	}
	a.mu.Lock()
	first := !a.answered
	if first {
		a.answered, a.at, a.body, a.failed = true, time.Now(), body, failed
	}
	a.mu.Unlock()
	if first {
		close(a.done)
		a.onAnswer()
	}
	w.WriteHeader(http.StatusAccepted)
}

// Invoke starts bin as a Lambda function would be started, hands it
// opts.Event and returns what its first response cost. It fails if the
// process cannot start, exits before answering or does not answer in
// time; an answer that is an error is a Result with Failed set.
func Invoke(ctx context.Context, bin string, opts Options) (Result, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Result{}, err
	}
	var out bytes.Buffer
	var output io.Writer = &out
	if opts.Output != nil {
		output = opts.Output
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		return Result{}, err
	}
	cmd := exec.Command(abs) // #nosec G204 -- the binary under test, named by the caller
	cmd.Dir = filepath.Dir(abs)
	cmd.Stdout, cmd.Stderr = output, output
	cmd.Env = append(append([]string{}, opts.Env...),
		"AWS_LAMBDA_RUNTIME_API="+ln.Addr().String(),
		"AWS_LAMBDA_FUNCTION_NAME="+functionName,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=1024",
		"_HANDLER=bootstrap",
		"LAMBDA_TASK_ROOT="+cmd.Dir,
		"TZ=:UTC",
	)
	api := &runtimeAPI{event: opts.Event, deadline: time.Now().Add(timeout), done: make(chan struct{})}
	var killOnce sync.Once
	var proc atomic.Pointer[os.Process] // set once started; an early request must not kill a nil process
	kill := func() {
		if p := proc.Load(); p != nil {
			killOnce.Do(func() { _ = p.Kill() })
		}
	}
	// Stopped at the answer: its rusage then holds start-up and one
	// invocation, not the poll for the next event.
	api.onAnswer = kill
	srv := &http.Server{Handler: api, ReadHeaderTimeout: timeout}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Result{}, fmt.Errorf("start %s: %w", bin, err)
	}
	proc.Store(cmd.Process)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	var waitErr error
	select {
	case <-api.done:
		kill() // already done at the answer, unless it came before proc was stored
		waitErr = <-exited
	case waitErr = <-exited:
		// Killed at its answer, or exited on its own before one.
		api.mu.Lock()
		answered := api.answered
		api.mu.Unlock()
		if !answered {
			return Result{Output: out.Bytes()}, fmt.Errorf("%s exited before answering (%v)%s", bin, waitErr, tail(out.Bytes()))
		}
	case <-ctx.Done():
		kill()
		<-exited
		return Result{Output: out.Bytes()}, fmt.Errorf("%s did not answer within %s%s", bin, timeout, tail(out.Bytes()))
	}
	_ = waitErr // killed on purpose
	res := Result{Response: api.body, Failed: api.failed, Wall: api.at.Sub(start)}
	if opts.Output == nil {
		res.Output = out.Bytes()
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.User = time.Duration(ru.Utime.Nano())
		res.System = time.Duration(ru.Stime.Nano())
		res.MaxRSS = maxRSSBytes(ru.Maxrss)
	}
	return res, nil
}

// maxRSSBytes converts ru_maxrss: kilobytes on Linux, bytes on macOS.
func maxRSSBytes(v int64) int64 {
	if runtime.GOOS == "darwin" {
		return v
	}
	return v * 1024
}

func tail(b []byte) string {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return ""
	}
	if len(s) > 2000 {
		s = "..." + s[len(s)-2000:]
	}
	return ":\n" + s
}
