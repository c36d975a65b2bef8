package server

import (
	"strings"
	"testing"
)

// GET / is the dashboard for a signed-in person and the home page for
// everyone else.
func TestHomeIsTheDashboardWhenSignedIn(t *testing.T) {
	g := newDiscussionHarness(t)
	ann := g.user("Ann")
	gr := g.createGroup(ann, "Home team", "closed")
	g.startThread(ann, gr.ID, "Shown on the dashboard", "")

	rec := g.do(ann, "GET", "/", "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Shown on the dashboard") {
		t.Fatalf("signed in: %d %s", rec.Code, rec.Body.String())
	}
	rec = g.do("", "GET", "/", "")
	if rec.Code != 200 || strings.Contains(rec.Body.String(), "Shown on the dashboard") ||
		!strings.Contains(rec.Body.String(), "Discuss and decide together") {
		t.Fatalf("signed out: %d %s", rec.Code, rec.Body.String())
	}
	if !strings.Contains(rec.Body.String(), "<title>Quorum</title>") {
		t.Errorf("the signed-out home page's title is not just the product's name: %.300s", rec.Body.String())
	}
}

// Comments the viewer may edit offer "Attach a file" (the upload script
// sends the comment id); others' comments do not.
func TestCommentAttachFormOnThreadPage(t *testing.T) {
	g := newDiscussionHarness(t)
	ann, bob := g.user("Ann"), g.user("Bob")
	gr := g.createGroup(ann, "Files team", "open")
	g.join(bob, gr.ID)
	th := g.startThread(ann, gr.ID, "Files", "")
	c := g.postComment(bob, th.ID, "", "my comment")

	want := `data-upload="/api/v1/threads/` + th.ID + `/attachments" data-comment="` + c.ID + `"`
	rec := g.do(bob, "GET", "/threads/"+th.ID, "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), want) || !strings.Contains(rec.Body.String(), `for="file-`+c.ID+`"`) {
		t.Fatalf("author's page lacks the comment attach form: %d", rec.Code)
	}
	rec = g.do(g.user("Cy"), "GET", "/threads/"+th.ID, "")
	if rec.Code != 200 || strings.Contains(rec.Body.String(), `data-comment="`+c.ID+`"`) {
		t.Fatalf("someone else's page offers to attach to bob's comment: %d", rec.Code)
	}
}

// An empty dashboard says what to do next: a new person gets the steps to a
// first group; a member of groups without threads gets a link to start one
// in each.
func TestEmptyDashboardSaysWhatToDoNext(t *testing.T) {
	g := newDiscussionHarness(t)
	newcomer := g.user("Nia")
	rec := g.do(newcomer, "GET", "/dashboard", "")
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, "Get started") || !strings.Contains(body, `href="/groups/new"`) ||
		!strings.Contains(body, "Invite them by email") {
		t.Fatalf("a new person's dashboard: %d %s", rec.Code, body)
	}
	gr := g.createGroup(newcomer, "Allotment", "closed")
	body = g.do(newcomer, "GET", "/dashboard", "").Body.String()
	if strings.Contains(body, "Get started") || !strings.Contains(body, `href="/groups/`+gr.ID+`/threads/new"`) ||
		!strings.Contains(body, "Start a thread in Allotment") {
		t.Fatalf("a member without threads: %s", body)
	}
	g.startThread(newcomer, gr.ID, "Water butts", "")
	body = g.do(newcomer, "GET", "/dashboard", "").Body.String()
	if strings.Contains(body, "Start a thread in") || !strings.Contains(body, "Water butts") {
		t.Fatalf("with a thread: %s", body)
	}
}
