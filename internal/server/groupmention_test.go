package server

import (
	"strconv"
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

// TestGroupMentionAddedByEditNotice: an edit adding @group by someone who
// may not notify the whole group is saved as plain text; the API answers
// the notice and the page says so after the redirect, in the reader's
// language (comment and thread description).
func TestGroupMentionAddedByEditNotice(t *testing.T) {
	g := newDiscussionHarness(t)
	alice, bob := g.user("Alice"), g.user("Bob")
	grp := g.createGroup(alice, "Hush edits "+g.tag, "secret") // members may not announce
	var link struct{ URL string }
	g.json(g.do(alice, "GET", "/api/v1/groups/"+grp.ID+"/join-link", ""), 200, &link)
	g.json(g.do(bob, "POST", "/api/v1/join/"+link.URL[strings.LastIndex(link.URL, "/")+1:], ""), 200, nil)
	th := g.startThread(bob, grp.ID, "Plans", "")

	var c discussion.Item
	g.json(g.do(bob, "POST", "/api/v1/threads/"+th.ID+"/comments", `{"body":"anyone?"}`), 201, &c)
	var ed discussion.Item
	g.json(g.do(bob, "PATCH", "/api/v1/threads/"+th.ID+"/comments/"+c.ID, `{"body":"@group anyone?","version":`+strconv.FormatInt(c.Version, 10)+`}`), 200, &ed)
	if len(ed.Notices) != 1 || !strings.Contains(ed.Notices[0], "only admins") {
		t.Fatalf("API notices of the edit: %v", ed.Notices)
	}
	rec := g.do(bob, "POST", "/threads/"+th.ID+"/comments/"+c.ID+"/edit", "body=%40group+anyone+at+all%3F&version="+strconv.FormatInt(ed.Version, 10))
	loc := rec.Header().Get("Location")
	if rec.Code != 303 || !strings.Contains(loc, "done=edited") {
		t.Fatalf("comment edit page: %d %s", rec.Code, loc)
	}
	// The @group was already there: a plain "edited".
	if strings.Contains(loc, "edited-plain") {
		t.Fatalf("an @group already in the comment got the notice again: %s", loc)
	}
	var cur discussion.Thread
	g.json(g.do(bob, "GET", "/api/v1/threads/"+th.ID, ""), 200, &cur)
	rec = g.do(bob, "POST", "/threads/"+th.ID+"/edit", "title=Plans&description=%40group+read+this&version="+strconv.FormatInt(cur.Version, 10))
	loc = rec.Header().Get("Location")
	if rec.Code != 303 || !strings.Contains(loc, "done=saved-plain") {
		t.Fatalf("thread edit page: %d %s", rec.Code, loc)
	}
	page := g.do(bob, "GET", loc, "")
	g.expect(page, page.Body.String(), 200, "Your changes were saved, but @group did not notify the group")
}
