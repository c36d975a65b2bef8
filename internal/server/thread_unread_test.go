package server

import (
	"strings"
	"testing"
)

// A returning reader's thread page marks what is new since their last
// visit: a New badge on each new item, the "New since your last visit"
// divider (#first-unread) on the first, and a link to it at the top; the
// lists link a thread with unread items to that anchor, so without
// JavaScript it opens there. A second visit marks nothing. A mention of a
// member is a link to their row in the group's members tab.
func TestThreadPageMarksWhatIsNew(t *testing.T) {
	g := newDiscussionHarness(t)
	alice, bob := g.user("Alice"), g.user("Bob")
	grp := g.createGroup(alice, "Unread "+g.tag, "open")
	g.join(bob, grp.ID)
	th := g.startThread(alice, grp.ID, "Concert", "")
	g.postComment(alice, th.ID, "", "first")
	get := func(as, path string) string {
		t.Helper()
		rec := g.do(as, "GET", path, "")
		if rec.Code != 200 {
			t.Fatalf("GET %s: %d: %.500s", path, rec.Code, rec.Body)
		}
		return rec.Body.String()
	}
	get(bob, "/threads/"+th.ID) // bob has read it all
	if body := get(bob, "/threads/"+th.ID); strings.Contains(body, `id="first-unread"`) || strings.Contains(body, "badge-new") {
		t.Fatal("a thread read to the end shows new items")
	}
	mine := g.postComment(bob, th.ID, "", "my own, @Alice")
	second := g.postComment(alice, th.ID, "", "second")
	g.postComment(alice, th.ID, "", "third")

	for _, list := range []string{"/", "/groups/" + grp.ID + "/threads", "/groups/" + grp.ID} {
		if body := get(bob, list); !strings.Contains(body, `href="/threads/`+th.ID+`#first-unread"`) || !strings.Contains(body, `badge-new">2 new<`) {
			t.Errorf("%s does not link the unread thread to its first unread item: %s", list, body)
		}
	}
	body := get(bob, "/threads/"+th.ID)
	for _, want := range []string{
		`<a href="#first-unread">Jump to the first unread item</a> <span class="badge badge-new">2 new</span>`,
		`<li class="item depth-1" id="c-` + second.ID + `">` + "\n" + `<p class="new-divider" id="first-unread">`,
		`<a class="mention" href="/groups/` + grp.ID + `?tab=members#member-` + alice + `" rel="nofollow noreferrer">@Alice</a>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("thread page lacks %s", want)
		}
	}
	if n := strings.Count(body, `<span class="badge badge-new">New</span>`); n != 2 {
		t.Errorf("%d items marked new, want 2", n)
	}
	if strings.Count(body, `id="first-unread"`) != 1 || strings.Contains(body, `id="c-`+mine.ID+`">`+"\n"+`<p class="new-divider"`) {
		t.Error("the divider is not once, on the first unread item")
	}
	// The mention's target exists for those who may see the members.
	if hub := get(bob, "/groups/"+grp.ID+"?tab=members"); !strings.Contains(hub, `id="member-`+alice+`"`) {
		t.Error("the members tab has no row a mention can point to")
	}
	// Read now: nothing is new on the next visit; for others who never
	// read it, nothing is marked as since a last visit.
	if body := get(bob, "/threads/"+th.ID); strings.Contains(body, `id="first-unread"`) || strings.Contains(body, "Jump to the first unread") {
		t.Error("second visit still marks new items")
	}
	if body := get("", "/threads/"+th.ID); strings.Contains(body, "badge-new") || strings.Contains(body, "first-unread") {
		t.Error("an anonymous reader sees new marks")
	}
}
