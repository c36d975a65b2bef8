package lambdarun

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/localcloud"
)

const module = "github.com/quorum-app/quorum/"

// The HTTP layer: only the api function may link it.
var httpOnly = []string{module + "internal/server", module + "internal/web", module + "internal/app"}

// deps lists the packages fn links, built as deployed.
func deps(t *testing.T, root, fn string) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc", "./functions/"+fn)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+DeployArch, "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps ./functions/%s: %v", fn, err)
	}
	return strings.Fields(string(out))
}

// Each function links only what it uses: the functions that serve no HTTP
// (mailer, scheduler, inbound, ses-events and any added later) must not
// build the HTTP server, its pages or the wiring that includes them.
func TestFunctionsWithoutHTTPDoNotLinkTheHTTPServer(t *testing.T) {
	wd, _ := os.Getwd()
	root, err := localcloud.FindRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := filepath.Glob(filepath.Join(root, "functions", "*", "main.go"))
	if err != nil || len(dirs) < 5 {
		t.Fatalf("functions: %v %v", dirs, err)
	}
	for _, d := range dirs {
		fn := filepath.Base(filepath.Dir(d))
		t.Run(fn, func(t *testing.T) {
			all := deps(t, root, fn)
			for _, pkg := range httpOnly {
				linked := slices.Contains(all, pkg)
				if fn == "api" && pkg != module+"internal/app" && !linked {
					t.Errorf("the api function does not link %s: is this test still looking at the right packages?", pkg)
				}
				if fn != "api" && linked {
					t.Errorf("functions/%s links %s, the HTTP layer; wire it from internal/cores instead", fn, pkg)
				}
			}
		})
	}
}
