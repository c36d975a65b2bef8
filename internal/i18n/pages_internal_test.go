package i18n

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/lang"
)

// The tests of this package read every catalog, the page areas with the
// others: files is what they enumerate, and catalogs read the page areas.
var files = pageFiles

func init() { IncludePages() }

// CoreAreas are the areas every function carries (for the external tests).
var CoreAreas = coreAreas

// coreFiles holds the root catalogs and exactly the areas of coreAreas;
// pageFiles holds every area.
func TestCoreFilesHoldTheCoreAreas(t *testing.T) {
	got, err := fs.Glob(coreFiles, "locales/*/en.json")
	if err != nil {
		t.Fatal(err)
	}
	var areas []string
	for _, g := range got {
		areas = append(areas, strings.Split(g, "/")[1])
	}
	want := slices.Clone(coreAreas)
	slices.Sort(areas)
	slices.Sort(want)
	if !slices.Equal(areas, want) {
		t.Errorf("coreFiles embeds the areas %v, coreAreas lists %v: keep the two in step", areas, want)
	}
	for _, l := range lang.Supported {
		if _, err := coreFiles.ReadFile("locales/" + string(l) + ".json"); err != nil {
			t.Errorf("coreFiles lacks the root catalog of %s", l)
		}
	}
	all, _ := fs.Glob(pageFiles, "locales/*/en.json")
	if len(all) <= len(got) {
		t.Errorf("pageFiles holds %d areas, coreFiles %d: is every area still embedded?", len(all), len(got))
	}
}

// Without IncludePages a catalog reads the core areas only; once it is
// called, a catalog already parsed reads every area on its next use.
func TestIncludePagesAddsThePageAreas(t *testing.T) {
	pages.Store(nil)
	defer IncludePages()
	for _, name := range catalogFiles(lang.German) {
		area := strings.Split(name, "/")
		if len(area) == 3 && !slices.Contains(coreAreas, area[1]) {
			t.Errorf("without pages, %s is read", name)
		}
	}
	c := New()
	p := c.Printer(lang.German, time.UTC)
	if got := p.T("page.login.check"); !strings.HasPrefix(got, Missing) {
		t.Errorf("without pages, a page key reads %q", got)
	}
	if got := p.T("email.approved.subject", "Group", "G"); strings.HasPrefix(got, Missing) {
		t.Errorf("without pages, an email key is missing: %q", got)
	}
	IncludePages()
	if got := c.Printer(lang.German, time.UTC).T("page.login.check"); strings.HasPrefix(got, Missing) {
		t.Errorf("after IncludePages, a page key is still missing: %q", got)
	}
}
