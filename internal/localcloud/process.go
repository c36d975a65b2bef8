// Package localcloud runs Quorum's stand-ins for AWS on this machine:
// DynamoDB Local (Java, from the pinned npm package), versitygw as S3 and
// aws-ses-v2-local as SES. make dev, make test, make invoke and the test
// harness (package testcloud) all start them through this package, and
// create the table and buckets from package tabledef, the same definitions
// the CDK stack uses.
package localcloud

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/quorum-app/quorum/internal/awsclient"
)

// Region is the AWS region the stand-ins answer for (versitygw checks it in
// signatures); local configurations must use it.
const Region = "eu-west-1"

// Ports are the TCP ports of the stand-ins on 127.0.0.1; zero picks a free one.
type Ports struct {
	DynamoDB int
	S3       int
	SES      int
}

// Options configure Start.
type Options struct {
	// Root is the repository root (node_modules/ and .bin/ live there).
	Root string
	// DataDir persists DynamoDB and S3 data between starts. Empty means an
	// ephemeral cloud: in-memory DynamoDB and a temporary S3 directory.
	DataDir string
	Ports   Ports
	// Log receives the children's output (nil discards it).
	Log io.Writer
	// Services limits Start to these stand-ins (Dynamo, S3, SES); empty
	// starts all three.
	Services []string
	// Restart brings a stand-in that dies back on the same port with the
	// same data (make dev); Events reports each exit and return. Without
	// it, Exited reports the first exit.
	Restart bool
}

// Stand-in names (Options.Services, Events, Signal).
const (
	Dynamo = "dynamodb"
	S3     = "s3"
	SES    = "ses"
)

// Event is a stand-in that died, or came back.
type Event struct {
	Service string
	// Err is why it stopped (nil: it answers again after a restart).
	Err error
}

func (e Event) String() string {
	if e.Err != nil {
		return fmt.Sprintf("%s stopped unexpectedly (%v); restarting it", e.Service, e.Err)
	}
	return e.Service + " is back (restarted with its data)"
}

// Cloud is a running set of stand-ins.
type Cloud struct {
	DynamoDBEndpoint string
	S3Endpoint       string
	SESEndpoint      string

	mu       sync.Mutex
	procs    []*process
	tempDir  string
	exited   chan error
	events   chan Event
	restart  bool
	stopping chan struct{}
	once     sync.Once
}

