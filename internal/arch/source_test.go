package arch

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// eachSource calls fn with every non-test Go file of the module: its path
// relative to the module's root (slashes) and its path to open. It skips
// testdata, node_modules and hidden folders; an error of fn ends the walk
// and fails the test.
func eachSource(t *testing.T, fn func(rel, path string) error) {
	t.Helper()
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(path, root+string(filepath.Separator)))
		if d.IsDir() {
			if name := d.Name(); name == "testdata" || name == "node_modules" || (strings.HasPrefix(name, ".") && path != root) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		return fn(rel, path)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// under reports whether rel lies below one of the folders (each ending in
// "/").
func under(rel string, folders []string) bool {
	for _, f := range folders {
		if strings.HasPrefix(rel, f) {
			return true
		}
	}
	return false
}
