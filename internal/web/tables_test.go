package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// tableGrids are the tables read across, not row by row: they scroll
// inside a .table-scroll region on a phone instead of stacking.
var tableGrids = map[string]bool{"meeting-grid": true}

var tableTagRe = regexp.MustCompile(`<table\b[^>]*>`)
var classRe = regexp.MustCompile(`class="([^"]*)"`)

// Every data table is readable at 390 px (docs/design.md, "Phones"): it
// is a stacked table (class "stack", each row a small card with its cells
// named) or one of the grids that scroll inside their region.
func TestEveryTableStacksOnAPhone(t *testing.T) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil || len(names) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	for _, name := range names {
		src, err := fs.ReadFile(templateFS, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, tag := range tableTagRe.FindAllString(string(src), -1) {
			var classes []string
			if m := classRe.FindStringSubmatch(tag); m != nil {
				classes = strings.Fields(m[1])
			}
			ok := false
			for _, c := range classes {
				if c == "stack" || tableGrids[c] {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%s: %s is neither a stacked table (class \"stack\") nor a scrolling grid", name, tag)
			}
		}
	}
}