// process is one stand-in: how to start it, and its current run.
type process struct {
	name string
	spec spec
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

type spec struct {
	logw   io.Writer
	env    []string
	bin    string
	args   []string
	health string // URL that answers once it is ready
}

// Start launches the stand-ins and waits until each answers. On any error it
// stops whatever it had started.
func Start(ctx context.Context, opts Options) (_ *Cloud, err error) {
	if err := CheckPrerequisites(opts.Root); err != nil {
		return nil, err
	}
	c := &Cloud{exited: make(chan error, 3), events: make(chan Event, 16), restart: opts.Restart, stopping: make(chan struct{})}
	want := func(name string) bool { return len(opts.Services) == 0 || slices.Contains(opts.Services, name) }
	defer func() {
		if err != nil {
			c.Stop()
		}
	}()
	dataDir := opts.DataDir
	if dataDir == "" {
		if dataDir, err = os.MkdirTemp("", "quorum-cloud-"); err != nil {
			return nil, err
		}
		c.tempDir = dataDir
	}
	ports := opts.Ports
	for _, p := range []struct {
		name string
		port *int
		env  string
	}{{"DynamoDB Local", &ports.DynamoDB, "DYNAMODB_PORT"}, {"S3 (versitygw)", &ports.S3, "S3_PORT"}, {"SES emulator", &ports.SES, "SES_PORT"}} {
		if *p.port == 0 {
			if *p.port, err = FreePort(); err != nil {
				return nil, err
			}
		} else if err := PortAvailable(*p.port); err != nil {
			return nil, fmt.Errorf("port %d for %s is already in use (is another `make dev` running?); choose another with %s=<port>: %w", *p.port, p.name, p.env, err)
		}
	}
	logw := opts.Log
	if logw == nil {
		logw = io.Discard
	}

	jar, err := DynamoDBJar(opts.Root)
	if err != nil {
		return nil, err
	}
	dynArgs := append(jvmFlags(), "-Djava.library.path="+filepath.Join(filepath.Dir(jar), "DynamoDBLocal_lib"),
		"-jar", jar, "-port", strconv.Itoa(ports.DynamoDB), "-disableTelemetry")
	if opts.DataDir == "" {
		dynArgs = append(dynArgs, "-inMemory")
	} else {
		dir := filepath.Join(dataDir, "dynamodb")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		dynArgs = append(dynArgs, "-sharedDb", "-dbPath", dir)
	}
	if want(Dynamo) {
		c.DynamoDBEndpoint = "http://127.0.0.1:" + strconv.Itoa(ports.DynamoDB)
		if err := c.spawn(Dynamo, spec{logw: logw, bin: "java", args: dynArgs, health: c.DynamoDBEndpoint}); err != nil {
			return nil, err
		}
	}

	if want(S3) {
		s3Root, s3Versions := filepath.Join(dataDir, "s3"), filepath.Join(dataDir, "s3-versions")
		for _, d := range []string{s3Root, s3Versions} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return nil, err
			}
		}
		c.S3Endpoint = "http://127.0.0.1:" + strconv.Itoa(ports.S3)
		env := append(os.Environ(), "ROOT_ACCESS_KEY="+awsclient.LocalAccessKey, "ROOT_SECRET_KEY="+awsclient.LocalSecretKey)
		if err := c.spawn(S3, spec{logw: logw, env: env, bin: VersityGW(opts.Root), health: c.S3Endpoint,
			args: []string{"--port", "127.0.0.1:" + strconv.Itoa(ports.S3), "--region", Region, "posix", "--versioning-dir", s3Versions, s3Root}}); err != nil {
			return nil, err
		}
	}

	if want(SES) {
		c.SESEndpoint = "http://127.0.0.1:" + strconv.Itoa(ports.SES)
		if err := c.spawn(SES, spec{logw: logw, bin: "node", health: c.SESEndpoint + "/store",
			args: []string{filepath.Join(opts.Root, "node_modules", "aws-ses-v2-local", "dist", "cli.js"), "--host", "127.0.0.1", "--port", strconv.Itoa(ports.SES)}}); err != nil {
			return nil, err
		}
	}

	waitCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for _, p := range c.procs {
		if err := c.waitHTTP(waitCtx, p); err != nil {
			return nil, err
		}
	}
	for _, p := range c.procs {
		go c.watch(p)
	}
	return c, nil
}

// JVMFlagsEnv replaces DynamoDB Local's JVM flags (space-separated), to
// measure others against them (docs/local.md, "Where make test's time goes").
const JVMFlagsEnv = "QUORUM_DYNAMODB_JVM_FLAGS"

// jvmFlags are the JVM's flags for DynamoDB Local, unless JVMFlagsEnv says
// otherwise: the serial collector, a 256 MB heap, and the quick compiler
// only (TieredStopAtLevel=1: no C2). A stand-in lives for one test run or
// one make dev, too short for C2's optimisations to repay their compiling:
// on the same requests (the decision, contract and recovery suites) the
// JVM used 23 % less CPU with C1 alone, 73 s instead of 95 s, in every
// stretch of the run, the later ones too (docs/local.md).
func jvmFlags() []string {
	if s := strings.Fields(os.Getenv(JVMFlagsEnv)); len(s) > 0 {
		return s
	}
	return []string{"-XX:+UseSerialGC", "-Xmx256m", "-XX:TieredStopAtLevel=1"}
}

func (c *Cloud) spawn(name string, sp spec) error {
	p := &process{name: name, spec: sp}
	if err := p.start(); err != nil {
		return err
	}
	c.procs = append(c.procs, p)
	return nil
}

// start runs the stand-in once more; done closes when this run ends.
func (p *process) start() error {
	cmd := exec.Command(p.spec.bin, p.spec.args...)
	cmd.Env = p.spec.env
	cmd.Stdout = prefixWriter(p.spec.logw, p.name)
	cmd.Stderr = cmd.Stdout
	// A process group of its own, so Stop reaches grandchildren; and a
	// parent-death signal, so a killed supervisor leaves nothing behind.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s (%s): %w", p.name, p.spec.bin, err)
	}
	done := make(chan struct{})
	p.cmd, p.done = cmd, done
	go func() {
		p.err = cmd.Wait()
		if pw, ok := cmd.Stdout.(io.Closer); ok {
			_ = pw.Close()
		}
		close(done)
	}()
	return nil
}

