package legal

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaults(t *testing.T) {
	d := Defaults()
	for _, doc := range []Doc{d.Terms, d.Privacy} {
		if !doc.Default || doc.Title == "" || len(doc.Version) != 12 || strings.TrimSpace(doc.Markdown) == "" {
			t.Errorf("default document incomplete: %+v", doc.Title)
		}
	}
	if d.Terms.Title != "Terms of service" || d.Privacy.Title != "Privacy policy" {
		t.Errorf("titles: %q, %q", d.Terms.Title, d.Privacy.Title)
	}
	if got, want := d.Version(), d.Terms.Version+"."+d.Privacy.Version; got != want {
		t.Errorf("Version() = %q, want %q", got, want)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	terms := "# Our terms\n\nBe kind.\n"
	if err := os.WriteFile(filepath.Join(dir, "terms.md"), []byte(terms), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.Terms.Default || d.Terms.Markdown != terms || d.Terms.Title != "Our terms" {
		t.Errorf("terms not loaded: %+v", d.Terms)
	}
	if !d.Privacy.Default {
		t.Error("a missing privacy.md must keep the default policy")
	}
	if d.Terms.Version == Defaults().Terms.Version {
		t.Error("a different text must have a different version")
	}
	// The version follows the text: one more character, a new version.
	if err := os.WriteFile(filepath.Join(dir, "terms.md"), []byte(terms+"."), 0o600); err != nil {
		t.Fatal(err)
	}
	d2, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d2.Terms.Version == d.Terms.Version || d2.Version() == d.Version() {
		t.Error("an edited document kept its version")
	}
	if d3, err := Load(""); err != nil || d3.Version() != Defaults().Version() {
		t.Errorf("no directory: %v %q", err, d3.Version())
	}
}

func TestLoadRefusesWhatCannotBeAPolicy(t *testing.T) {
	for name, body := range map[string][]byte{
		"empty":    []byte("  \n"),
		"not utf8": {'#', ' ', 0xff, 0xfe},
		"too big":  []byte(strings.Repeat("a", MaxSize+1)),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "privacy.md"), body, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "privacy.md") {
				t.Errorf("Load accepted a %s privacy.md: %v", name, err)
			}
		})
	}
}

func TestBodyLeavesOutTheTitle(t *testing.T) {
	d := newDoc("\n# Our terms\n\n## One\nText.\n", false)
	if got := d.Body(); strings.Contains(got, "Our terms") || !strings.Contains(got, "## One") || !strings.Contains(got, "Text.") {
		t.Errorf("Body() = %q", got)
	}
	if got := newDoc("No heading.", false).Body(); got != "No heading." {
		t.Errorf("Body() without a heading = %q", got)
	}
}
