package server_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/notify"
)

// notes lists p's notifications of kind about thread tid or poll pid.
func notes(e *pollEnv, p *pollPerson, kind notify.Kind, tid, pid string) int {
	e.t.Helper()
	e.drain()
	pg, err := e.a.Notifications.List(p.ctx, "", 100)
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, it := range pg.Items {
		if it.Kind == kind && (tid == "" || it.ThreadID == tid) && (pid == "" || it.PollID == pid) {
			n++
		}
	}
	return n
}

// setAnnounce turns "members can announce" on or off in the env's group.
func setAnnounce(e *pollEnv, on bool) {
	e.t.Helper()
	g, err := e.a.Groups.Get(e.owner.ctx, e.gid)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.a.Groups.Update(e.owner.ctx, e.gid, group.UpdateInput{Version: g.Version, Permissions: &group.FlagsPatch{MembersCanAnnounce: &on}}); err != nil {
		e.t.Fatal(err)
	}
}

// Issue 11 item 10: "members can announce" does what it says. Starting a
// thread or a poll, its author chooses whom to notify: the whole group
// (admins; members only with the flag) or chosen people (any member);
// people may be pointed to a thread or poll later from its page. Leaving
// the choice out notifies the group when the author may. People at the
// loud level hear of every new thread and poll anyway.
func TestMembersCanAnnounce(t *testing.T) {
	e, o, m, n := newPollEnv(t)
	l := e.person("Lou Loud")
	e.join(l)
	if err := e.a.Notifications.SetLevel(context.Background(), l.id, notify.GroupScope(e.gid), notify.Loud); err != nil {
		t.Fatal(err)
	}
	setAnnounce(e, false)
	thread := func(p *pollPerson, body map[string]any, want int) string {
		t.Helper()
		body["title"] = fmt.Sprintf("Thread %d", e.ip.Add(1))
		r := e.must(e.do(p, "POST", "/api/v1/groups/"+e.gid+"/threads", body), want, "start thread")
		if want != 201 {
			return r.body
		}
		return decodeInto[struct{ ID string }](t, r).ID
	}

	// A member may not notify the whole group without the flag...
	if body := thread(m, map[string]any{"notify": map[string]any{"group": true}}, 403); !strings.Contains(body, "notify the whole group") {
		t.Errorf("refusal: %s", body)
	}
	// ...leaving it out notifies nobody at normal level, the loud follower
	// still hears; chosen people hear of it as addressed to them.
	t1 := thread(m, map[string]any{}, 201)
	if notes(e, n, notify.NewThread, t1, "") != 0 || notes(e, l, notify.NewThread, t1, "") != 1 || notes(e, o, notify.NewThread, t1, "") != 0 {
		t.Errorf("member's thread without the flag: n=%d l=%d o=%d", notes(e, n, notify.NewThread, t1, ""),
			notes(e, l, notify.NewThread, t1, ""), notes(e, o, notify.NewThread, t1, ""))
	}
	t2 := thread(m, map[string]any{"notify": map[string]any{"user_ids": []string{n.id}}}, 201)
	if notes(e, n, notify.Announcement, t2, "") != 1 || notes(e, o, notify.NewThread, t2, "")+notes(e, o, notify.Announcement, t2, "") != 0 {
		t.Errorf("chosen people: n=%d", notes(e, n, notify.Announcement, t2, ""))
	}
	// Chosen people are members (or guests of the thread); bounded.
	outsider := e.person("Otto Outsider")
	if body := thread(m, map[string]any{"notify": map[string]any{"user_ids": []string{outsider.id}}}, 400); !strings.Contains(body, "notify.user_ids[0]") {
		t.Errorf("outsider: %s", body)
	}
	many := make([]string, notify.MaxAudiencePeople+1)
	for i := range many {
		many[i] = fmt.Sprintf("u%d", i)
	}
	thread(m, map[string]any{"notify": map[string]any{"user_ids": many}}, 400)

	// An admin's thread notifies the group by default; {group:false} nobody.
	t3 := thread(o, map[string]any{}, 201)
	if notes(e, n, notify.NewThread, t3, "") != 1 || notes(e, m, notify.NewThread, t3, "") != 1 {
		t.Errorf("admin's thread not announced to the group")
	}
	t4 := thread(o, map[string]any{"notify": map[string]any{"group": false}}, 201)
	if notes(e, n, notify.NewThread, t4, "") != 0 || notes(e, l, notify.NewThread, t4, "") != 1 {
		t.Errorf("admin's quiet thread: n=%d l=%d", notes(e, n, notify.NewThread, t4, ""), notes(e, l, notify.NewThread, t4, ""))
	}
	// With the flag, members announce to the group as admins do.
	setAnnounce(e, true)
	t5 := thread(m, map[string]any{"notify": map[string]any{"group": true}}, 201)
	if notes(e, n, notify.NewThread, t5, "") != 1 {
		t.Errorf("member's announcement with the flag did not reach the group")
	}
	setAnnounce(e, false)

	// The thread page keeps "Notify people" in a closed panel, and opens it
	// when its list of people was asked for (the panel's own link) or its
	// form came back with an error.
	closed := e.must(e.do(m, "GET", "/threads/"+t1, nil), 200, "thread page")
	if !strings.Contains(string(closed.body), `<details class="panel" id="announce">`) {
		t.Errorf("the notify panel is not closed on a plain visit")
	}
	asked := e.must(e.do(m, "GET", "/threads/"+t1+"?notify=people", nil), 200, "thread page, people asked for")
	if !strings.Contains(string(asked.body), `<details class="panel" id="announce" open>`) {
		t.Errorf("the notify panel is closed after asking for the list of people")
	}
	failed := e.must(e.do(m, "POST", "/threads/"+t1+"/announce", url.Values{"notify_shown": {"1"}}), 400, "announce to nobody from the thread page")
	if !strings.Contains(string(failed.body), `<details class="panel" id="announce" open>`) {
		t.Errorf("the notify panel is closed after its form failed")
	}

	// Later, from the thread: chosen people, or the group where allowed.
	e.must(e.do(m, "POST", "/api/v1/threads/"+t1+"/announce", map[string]any{"user_ids": []string{n.id}}), 204, "announce to Nina")
	e.must(e.do(m, "POST", "/api/v1/threads/"+t1+"/announce", map[string]any{"group": true}), 403, "member announces to the group")
	e.must(e.do(m, "POST", "/api/v1/threads/"+t1+"/announce", map[string]any{}), 400, "announce to nobody")
	if notes(e, n, notify.Announcement, t1, "") != 1 {
		t.Errorf("Nina was not pointed to the thread")
	}
	e.must(e.do(o, "POST", "/threads/"+t1+"/announce", url.Values{"notify_shown": {"1"}, "notify_group": {"on"}}), 303, "admin announces from the page")
	if notes(e, n, notify.Announcement, t1, "") != 2 || notes(e, m, notify.Announcement, t1, "") != 1 || notes(e, o, notify.Announcement, t1, "") != 0 {
		t.Errorf("announcement from the page: n=%d m=%d o=%d", notes(e, n, notify.Announcement, t1, ""),
			notes(e, m, notify.Announcement, t1, ""), notes(e, o, notify.Announcement, t1, ""))
	}

	// Polls: the same rule when they open.
	poll := func(p *pollPerson, extra map[string]any, want int) string {
		t.Helper()
		body := map[string]any{"type": "proposal", "title": fmt.Sprintf("Poll %d", e.ip.Add(1)), "settings": map[string]any{"closing_at": closing()}}
		for k, v := range extra {
			body[k] = v
		}
		r := e.must(e.do(p, "POST", "/api/v1/groups/"+e.gid+"/polls", body), want, "start poll")
		if want != 201 {
			return r.body
		}
		return decodeInto[pollJSON](t, r).ID
	}
	poll(m, map[string]any{"notify": map[string]any{"group": true}}, 403)
	p1 := poll(m, nil, 201)
	if notes(e, n, notify.PollOpened, "", p1) != 0 || notes(e, l, notify.PollOpened, "", p1) != 1 {
		t.Errorf("member's poll without the flag: n=%d l=%d", notes(e, n, notify.PollOpened, "", p1), notes(e, l, notify.PollOpened, "", p1))
	}
	p2 := poll(m, map[string]any{"notify": map[string]any{"user_ids": []string{n.id}}}, 201)
	if notes(e, n, notify.PollOpened, "", p2) != 1 {
		t.Errorf("chosen voter not told the poll opened")
	}
	p3 := poll(o, nil, 201)
	if notes(e, n, notify.PollOpened, "", p3) != 1 || notes(e, m, notify.PollOpened, "", p3) != 1 {
		t.Errorf("admin's poll not announced to the group")
	}
	// A draft notifies nobody, and says so.
	e.must(e.do(o, "POST", "/api/v1/groups/"+e.gid+"/polls", map[string]any{"type": "proposal", "title": "Draft",
		"notify": map[string]any{"group": true}}), 400, "draft with notify")
	e.must(e.do(m, "POST", "/api/v1/polls/"+p1+"/announce", map[string]any{"user_ids": []string{n.id}}), 204, "point Nina to the poll")
	if notes(e, n, notify.Announcement, "", p1) != 1 {
		t.Errorf("Nina not pointed to the poll")
	}
	e.must(e.do(m, "POST", "/polls/"+p1+"/announce", url.Values{"notify_shown": {"1"}, "notify_group": {"on"}}), 403, "member announces a poll to the group from the page")
	// Nobody chosen on the poll page: the error is beside the form, which
	// lists the people again with the choices kept.
	page := e.must(e.do(o, "POST", "/polls/"+p1+"/announce", url.Values{"notify_shown": {"1"}}), 400, "announce to nobody from the poll page")
	if !strings.Contains(page.body, `<p class="field-error" id="notify-error">choose the whole group or at least one person</p>`) ||
		!strings.Contains(page.body, `name="notify_user" value="`+n.id+`"`) {
		t.Errorf("poll page after a failed Notify: %.4000s", page.body)
	}

	// The forms offer what the viewer may choose.
	form := e.must(e.do(m, "GET", "/groups/"+e.gid+"/threads/new", nil), 200, "new thread form (member)")
	if strings.Contains(form.body, `name="notify_group"`) || !strings.Contains(form.body, "Only admins can notify everyone") || !strings.Contains(form.body, `name="notify_user" value="`+n.id+`"`) {
		t.Errorf("member's form: %.3000s", form.body)
	}
	// People are listed by name, the viewer left out.
	if i, j, k := strings.Index(form.body, "Lou Loud"), strings.Index(form.body, "Nina Member"), strings.Index(form.body, "Olga Owner"); i < 0 || i > j || j > k ||
		strings.Contains(form.body, `value="`+m.id+`"`) {
		t.Errorf("people to notify not by name (Lou %d, Nina %d, Olga %d) or listing the viewer", i, j, k)
	}
	form = e.must(e.do(o, "GET", "/groups/"+e.gid+"/polls/new?type=proposal", nil), 200, "new poll form (admin)")
	if !strings.Contains(form.body, `id="notify_group" name="notify_group" value="on" aria-describedby="notify_group-hint" checked`) {
		t.Errorf("admin's poll form does not offer (ticked) the whole group")
	}
}
