package server_test

import (
	"encoding/csv"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/tag"
)

// TestTagsOnCreationFormsAndThreadList: the new-thread and new-poll forms
// (and the API) put the group's tags on what they start, in the creating
// transaction; a bad tag re-renders the form with the ticks kept; the
// plain thread list filters by ?tag= and its badges link to the filter.
func TestTagsOnCreationFormsAndThreadList(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	// No tags yet: no picker.
	if body := e.must(e.do(m, "GET", "/groups/"+e.gid+"/threads/new", nil), 200, "thread form").body; strings.Contains(body, `name="tag"`) {
		t.Fatal("the form offers tags of a group without tags")
	}
	urgent := decodeInto[tag.Tag](t, e.must(e.do(o, "POST", "/api/v1/groups/"+e.gid+"/tags", map[string]string{"name": "Urgent", "colour": "red"}), 201, "tag"))
	budget := decodeInto[tag.Tag](t, e.must(e.do(o, "POST", "/api/v1/groups/"+e.gid+"/tags", map[string]string{"name": "Budget", "colour": "teal"}), 201, "tag"))

	// The new-thread form: picker, bad id kept ticked with the error, then created.
	body := e.must(e.do(m, "GET", "/groups/"+e.gid+"/threads/new", nil), 200, "thread form").body
	for _, want := range []string{`name="tag" value="` + urgent.ID + `"`, `name="tag" value="` + budget.ID + `"`, "label-red"} {
		if !strings.Contains(body, want) {
			t.Fatalf("thread form lacks %s", want)
		}
	}
	r := e.do(m, "POST", "/groups/"+e.gid+"/threads", url.Values{"title": {"Tagged by form"}, "tag": {urgent.ID, "nosuchtag"}})
	if r.code != 400 || !strings.Contains(r.body, `value="`+urgent.ID+`" checked`) || !strings.Contains(r.body, "names a tag this group does not have") {
		t.Fatalf("bad tag: %d %.800s", r.code, r.body)
	}
	r = e.must(e.do(m, "POST", "/groups/"+e.gid+"/threads", url.Values{"title": {"Tagged by form"}, "tag": {urgent.ID}}), 303, "start")
	formThread := strings.TrimPrefix(strings.Split(r.hdr.Get("Location"), "?")[0], "/threads/")
	// The API.
	type threadOut struct {
		ID   string    `json:"id"`
		Tags []tag.Tag `json:"tags"`
	}
	api := decodeInto[threadOut](t, e.must(e.do(m, "POST", "/api/v1/groups/"+e.gid+"/threads",
		map[string]any{"title": "Tagged by API", "tags": []string{budget.ID}}), 201, "api start"))
	if len(api.Tags) != 1 || api.Tags[0].Name != "Budget" {
		t.Fatalf("API thread tags: %+v", api.Tags)
	}
	e.thread(m, e.gid, "Untagged")

	// The plain list, filtered, with badges linking to the filter.
	list := e.must(e.do(m, "GET", "/groups/"+e.gid+"/threads?tag="+urgent.ID, nil), 200, "filtered list").body
	if strings.Count(list, `class="thread-row"`) != 1 || !strings.Contains(list, "/threads/"+formThread) || !strings.Contains(list, "Showing threads tagged") {
		t.Fatalf("filtered list: %.1500s", list)
	}
	all := e.must(e.do(m, "GET", "/groups/"+e.gid+"/threads", nil), 200, "list").body
	if strings.Count(all, `class="thread-row"`) != 3 || !strings.Contains(all, `href="/groups/`+e.gid+`/threads?tag=`+budget.ID+`"`) {
		t.Fatalf("list: %.1500s", all)
	}
	e.must(e.do(m, "GET", "/groups/"+e.gid+"/threads?tag=nosuchtag", nil), 404, "unknown tag")

	// The new-poll form (the group's, and from a thread).
	later := time.Now().Add(72 * time.Hour).UTC().Format("2006-01-02T15:04")
	pf := e.must(e.do(m, "GET", "/groups/"+e.gid+"/polls/new?type=proposal&thread="+formThread, nil), 200, "poll form").body
	if !strings.Contains(pf, `name="tag" value="`+urgent.ID+`"`) {
		t.Fatal("the poll form offers no tags")
	}
	f := url.Values{"type": {"proposal"}, "title": {"Tagged proposal"}, "closing_at": {later}, "hide_results": {"off"}, "reason_mode": {"optional"},
		"reason_max_length": {"500"}, "quorum_percent": {"0"}, "reminder_audience": {"undecided"}, "opt_agree": {"on"}, "opt_disagree": {"on"},
		"thread_id": {formThread}, "tag": {budget.ID, urgent.ID}}
	pid := pollIDFrom(t, e.do(m, "POST", "/groups/"+e.gid+"/polls", f))
	p, err := e.a.Decisions.Get(m.ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Tags) != 2 || p.ThreadID != formThread {
		t.Fatalf("poll from the form: tags %+v thread %q", p.Tags, p.ThreadID)
	}
	apiPoll := e.pollIn(m, e.gid, "API poll", time.Hour, map[string]any{"tags": []string{urgent.ID}})
	got, err := e.a.Decisions.Get(m.ctx, apiPoll.ID)
	if err != nil || len(got.Tags) != 1 || got.Tags[0].ID != urgent.ID {
		t.Fatalf("API poll tags: %+v %v", got.Tags, err)
	}
	e.must(e.do(m, "POST", "/api/v1/groups/"+e.gid+"/polls", map[string]any{"type": "proposal", "title": "Bad",
		"settings": map[string]any{"closing_at": closing()}, "tags": []string{"nosuchtag"}}), 400, "bad poll tag")
}

