package discussion_test

import (
	"context"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/links"
	"github.com/quorum-app/quorum/internal/notify"
)

// A thread's description links its mentions as a comment does (issue 15):
// plain text in the request, linked by the thread's fan-out job, which
// tells the people named; an edit keeps the links and tells only the
// people it adds; a description stored by an older renderer is linked
// again from the people it was found to mention.
func TestDescriptionMentionsAreLinksToThePeople(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice Smith")
	bob, bid := f.user("Bob Jones")
	carol, cid := f.user("Carol King")
	gid := f.group(alice, authz.Closed, bob, carol)

	th, err := f.svc.StartThread(alice, discussion.StartInput{GroupID: gid, Title: "Mentions in the description",
		Description: "Hello @BobJones, see `@carol` and @nobody."})
	f.must(err)
	if strings.Contains(string(th.HTML), `class="mention"`) {
		t.Errorf("mentions resolved inside the request: %s", th.HTML)
	}
	f.drain()
	bobLink := `<a class="mention" href="` + links.Member(gid, bid) + `" rel="nofollow noreferrer">@BobJones</a>`
	desc := func(ctx context.Context) string {
		t.Helper()
		p, err := f.svc.Page(ctx, th.ID, "", 0)
		f.must(err)
		return string(p.Thread.HTML)
	}
	html := desc(carol)
	for _, want := range []string{bobLink, `<code>@carol</code>`, ` @nobody.`} {
		if !strings.Contains(html, want) {
			t.Errorf("description HTML %s\nwant %s", html, want)
		}
	}
	if strings.Count(html, `class="mention"`) != 1 {
		t.Errorf("mentions rendered: %s", html)
	}
	got, err := f.svc.Thread(bob, th.ID)
	f.must(err)
	if string(got.HTML) != html {
		t.Errorf("Thread shows %s, want %s", got.HTML, html)
	}
	mentions := func(ctx context.Context) int {
		t.Helper()
		f.drain()
		l, err := f.notes.List(ctx, "", 50)
		f.must(err)
		n := 0
		for _, it := range l.Items {
			if it.Kind == notify.Mention && it.ThreadID == th.ID {
				n++
			}
		}
		return n
	}
	if mentions(bob) != 1 || mentions(carol) != 0 {
		t.Fatalf("at the start: bob %d, carol %d mentions", mentions(bob), mentions(carol))
	}

	// An edit that adds Carol: she is told, Bob is not told again, both
	// are links.
	edited := "Hello @BobJones and @CarolKing, see `@carol` and @nobody."
	_, err = f.svc.UpdateThread(alice, th.ID, discussion.UpdateInput{Description: &edited, Version: got.Version})
	f.must(err)
	if mentions(bob) != 1 || mentions(carol) != 1 {
		t.Fatalf("after the edit: bob %d, carol %d mentions", mentions(bob), mentions(carol))
	}
	html = desc(bob)
	carolLink := `<a class="mention" href="` + links.Member(gid, cid) + `" rel="nofollow noreferrer">@CarolKing</a>`
	if !strings.Contains(html, bobLink) || !strings.Contains(html, carolLink) {
		t.Fatalf("after the edit: %s", html)
	}

	// Written by the previous renderer: linked again when read.
	f.must(f.st.Table().Update("PK", "THREAD#"+th.ID).Range("SK", "THREAD").
		Set("DescHTML", "<p>old</p>").Set("DescRenderV", 1).Run(context.Background()))
	if got := desc(alice); got != html {
		t.Fatalf("stale description shows %s, want %s", got, html)
	}
}
