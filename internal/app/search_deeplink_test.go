package app_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/search"
)

// TestSearchLinksACommentToThePageHoldingIt: in a thread longer than one
// page (16 long comments: a page holds up to 1 MB), a comment far down is
// found (after a reindex of the group, with no stream running) and its
// result opens the page that holds it, not the first page.
func TestSearchLinksACommentToThePageHoldingIt(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	m := w.newPerson("M", "Milo Member")
	me := &actor{name: "member", user: m}
	g, err := w.a.Groups.Create(m.ctx, group.CreateInput{Name: "Long thread club", Privacy: "closed"})
	w.must(err, "create group")
	th, err := w.a.Discussions.StartThread(m.ctx, discussion.StartInput{GroupID: g.ID, Title: "Minutes"})
	w.must(err, "start thread")
	filler := strings.Repeat("Agenda item discussed at length without a decision. ", 900) // ~47 KB: ~10 a page
	var last discussion.Item
	for i := 0; i < 16; i++ {
		body := filler
		if i == 15 {
			body = "Zanzibar was chosen for the outing. " + filler
		}
		last, err = w.a.Discussions.Comment(m.ctx, th.ID, discussion.CommentInput{Body: body})
		w.must(err, "comment")
	}
	first := w.send(call{method: "GET", path: "/threads/" + th.ID}, me, m.cookie, nil)
	if first.code != 200 || !strings.Contains(first.body, "Later comments") || strings.Contains(first.body, `id="c-`+last.ID+`"`) {
		t.Fatalf("the thread is not longer than a page (status %d, next page %v)", first.code, strings.Contains(first.body, "Later comments"))
	}

	x := search.NewIndexer(w.a.Search.Index, nil)
	for done := false; !done; {
		rep, err := x.Reindex(context.Background(), search.ReindexRequest{GroupID: g.ID})
		w.must(err, "reindex")
		done = rep.Done
	}
	code, hits, body := w.searchAs(me, url.Values{"q": {"zanzibar"}})
	if code != 200 || len(hits) != 1 || hits[0].CommentID != last.ID {
		t.Fatalf("search: %d %s", code, body)
	}
	want := "/threads/" + th.ID + "?comment=" + last.ID + "#c-" + last.ID
	if hits[0].URL != want {
		t.Fatalf("url %q, want %q", hits[0].URL, want)
	}
	path, _, _ := strings.Cut(hits[0].URL, "#")
	page := w.send(call{method: "GET", path: path}, me, m.cookie, nil)
	if page.code != 200 || !strings.Contains(page.body, `id="c-`+last.ID+`"`) {
		t.Fatalf("the linked page (status %d) does not hold the comment", page.code)
	}
	if !strings.Contains(page.body, "Earlier comments: from the start of the thread") {
		t.Error("the linked page offers no way back to the start")
	}
}
