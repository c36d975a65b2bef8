package discussion_test

import (
	"context"
	"strings"
	"testing"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/render"
)

// A comment is rendered once, when written: reads use the HTML stored
// beside its source while the renderer's version is the one that wrote it,
// and render the source again when it is not (an older renderer, or a
// comment written before render-at-write). An edit stores the new HTML; a
// deletion removes it with the source.
func TestCommentsAreRenderedWhenWritten(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice")
	gid := f.group(alice, authz.Closed)
	th := f.thread(alice, gid, "Rendered once")
	c := f.comment(alice, th.ID, "", "Hello **world**")

	type stored struct {
		Body    string `dynamo:"Body"`
		HTML    string `dynamo:"HTML"`
		RenderV int    `dynamo:"RenderV"`
	}
	read := func() stored {
		t.Helper()
		var s stored
		f.must(f.st.Table().Get("PK", "THREAD#"+th.ID).Range("SK", dynamo.Equal, "ITEM#"+c.ID).One(context.Background(), &s))
		return s
	}
	set := func(html string, version int) {
		t.Helper()
		f.must(f.st.Table().Update("PK", "THREAD#"+th.ID).Range("SK", "ITEM#"+c.ID).
			Set("HTML", html).Set("RenderV", version).Run(context.Background()))
	}
	shown := func() string {
		t.Helper()
		p, err := f.svc.Page(alice, th.ID, "", 0)
		f.must(err)
		for _, it := range p.Items {
			if it.ID == c.ID {
				return string(it.HTML)
			}
		}
		t.Fatalf("comment %s not on its thread's page", c.ID)
		return ""
	}

	if s := read(); s.RenderV != render.Version || !strings.Contains(s.HTML, "<strong>world</strong>") {
		t.Fatalf("stored at write: %+v", s)
	}
	// The page shows what is stored, not a new rendering of the source.
	set("<p>as stored</p>", render.Version)
	if got := shown(); got != "<p>as stored</p>" {
		t.Fatalf("page with current stored HTML shows %q", got)
	}
	// Stored by another renderer version: rendered again from the source.
	set("<p>as stored</p>", 1)
	if got := shown(); !strings.Contains(got, "<strong>world</strong>") || strings.Contains(got, "as stored") {
		t.Fatalf("page with stale stored HTML shows %q", got)
	}

	edited, err := f.svc.EditComment(alice, th.ID, c.ID, "Hello *edited*", c.Version)
	f.must(err)
	if !strings.Contains(string(edited.HTML), "<em>edited</em>") {
		t.Fatalf("edited view: %q", edited.HTML)
	}
	if s := read(); s.RenderV != render.Version || !strings.Contains(s.HTML, "<em>edited</em>") || strings.Contains(s.HTML, "world") {
		t.Fatalf("stored after edit: %+v", s)
	}

	f.must(f.svc.DeleteComment(alice, th.ID, c.ID))
	if s := read(); s.HTML != "" || s.Body != "" {
		t.Fatalf("stored after deletion: %+v", s)
	}
}
