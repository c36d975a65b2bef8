package server

import (
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/discussion"
)

// TestGroupMentionNotice: a member who may not notify the whole group
// writes @group: the comment is posted as plain text and they are told why
// (the API's notices field, the page's notice after the redirect).
func TestGroupMentionNotice(t *testing.T) {
	g := newDiscussionHarness(t)
	alice, bob := g.user("Alice"), g.user("Bob")
	grp := g.createGroup(alice, "Hush "+g.tag, "secret") // members may not announce
	var link struct{ URL string }
	g.json(g.do(alice, "GET", "/api/v1/groups/"+grp.ID+"/join-link", ""), 200, &link)
	g.json(g.do(bob, "POST", "/api/v1/join/"+link.URL[strings.LastIndex(link.URL, "/")+1:], ""), 200, nil)
	th := g.startThread(alice, grp.ID, "Plans", "")

	var it discussion.Item
	g.json(g.do(bob, "POST", "/api/v1/threads/"+th.ID+"/comments", `{"body":"@group anyone?"}`), 201, &it)
	if len(it.Notices) != 1 || !strings.Contains(it.Notices[0], "only admins") {
		t.Fatalf("API notices: %v", it.Notices)
	}
	var ok discussion.Item
	g.json(g.do(alice, "POST", "/api/v1/threads/"+th.ID+"/comments", `{"body":"@group yes"}`), 201, &ok)
	if len(ok.Notices) != 0 {
		t.Fatalf("the admin's @group has notices: %v", ok.Notices)
	}
	rec := g.do(bob, "POST", "/threads/"+th.ID+"/comments", "body=%40group+hello")
	loc := rec.Header().Get("Location")
	if rec.Code != 303 || !strings.Contains(loc, "done=commented-plain") {
		t.Fatalf("page: %d %s", rec.Code, loc)
	}
	loc, _, _ = strings.Cut(loc, "#") // the browser keeps the fragment
	page := g.do(bob, "GET", loc, "")
	g.expect(page, page.Body.String(), 200, "@group did not notify the group")
}
