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
)

// XSSCorpus returns the corpus payloads; it fails t when the file is missing.
func XSSCorpus(t testing.TB) []string {
	t.Helper()
	_, here, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("rendertest: cannot locate the corpus")
	}
	b, err := os.ReadFile(filepath.Join(filepath.Dir(here), "..", "testdata", "xss.txt"))
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
