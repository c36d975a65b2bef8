package server

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tag"
)

// TestTagsAPIAndPages: an admin defines tags, an author tags their thread,
// the group's list filters exactly by ?tag= across pages (API and hub);
// members may not manage tags; bad input is 4xx problem+json.
func TestTagsAPIAndPages(t *testing.T) {
	g := newDiscussionHarness(t)
	alice, bob := g.user("Alice"), g.user("Bob")
	grp := g.createGroup(alice, "Orchard "+g.tag, "open")
	g.join(bob, grp.ID)

	var urgent tag.Tag
	g.json(g.do(alice, "POST", "/api/v1/groups/"+grp.ID+"/tags", `{"name":"Urgent","colour":"red"}`), 201, &urgent)
	g.json(g.do(bob, "POST", "/api/v1/groups/"+grp.ID+"/tags", `{"name":"Mine","colour":"red"}`), 403, nil)
	rec := g.do(alice, "POST", "/api/v1/groups/"+grp.ID+"/tags", `{"name":"Other","colour":"#000"}`)
	if rec.Code != 400 || !strings.Contains(rec.Header().Get("Content-Type"), "problem+json") {
		t.Fatalf("bad colour: %d %s %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}

	var tagged []string
	for i := range 5 {
		th := g.startThread(bob, grp.ID, "Tree "+string(rune('A'+i)), "")
		if i%2 == 0 {
			var out discussion.Thread
			g.json(g.do(bob, "PUT", "/api/v1/threads/"+th.ID+"/tags", `{"tags":["`+urgent.ID+`"]}`), 200, &out)
			if len(out.Tags) != 1 || out.Tags[0].Name != "Urgent" || out.Tags[0].Colour != "red" {
				t.Fatalf("tagged thread JSON: %+v", out.Tags)
			}
			tagged = append([]string{th.ID}, tagged...)
		}
	}
	// The filter, one per page.
	var got []string
	cursor := ""
	for {
		var page store.Page[discussion.Thread]
		g.json(g.do(bob, "GET", "/api/v1/groups/"+grp.ID+"/threads?limit=1&tag="+urgent.ID+"&cursor="+url.QueryEscape(cursor), ""), 200, &page)
		for _, th := range page.Items {
			got = append(got, th.ID)
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	if strings.Join(got, ",") != strings.Join(tagged, ",") {
		t.Fatalf("filter: got %v, want %v", got, tagged)
	}
	// A tag the group does not have; too many tags; a list over its bound.
	g.json(g.do(bob, "GET", "/api/v1/groups/"+grp.ID+"/threads?tag=nosuchtag1234567", ""), 404, nil)
	g.json(g.do(bob, "PUT", "/api/v1/threads/"+tagged[0]+"/tags", `{"tags":["nosuchtag1234567"]}`), 400, nil)
	many, _ := json.Marshal(map[string][]string{"tags": strings.Split(strings.Repeat(urgent.ID+",", 11), ",")[:11]})
	g.json(g.do(bob, "PUT", "/api/v1/threads/"+tagged[0]+"/tags", string(many)), 400, nil)

	// Pages: the hub filtered, the badge on the thread page, the admin page.
	hub := g.do(bob, "GET", "/groups/"+grp.ID+"?tab=threads&tag="+urgent.ID, "")
	body := hub.Body.String()
	g.expect(hub, body, 200, "Showing threads tagged", `class="label label-red"`)
	if strings.Count(body, `class="thread-row"`) != len(tagged) {
		t.Fatalf("hub filter shows %d rows, want %d", strings.Count(body, `class="thread-row"`), len(tagged))
	}
	th := g.do(bob, "GET", "/threads/"+tagged[0], "")
	g.expect(th, th.Body.String(), 200, ">Urgent</a>", "/threads/"+tagged[0]+"/tags")
	admin := g.do(alice, "GET", "/groups/"+grp.ID+"/tags", "")
	g.expect(admin, admin.Body.String(), 200, "New tag", `value="Urgent"`)
	member := g.do(bob, "GET", "/groups/"+grp.ID+"/tags", "")
	if strings.Contains(member.Body.String(), "New tag") {
		t.Fatal("a member is offered the form to add tags")
	}
	bad := g.do(alice, "POST", "/groups/"+grp.ID+"/tags", "name=&colour=red")
	g.expect(bad, bad.Body.String(), 400, "is required")
	ok := g.do(alice, "POST", "/groups/"+grp.ID+"/tags/"+urgent.ID, "name=Soon&colour=amber")
	if ok.Code != 303 {
		t.Fatalf("rename: %d %s", ok.Code, ok.Body)
	}
	th = g.do(bob, "GET", "/threads/"+tagged[1], "")
	g.expect(th, th.Body.String(), 200, ">Soon</a>", "label-amber")
	// The picker form: untag.
	if rec := g.do(bob, "POST", "/threads/"+tagged[1]+"/tags", "x=1"); rec.Code != 303 {
		t.Fatalf("untag: %d %s", rec.Code, rec.Body)
	}
	var page store.Page[discussion.Thread]
	g.json(g.do(bob, "GET", "/api/v1/groups/"+grp.ID+"/threads?tag="+urgent.ID, ""), 200, &page)
	if len(page.Items) != len(tagged)-1 {
		t.Fatalf("after untagging: %d threads", len(page.Items))
	}
}
