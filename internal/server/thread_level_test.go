package server

import (
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/testkit"
)

// The "Notifications from this thread" menu shows the level that applies
// to the reader, checked: the thread's own, else the group's it inherits
// (said so), else normal; the group's threads page shows the group's. The
// levels come with reads the pages already make: the thread page costs
// the same DynamoDB calls whatever is set.
func TestThreadPageShowsTheNotificationLevel(t *testing.T) {
	logs := &testkit.RequestLog{}
	g := newDiscussionHarnessLog(t, logging.New(logs, "info"))
	alice, bob := g.user("Alice"), g.user("Bob")
	grp := g.createGroup(alice, "Levels "+g.tag, "open")
	g.join(bob, grp.ID)
	th := g.startThread(alice, grp.ID, "Rehearsal times", "")
	threadPage := func() (string, float64) {
		t.Helper()
		rec := g.do(bob, "GET", "/threads/"+th.ID, "")
		if rec.Code != 200 {
			t.Fatalf("thread page: %d", rec.Code)
		}
		return rec.Body.String(), logs.Last()["ddb_calls"].(float64)
	}
	checked := func(body, id string) string {
		t.Helper()
		i := strings.Index(body, `<select id="`+id+`"`)
		if i < 0 {
			t.Fatalf("no %s menu", id)
		}
		sel := body[i : i+strings.Index(body[i:], "</select>")]
		var on []string
		for _, l := range []string{"group", "mute", "quiet", "normal", "loud"} {
			if strings.Contains(sel, `<option value="`+l+`" selected>`) {
				on = append(on, l)
			}
		}
		if len(on) != 1 {
			t.Fatalf("%s menu checks %v, want one: %s", id, on, sel)
		}
		return on[0]
	}
	post := func(path, level string) {
		t.Helper()
		if rec := g.do(bob, "POST", path, "level="+level); rec.Code != 303 {
			t.Fatalf("POST %s: %d %s", path, rec.Code, rec.Body)
		}
	}
	threadPage() // the first visit marks the thread read
	body, before := threadPage()
	if got := checked(body, "thread-level"); got != "group" || !strings.Contains(body, "Same as the group (normal)") || strings.Contains(body, `id="thread-level-from"`) {
		t.Fatalf("nothing set: menu shows %q (inherited note: %v), want the group's (normal)", got, strings.Contains(body, `id="thread-level-from"`))
	}
	// The group's level applies to a thread without its own, and says so.
	post("/groups/"+grp.ID+"/notification-level", "quiet")
	body, afterGroup := threadPage()
	if got := checked(body, "thread-level"); got != "group" || !strings.Contains(body, "Same as the group (quiet)") ||
		!strings.Contains(body, "This follows your setting for the whole group: quiet.") {
		t.Fatalf("group quiet: thread menu shows %q: %s", got, body)
	}
	rec := g.do(bob, "GET", "/groups/"+grp.ID+"/threads", "")
	if got := checked(rec.Body.String(), "group-level"); got != "quiet" {
		t.Fatalf("group threads page menu shows %q, want quiet", got)
	}
	// The thread's own level wins.
	post("/threads/"+th.ID+"/notification-level", "loud")
	body, afterThread := threadPage()
	if got := checked(body, "thread-level"); got != "loud" || strings.Contains(body, `id="thread-level-from"`) {
		t.Fatalf("thread loud: menu shows %q: %s", got, body)
	}
	post("/threads/"+th.ID+"/notification-level", "mute")
	if body, _ = threadPage(); checked(body, "thread-level") != "mute" {
		t.Fatalf("thread mute: menu shows %q", checked(body, "thread-level"))
	}
	// A thread's "normal" overrides the group's level, as any other
	// thread level does (it is kept, not taken for "unset").
	post("/threads/"+th.ID+"/notification-level", "normal")
	if body, _ = threadPage(); checked(body, "thread-level") != "normal" || strings.Contains(body, `id="thread-level-from"`) {
		t.Fatalf("thread normal under a quiet group: menu shows %q (inherited note: %v)", checked(body, "thread-level"),
			strings.Contains(body, `id="thread-level-from"`))
	}
	// "Same as the group" drops the thread's own level: the thread follows
	// the group's again, and its later changes.
	post("/threads/"+th.ID+"/notification-level", "group")
	if body, _ = threadPage(); checked(body, "thread-level") != "group" || !strings.Contains(body, "This follows your setting for the whole group: quiet.") {
		t.Fatalf("thread reset under a quiet group: menu shows %q", checked(body, "thread-level"))
	}
	post("/groups/"+grp.ID+"/notification-level", "loud")
	if body, _ = threadPage(); checked(body, "thread-level") != "group" || !strings.Contains(body, "Same as the group (loud)") {
		t.Fatalf("thread reset, then group loud: menu shows %q", checked(body, "thread-level"))
	}
	// The API: "group" resets (again: no change), anything else is a 400.
	for _, body := range []string{`{"level":"mute"}`, `{"level":"group"}`, `{"level":"group"}`} {
		rec := g.do(bob, "PUT", "/api/v1/threads/"+th.ID+"/notification-level", body)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), body[1:len(body)-1]) {
			t.Fatalf("PUT level %s: %d %s", body, rec.Code, rec.Body)
		}
	}
	if body, _ = threadPage(); checked(body, "thread-level") != "group" {
		t.Fatalf("thread reset through the API: menu shows %q", checked(body, "thread-level"))
	}
	if rec := g.do(bob, "PUT", "/api/v1/threads/"+th.ID+"/notification-level", `{"level":"everything"}`); rec.Code != 400 ||
		!strings.Contains(rec.Body.String(), "must be one of group, mute, quiet, normal, loud") {
		t.Fatalf("PUT an unknown level: %d %s", rec.Code, rec.Body)
	}
	// Another reader's settings are theirs alone.
	if rec := g.do(alice, "GET", "/threads/"+th.ID, ""); checked(rec.Body.String(), "thread-level") != "group" {
		t.Fatalf("alice sees bob's level: %q", checked(rec.Body.String(), "thread-level"))
	}
	if afterGroup != before || afterThread != before {
		t.Fatalf("thread page DynamoDB calls: %v with no level, %v with a group level, %v with a thread level; want the same",
			before, afterGroup, afterThread)
	}
}
