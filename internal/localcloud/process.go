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
	"strconv"
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
}

// Cloud is a running set of stand-ins.
type Cloud struct {
	DynamoDBEndpoint string
	S3Endpoint       string
	SESEndpoint      string

	procs   []*process
	tempDir string
	exited  chan error
	once    sync.Once
}

type process struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// Start launches the stand-ins and waits until each answers. On any error it
// stops whatever it had started.
func Start(ctx context.Context, opts Options) (_ *Cloud, err error) {
	if err := CheckPrerequisites(opts.Root); err != nil {
		return nil, err
	}
	c := &Cloud{exited: make(chan error, 3)}
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
	dynArgs := []string{"-XX:+UseSerialGC", "-Xmx256m", "-Djava.library.path=" + filepath.Join(filepath.Dir(jar), "DynamoDBLocal_lib"),
		"-jar", jar, "-port", strconv.Itoa(ports.DynamoDB), "-disableTelemetry"}
	if opts.DataDir == "" {
		dynArgs = append(dynArgs, "-inMemory")
	} else {
		dir := filepath.Join(dataDir, "dynamodb")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		dynArgs = append(dynArgs, "-sharedDb", "-dbPath", dir)
	}
	if err := c.spawn("dynamodb", logw, nil, "java", dynArgs...); err != nil {
		return nil, err
	}

	s3Root, s3Versions := filepath.Join(dataDir, "s3"), filepath.Join(dataDir, "s3-versions")
	for _, d := range []string{s3Root, s3Versions} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	env := append(os.Environ(), "ROOT_ACCESS_KEY="+awsclient.LocalAccessKey, "ROOT_SECRET_KEY="+awsclient.LocalSecretKey)
	if err := c.spawn("s3", logw, env, VersityGW(opts.Root), "--port", "127.0.0.1:"+strconv.Itoa(ports.S3), "--region", Region,
		"posix", "--versioning-dir", s3Versions, s3Root); err != nil {
		return nil, err
	}

	if err := c.spawn("ses", logw, nil, "node", filepath.Join(opts.Root, "node_modules", "aws-ses-v2-local", "dist", "cli.js"),
		"--host", "127.0.0.1", "--port", strconv.Itoa(ports.SES)); err != nil {
		return nil, err
	}

	c.DynamoDBEndpoint = "http://127.0.0.1:" + strconv.Itoa(ports.DynamoDB)
	c.S3Endpoint = "http://127.0.0.1:" + strconv.Itoa(ports.S3)
	c.SESEndpoint = "http://127.0.0.1:" + strconv.Itoa(ports.SES)
	waitCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for _, w := range []struct{ name, url string }{
		{"dynamodb", c.DynamoDBEndpoint}, {"s3", c.S3Endpoint}, {"ses", c.SESEndpoint + "/store"},
	} {
		if err := c.waitHTTP(waitCtx, w.name, w.url); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Cloud) spawn(name string, logw io.Writer, env []string, bin string, args ...string) error {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout = prefixWriter(logw, name)
	cmd.Stderr = cmd.Stdout
	// A process group of its own, so Stop reaches grandchildren; and a
	// parent-death signal, so a killed supervisor leaves nothing behind.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s (%s): %w", name, bin, err)
	}
	p := &process{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		if pw, ok := cmd.Stdout.(io.Closer); ok {
			_ = pw.Close()
		}
		close(p.done)
		select {
		case c.exited <- fmt.Errorf("%s exited: %v", name, p.err):
		default:
		}
	}()
	c.procs = append(c.procs, p)
	return nil
}

func (c *Cloud) waitHTTP(ctx context.Context, name, url string) error {
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := client.Do(req); err == nil {
			_ = resp.Body.Close()
			return nil
		}
		for _, p := range c.procs {
			if p.name == name {
				select {
				case <-p.done:
					return fmt.Errorf("%s exited during start-up: %v (run with -v to see its output)", name, p.err)
				default:
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer at %s: %w", name, url, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Exited reports the first child that exits before Stop is called.
func (c *Cloud) Exited() <-chan error { return c.exited }

// Stop terminates every child (SIGTERM, then SIGKILL after 5 s) and removes
// the temporary data of an ephemeral cloud. It is safe to call twice.
func (c *Cloud) Stop() {
	c.once.Do(func() {
		for _, p := range c.procs {
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
