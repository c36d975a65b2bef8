// Package rendertest gives tests in every package the stored XSS corpus of
// internal/render (testdata/xss.txt), parsed one way: payloads are separated
// by a line "----"; lines starting with "# " are comments.
package rendertest

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/localcloud"
)

// XSSCorpus returns the corpus payloads; it fails t when the file is missing.
func XSSCorpus(t testing.TB) []string {
	t.Helper()
	b, err := os.ReadFile(corpusPath(t))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, block := range strings.Split(string(b), "\n----\n") {
		var lines []string
		for _, l := range strings.Split(block, "\n") {
			if !strings.HasPrefix(l, "# ") {
				lines = append(lines, l)
			}
		}
		if p := strings.TrimSpace(strings.Join(lines, "\n")); p != "" {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		t.Fatal("rendertest: the corpus is empty")
	}
	return out
}

// corpusPath is testdata/xss.txt of internal/render: beside this file, or,
// when the test binary was built with -trimpath (make test does, so that
// clones share the build cache) and its file names are not on disk, under
// the repository's root above the test's working directory
// (localcloud.FindRoot).
func corpusPath(t testing.TB) string {
	t.Helper()
	if _, here, _, ok := runtime.Caller(0); ok && filepath.IsAbs(here) {
		return filepath.Join(filepath.Dir(here), "..", "testdata", "xss.txt")
	}
	wd, _ := os.Getwd()
	root, err := localcloud.FindRoot(wd)
	if err != nil {
		t.Fatalf("rendertest: cannot locate the corpus: %v", err)
	}
	return filepath.Join(root, "internal", "render", "testdata", "xss.txt")
}