// watch waits for the stand-in to end. Before Stop, that is unexpected:
// without Restart it is reported once on Exited; with Restart the stand-in
// is started again (same port, same data on disk) until it answers, and
// each step is reported on Events.
func (c *Cloud) watch(p *process) {
	for {
		c.mu.Lock()
		done := p.done
		c.mu.Unlock()
		select {
		case <-c.stopping:
			return
		case <-done:
		}
		select {
		case <-c.stopping:
			return
		default:
		}
		err := fmt.Errorf("%s exited: %v", p.name, p.err)
		if !c.restart {
			select {
			case c.exited <- err:
			default:
			}
			return
		}
		c.event(Event{Service: p.name, Err: err})
		for wait := 250 * time.Millisecond; ; wait = min(2*wait, 5*time.Second) {
			select {
			case <-c.stopping:
				return
			case <-time.After(wait):
			}
			c.mu.Lock()
			serr := p.start()
			c.mu.Unlock()
			if serr != nil {
				c.event(Event{Service: p.name, Err: serr})
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			werr := c.waitHTTP(ctx, p)
			cancel()
			if werr == nil {
				c.event(Event{Service: p.name})
				break
			}
			c.event(Event{Service: p.name, Err: werr})
			c.mu.Lock()
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			c.mu.Unlock()
			<-p.done
		}
	}
}

func (c *Cloud) event(e Event) {
	select {
	case c.events <- e:
	default: // nobody reads: drop
	}
}

func (c *Cloud) waitHTTP(ctx context.Context, p *process) error {
	client := &http.Client{Timeout: 2 * time.Second}
	c.mu.Lock()
	done := p.done
	c.mu.Unlock()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.spec.health, nil)
		if resp, err := client.Do(req); err == nil {
			_ = resp.Body.Close()
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("%s exited during start-up: %v (run with -v to see its output)", p.name, p.err)
		default:
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer at %s: %w", p.name, p.spec.health, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Exited reports the first child that exits before Stop is called (without
// Options.Restart).
func (c *Cloud) Exited() <-chan error { return c.exited }

// Events reports stand-ins that died and came back (with Options.Restart).
func (c *Cloud) Events() <-chan Event { return c.events }

// Signal sends sig to the named stand-in's process group (tests: SIGSTOP
// pauses it, SIGCONT resumes it, SIGKILL kills it).
func (c *Cloud) Signal(name string, sig syscall.Signal) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.procs {
		if p.name == name {
			return syscall.Kill(-p.cmd.Process.Pid, sig)
		}
	}
	return fmt.Errorf("no stand-in %q in this cloud", name)
}

// Stop terminates every child (SIGTERM, then SIGKILL after 5 s) and removes
// the temporary data of an ephemeral cloud. It is safe to call twice.
func (c *Cloud) Stop() {
	c.once.Do(func() {
		close(c.stopping)
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, p := range c.procs {
			// A paused stand-in must run to hear SIGTERM.
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGCONT)
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
		}
		deadline := time.After(5 * time.Second)
		for _, p := range c.procs {
			select {
			case <-p.done:
			case <-deadline:
			}
			// Whatever is left of the group (also after a clean exit of the leader).
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-p.done
		}
		if c.tempDir != "" {
			_ = os.RemoveAll(c.tempDir)
		}
	})
}

// PIDs returns the process ids of the children (for tests that prove nothing survives Stop).
func (c *Cloud) PIDs() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	pids := make([]int, 0, len(c.procs))
	for _, p := range c.procs {
		pids = append(pids, p.cmd.Process.Pid)
	}
	return pids
}

// FreePort asks the kernel for an unused port on 127.0.0.1.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// PortAvailable returns an error when port is taken on 127.0.0.1.
func PortAvailable(port int) error {
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return err
	}
	return l.Close()
}

// Answering reports whether something serves HTTP at url.
func Answering(ctx context.Context, url string) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return true
}

var errNotFound = errors.New("not found")
