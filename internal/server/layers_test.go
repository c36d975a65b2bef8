package server_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The web layer's rooms import only downward: the JSON API and the pages
// know neither each other nor the route table that composes them, the
// API needs no renderer, and what both share knows none of them.
func TestWebLayerImportsRunDownward(t *testing.T) {
	const m = "github.com/quorum-app/quorum/internal/"
	for pkg, banned := range map[string][]string{
		"api":        {"server", "web", "web/pages"},
		"web/pages":  {"server", "api"},
		"handlerkit": {"server", "api", "web", "web/pages"},
	} {
		out, err := exec.Command("go", "list", "-deps", m+pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		deps := strings.Fields(string(out))
		if !slices.Contains(deps, m+"httpx") {
			t.Fatalf("%s does not import httpx: is this test still looking at the right packages?", pkg)
		}
		for _, b := range banned {
			if slices.Contains(deps, m+b) {
				t.Errorf("internal/%s imports internal/%s", pkg, b)
			}
		}
	}
}
