package pages

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/quorum-app/quorum/internal/tag"
)

// ---- tags on the creation forms (new thread, new poll) ----

// tagFields is the tag picker of a creation form ("tag-fields" in
// layout.html): the group's tags, the ones ticked, the bound and the
// field's error. Nil (no picker) when the group has no tags.
type tagFields struct {
	Tags  []tag.Tag
	On    map[string]bool
	Max   int
	Error string
}

// tagFieldsFor reads group gid's tags for a creation form whose posted (or
// prefilled) values are f's ("tag:<id>" keys). A failed read leaves the
// picker out: the form still starts the item, untagged.
func (s *Server) tagFieldsFor(ctx context.Context, gid string, f *formState) *tagFields {
	if s.tags == nil {
		return nil
	}
	ts, err := s.tags.List(ctx, gid)
	if err != nil || len(ts) == 0 {
		return nil
	}
	d := &tagFields{Tags: ts, On: map[string]bool{}, Max: tag.MaxPerItem, Error: f.Fields["tags"]}
	for k := range f.Values {
		if id, ok := strings.CutPrefix(k, "tag:"); ok {
			d.On[id] = true
		}
	}
	return d
}

// tagValues keeps the ticked tags of a posted form for re-rendering it.
func tagValues(form url.Values, values map[string]string) {
	for _, id := range form["tag"] {
		values["tag:"+id] = "on"
	}
}

// tagNamed is tag id of group gid, for a list filtered by it (the caller
// has listed the group's content, so the reader may see its tags).
func (s *Server) tagNamed(ctx context.Context, gid, id string) (*tag.Tag, error) {
	defs, err := s.tags.Defs(ctx, gid)
	if err != nil {
		return nil, err
	}
	t, ok := defs[id]
	if !ok {
		return nil, tag.ErrNoTag
	}
	return &t, nil
}

// editNotices are the thread page's notices after an edit whose @group
// stayed plain text (the editor may not announce), in the reader's
// language (catalog area f17a).
var editNotices = map[string]string{
	"saved-plain":  "page.f17a.saved_plain",
	"edited-plain": "page.f17a.edited_plain",
}

// threadNotice is the thread page's notice for ?done=.
func (s *Server) threadNotice(r *http.Request) string {
	if key, ok := editNotices[r.URL.Query().Get("done")]; ok {
		return s.web.Printer(r).T(key)
	}
	return s.discussionNotice(r)
}
