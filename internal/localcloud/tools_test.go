package localcloud

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A first start compiles versitygw for minutes: it says what it builds and
// that it happens once, before the build starts (here and in the Makefile).
func TestVersityGWBuildIsAnnounced(t *testing.T) {
	root := t.TempDir()
	var log bytes.Buffer
	ran := false
	err := buildVersityGW(root, &log, func(c *exec.Cmd) error {
		ran = true
		said := log.String()
		if !strings.Contains(said, "Building versitygw "+VersityGWVersion) || !strings.Contains(said, "happens once") {
			t.Errorf("before the build: %q", said)
		}
		if !strings.Contains(strings.Join(c.Args, " "), "versitygw@"+VersityGWVersion) || c.Stderr != &log {
			t.Errorf("command %v", c.Args)
		}
		return nil
	})
	if err != nil || !ran {
		t.Fatalf("build: ran %v, %v", ran, err)
	}
	if !strings.Contains(log.String(), "later starts reuse .bin/versitygw") {
		t.Errorf("after the build: %q", log.String())
	}

	wd, _ := os.Getwd()
	repo, err := FindRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "bin")
	out, err := exec.Command("make", "--no-print-directory", "-n", "-C", repo, "BIN="+bin, bin+"/versitygw").CombinedOutput()
	if err != nil {
		t.Fatalf("make -n: %v\n%s", err, out)
	}
	said, build := strings.Index(string(out), "happens once"), strings.Index(string(out), "go install github.com/versity/versitygw")
	if said < 0 || build < 0 || said > build {
		t.Errorf("the Makefile does not announce the build first:\n%s", out)
	}
}