// TestTagsOnDashboardAndPollCSV: the dashboard's "Waiting for your vote"
// shows a poll's tags, linking to the group's decisions filtered by them;
// both CSV exports end with a "tags" column holding the poll's tag names
// on every row (neutralised like any cell), empty for an untagged poll.
func TestTagsOnDashboardAndPollCSV(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	budget := decodeInto[tag.Tag](t, e.must(e.do(o, "POST", "/api/v1/groups/"+e.gid+"/tags", map[string]string{"name": "Budget", "colour": "teal"}), 201, "tag"))
	formula := decodeInto[tag.Tag](t, e.must(e.do(o, "POST", "/api/v1/groups/"+e.gid+"/tags", map[string]string{"name": "=SUM(A1)", "colour": "red"}), 201, "tag"))
	tagged := e.pollIn(o, e.gid, "Tagged vote", 24*time.Hour, map[string]any{"tags": []string{budget.ID, formula.ID}})
	plain := e.pollIn(o, e.gid, "Plain vote", 48*time.Hour, nil)

	dash := e.must(e.do(m, "GET", "/dashboard", nil), 200, "dashboard").body
	if !strings.Contains(dash, `href="/groups/`+e.gid+`?tab=decisions&amp;tag=`+budget.ID+`"`) || !strings.Contains(dash, "label-teal") {
		t.Fatalf("the dashboard lacks the poll's tags: %.2000s", dash)
	}

	e.must(e.do(m, "PUT", "/api/v1/polls/"+tagged.ID+"/ballot", `{"choices":[{"option_id":"agree"}],"reason":"yes"}`), 201, "vote")
	e.must(e.do(m, "PUT", "/api/v1/polls/"+plain.ID+"/ballot", `{"choices":[{"option_id":"agree"}]}`), 201, "vote")
	for _, c := range []struct {
		pid, want string
	}{{tagged.ID, "'=SUM(A1); Budget"}, {plain.ID, ""}} {
		for _, kind := range []string{"results", "ballots"} {
			r := e.must(e.do(o, "GET", "/api/v1/polls/"+c.pid+"/"+kind+".csv", nil), 200, kind+" csv")
			rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.body, "\ufeff"))).ReadAll()
			if err != nil || len(rows) < 2 {
				t.Fatalf("%s csv: %v %v", kind, rows, err)
			}
			if last := rows[0][len(rows[0])-1]; last != "tags" {
				t.Fatalf("%s csv header ends with %q", kind, last)
			}
			for _, row := range rows[1:] {
				if row[len(row)-1] != c.want {
					t.Fatalf("%s csv row %v: tags %q, want %q", kind, row, row[len(row)-1], c.want)
				}
			}
		}
	}
}
