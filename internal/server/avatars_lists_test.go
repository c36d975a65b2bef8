package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// Names come with an avatar in the lists that lacked one (issue 15):
// a poll's specified voters, the edit history of a thread and of an
// outcome. Olga has a picture: it is beside her name in each.
func TestAvatarsBesideNamesInListsAndHistories(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	if r := e.postPicture(o, "me.jpg", gpsPhoto(t)); r.code != http.StatusSeeOther {
		t.Fatalf("upload: %d %.300s", r.code, r.body)
	}
	pic := "/people/" + o.id + "/avatar/64?v="

	// The specified voters of a poll, on its page and on the new-poll form.
	p := e.pollIn(o, e.gid, "Voters with faces", 24*time.Hour, map[string]any{"voters": []string{o.id, m.id},
		"settings": map[string]any{"specified_voters_only": true, "closing_at": time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)}})
	page := e.must(e.do(m, "GET", "/polls/"+p.ID, nil), 200, "poll").body
	voters := section(t, page, `id="voters-title"`, "</ul>")
	if !strings.Contains(voters, pic) || !strings.Contains(voters, `aria-hidden="true">MM</span>`) {
		t.Errorf("the voters list lacks avatars:\n%s", voters)
	}
	form := e.must(e.do(o, "GET", "/groups/"+e.gid+"/polls/new?type=proposal", nil), 200, "poll form").body
	if list := section(t, form, `id="voter-list"`, "</fieldset>"); !strings.Contains(list, pic) {
		t.Errorf("the form's voter list lacks Olga's picture:\n%s", list)
	}

	// The outcome's edit history.
	e.must(e.do(o, "POST", "/api/v1/polls/"+p.ID+"/close", nil), 200, "close")
	e.must(e.do(o, "PUT", "/api/v1/polls/"+p.ID+"/outcome", `{"statement":"We go ahead."}`), 200, "outcome")
	e.must(e.do(o, "PUT", "/api/v1/polls/"+p.ID+"/outcome", `{"statement":"We go ahead next month."}`), 200, "outcome edit")
	page = e.must(e.do(m, "GET", "/polls/"+p.ID, nil), 200, "poll").body
	if h := section(t, page, `outcome-history`, "</details>"); !strings.Contains(h, pic) {
		t.Errorf("the outcome history lacks the editor's picture:\n%s", h)
	}
	if o := section(t, page, `class="card outcome"`, "outcome-history"); !strings.Contains(o, pic) || !strings.Contains(o, "By Olga Owner,") {
		t.Errorf("the outcome card does not say who wrote it:\n%s", o)
	}

	// The thread's note of the poll opened by Olga (the poll above is not
	// in a thread: one in hers).
	tp := map[string]any{"type": "proposal", "title": "In the thread", "thread_id": "", "settings": map[string]any{"closing_at": time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)}}
	tid0 := e.thread(o, e.gid, "Faces in the timeline")
	tp["thread_id"] = tid0
	e.must(e.do(o, "POST", "/api/v1/groups/"+e.gid+"/polls", tp), 201, "poll in a thread")
	if note := section(t, e.must(e.do(m, "GET", "/threads/"+tid0, nil), 200, "thread").body, `class="event poll-event muted"`, "</p>"); !strings.Contains(note, pic) {
		t.Errorf("the poll's note in the thread lacks Olga's picture:\n%s", note)
	}

	// A thread's edit history.
	tid := e.thread(o, e.gid, "Faces in history")
	e.must(e.do(o, "PATCH", "/api/v1/threads/"+tid, map[string]any{"title": "Faces in the history", "version": 1}), 200, "edit")
	hist := e.must(e.do(m, "GET", "/threads/"+tid+"/history", nil), 200, "history").body
	if h := section(t, hist, `class="history"`, "</ol>"); !strings.Contains(h, pic) {
		t.Errorf("the thread history lacks the editor's picture:\n%s", h)
	}
}

// section is body from the first from to the next to after it.
func section(t *testing.T, body, from, to string) string {
	t.Helper()
	i := strings.Index(body, from)
	if i < 0 {
		t.Fatalf("no %q in the page", from)
	}
	rest := body[i:]
	if j := strings.Index(rest, to); j >= 0 {
		return rest[:j]
	}
	return rest
}
