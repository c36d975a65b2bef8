package i18n_test

import (
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/i18n"
)

// The functions without pages (every one but api) carry the core
// catalogs only (i18n.IncludePages is the HTTP layer's): no package they
// link may name a key of a page area, or the reader would see ⟦key⟧. A
// key a core words belongs in a core area (i18n.go, coreAreas).
func TestFunctionsWithoutPagesUseOnlyCoreKeys(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	mains, _ := filepath.Glob(filepath.Join(root, "functions", "*", "main.go"))
	if len(mains) < 5 {
		t.Fatalf("functions: %v", mains)
	}
	pageKeys := map[string]string{} // key → file
	for k, f := range englishKeys(t) {
		// locales/en.json (the root catalog) and the core areas ship in every function.
		if area := filepath.Base(filepath.Dir(f)); area == "locales" || slices.Contains(i18n.CoreAreas, area) {
			continue
		}
		pageKeys[k] = f
	}
	if len(pageKeys) < 500 {
		t.Fatalf("%d keys in page areas: is the test reading the catalogs?", len(pageKeys))
	}
	for _, m := range mains {
		fn := filepath.Base(filepath.Dir(m))
		if fn == "api" {
			continue
		}
		t.Run(fn, func(t *testing.T) {
			cmd := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc", "-f", "{{.ImportPath}}|{{.Dir}}|{{join .GoFiles \",\"}}", "./functions/"+fn)
			cmd.Dir = root
			cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go list: %v", err)
			}
			u := &keyUses{literals: map[string]bool{}, stems: map[string]bool{}}
			fset := token.NewFileSet()
			n := 0
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				parts := strings.SplitN(line, "|", 3)
				if len(parts) != 3 || !strings.HasPrefix(parts[0], "github.com/quorum-app/quorum/") || parts[2] == "" {
					continue
				}
				for _, f := range strings.Split(parts[2], ",") {
					u.addGo(t, fset, filepath.Join(parts[1], f))
					n++
				}
			}
			if n < 20 || fn != "ses-events" && !u.uses("email.approved.subject") {
				t.Fatalf("read %d files of functions/%s: is the test looking at its packages?", n, fn)
			}
			var bad []string
			for k, f := range pageKeys {
				if u.uses(k) {
					bad = append(bad, f+": "+k)
				}
			}
			sort.Strings(bad)
			if len(bad) > 0 {
				t.Errorf("functions/%s names %d keys of page areas, which it does not carry (move them, or their area, to a core area):\n%s",
					fn, len(bad), strings.Join(bad, "\n"))
			}
		})
	}
}
