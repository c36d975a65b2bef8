package app_test

// Moving a thread through the running application: the admin of both
// groups moves it with the API, and a member of only the old group no
// longer reaches it anywhere (its page, the API, the group's list, the
// dashboard, search), while a member of only the new group finds it there,
// search included (the stream re-files its comments under the new group).
//
// It runs on memdb's stream (newStreamWorld): what it proves is the move's
// reach, not the store; DynamoDB Local's stream feeding search is proved by
// TestSearchIsFreshThroughTheStream.

import (
	"net/url"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
)

func TestMovedThreadIsGoneFromTheOldGroupOverHTTP(t *testing.T) {
	t.Parallel()
	w := newStreamWorld(t)
	ada, bo, ce := w.newPerson("MA", "Ada Mover"), w.newPerson("MB", "Bo Oldgroup"), w.newPerson("MC", "Ce Newgroup")
	mk := func(name string, p authz.Privacy, member *person) string {
		g, err := w.a.Groups.Create(ada.ctx, group.CreateInput{Name: name + " " + w.tag, Privacy: string(p)})
		w.must(err, "group "+name)
		link, err := w.a.Groups.JoinLink(ada.ctx, g.ID)
		w.must(err, "join link")
		_, err = w.a.Groups.JoinViaLink(member.ctx, link[strings.LastIndex(link, "/join/")+len("/join/"):])
		w.must(err, "join "+name)
		return g.ID
	}
	oldG, newG := mk("Old", authz.Closed, bo), mk("New", authz.Secret, ce)
	// The title shares no word with the searched phrase: search ranks any
	// matching word (the thread would be a second hit), and the waits below
	// count the comment alone.
	th, err := w.a.Discussions.StartThread(ada.ctx, discussion.StartInput{GroupID: oldG, Title: "Lantern night " + w.tag})
	w.must(err, "thread")
	_, err = w.a.Discussions.Comment(bo.ctx, th.ID, discussion.CommentInput{Body: "Xylophone wombats at dusk"})
	w.must(err, "comment")
	w.startStream()
	phrase := url.Values{"q": {"xylophone wombats"}}
	w.waitFor(&actor{user: bo}, phrase, "the comment in the old group", func(h []searchHit) bool { return len(h) == 1 })

	as := func(p *person) *actor { return &actor{name: p.key, user: p} }
	s := w.send(call{method: "POST", path: "/api/v1/threads/" + th.ID + "/move", json: jsonOf(map[string]string{"group_id": newG})},
		as(ada), ada.cookie, nil)
	if s.code != 200 || !strings.Contains(s.body, `"done":true`) {
		t.Fatalf("move: %d %s", s.code, s.body)
	}

	// The old group's member: the page, the API, the group's list, the
	// dashboard, and search.
	if s := w.send(call{method: "GET", path: "/threads/" + th.ID}, as(bo), bo.cookie, nil); s.code != 404 {
		t.Errorf("old member's thread page: %d", s.code)
	}
	if s := w.send(call{method: "GET", path: "/api/v1/threads/" + th.ID}, as(bo), bo.cookie, nil); s.code != 404 {
		t.Errorf("old member's API read: %d", s.code)
	}
	if s := w.send(call{method: "GET", path: "/api/v1/threads/" + th.ID + "/timeline"}, as(bo), bo.cookie, nil); s.code != 404 {
		t.Errorf("old member's timeline read: %d", s.code)
	}
	if s := w.send(call{method: "GET", path: "/groups/" + oldG + "/threads"}, as(bo), bo.cookie, nil); s.code != 200 || strings.Contains(s.body, "Lantern night") {
		t.Errorf("old group's list: %d, shows the thread: %v", s.code, strings.Contains(s.body, "Lantern night"))
	}
	if s := w.send(call{method: "GET", path: "/api/v1/dashboard"}, as(bo), bo.cookie, nil); s.code != 200 || strings.Contains(s.body, th.ID) {
		t.Errorf("old member's dashboard: %d, shows the thread: %v", s.code, strings.Contains(s.body, th.ID))
	}
	if s := w.send(call{method: "GET", path: "/"}, as(bo), bo.cookie, nil); strings.Contains(s.body, "Lantern night") {
		t.Errorf("old member's dashboard page shows the thread")
	}
	if code, hits, body := w.searchAs(as(bo), phrase); code != 200 || len(hits) != 0 {
		t.Errorf("old member's search: %d %s", code, body)
	}
	// The new group's member finds it, search included once the stream
	// has re-filed the comment.
	if s := w.send(call{method: "GET", path: "/threads/" + th.ID}, as(ce), ce.cookie, nil); s.code != 200 ||
		!strings.Contains(s.body, "moved the thread here from another group") {
		t.Errorf("new member's thread page: %d", s.code)
	}
	hits := w.waitFor(as(ce), phrase, "the comment in the new group", func(h []searchHit) bool { return len(h) == 1 })
	if hits[0].GroupID != newG {
		t.Errorf("hit in group %s, want %s", hits[0].GroupID, newG)
	}
	s = w.send(call{method: "GET", path: "/api/v1/dashboard"}, as(ce), ce.cookie, nil)
	if !strings.Contains(s.body, th.ID) {
		t.Errorf("new member's dashboard lacks the thread: %s", s.body)
	}
	// The old member's search still finds nothing, now that the stream ran.
	if code, hits, body := w.searchAs(as(bo), phrase); code != 200 || len(hits) != 0 {
		t.Errorf("old member's search after the stream: %d %s", code, body)
	}
}
