package stack

import (
	"os"
	"path/filepath"
	"testing"
)

// The stack points the functions at the operator's terms and privacy
// policy only when `make build-lambdas LEGAL_DIR=...` put one beside the
// api function; otherwise they use the built-in texts.
func TestLegalDocsAreFoundBesideTheAPI(t *testing.T) {
	dir := t.TempDir()
	if hasLegalDocs(dir) {
		t.Fatal("an empty asset folder has legal documents")
	}
	legal := filepath.Join(dir, "api", "legal")
	if err := os.MkdirAll(legal, 0o750); err != nil {
		t.Fatal(err)
	}
	if hasLegalDocs(dir) {
		t.Fatal("an empty legal folder counts as documents")
	}
	if err := os.WriteFile(filepath.Join(legal, "privacy.md"), []byte("# Privacy\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if !hasLegalDocs(dir) {
		t.Fatal("privacy.md beside the api function was not found")
	}
}
