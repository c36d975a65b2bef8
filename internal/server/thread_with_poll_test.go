package server_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/server"
)

var formKeyRE = regexp.MustCompile(`name="form_key" value="([0-9a-f]+)"`)

// threadCount is how many threads the group lists.
func (e *pollEnv) threadCount(p *pollPerson) int {
	e.t.Helper()
	r := e.must(e.do(p, "GET", "/api/v1/groups/"+e.gid+"/threads", nil), 200, "threads")
	return len(decodeInto[struct{ Items []struct{ ID string } }](e.t, r).Items)
}

// pollsOf are the polls of thread tid.
func (e *pollEnv) pollsOf(tid string) []string {
	e.t.Helper()
	pids, _, err := e.a.Decisions.PollsOfThread(context.Background(), e.gid, tid, "")
	if err != nil {
		e.t.Fatal(err)
	}
	return pids
}

// TestThreadWithPollFromTemplate: the consent template opens the thread
// form with its poll offered (ticked); one submit creates the thread and
// its consent proposal; the same submit sent again replays the answer and
// creates nothing more; unticked, the thread comes alone.
func TestThreadWithPollFromTemplate(t *testing.T) {
	e, _, m, _ := newPollEnv(t)
	form := e.must(e.do(m, "GET", "/groups/"+e.gid+"/threads/new?template=consent", nil), 200, "form")
	for _, w := range []string{`name="with_poll" value="on" checked`, "This process also opens a poll titled like the thread", "closes 7 days after",
		`name="template" value="consent"`} {
		if !strings.Contains(form.body, w) {
			t.Fatalf("the form lacks %q: %.3000s", w, form.body)
		}
	}
	key := formKeyRE.FindStringSubmatch(form.body)
	if key == nil {
		t.Fatal("no form_key")
	}
	v := url.Values{"title": {"Compost rota"}, "description": {"Who turns it?"}, "template": {"consent"}, "with_poll": {"on"}, "form_key": {key[1]}}
	first := e.must(e.do(m, "POST", "/groups/"+e.gid+"/threads", v), 303, "submit")
	loc := first.hdr.Get("Location")
	if !strings.HasPrefix(loc, "/threads/") {
		t.Fatalf("redirect to %q", loc)
	}
	tid := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], "/threads/")
	pids := e.pollsOf(tid)
	if len(pids) != 1 {
		t.Fatalf("the thread has %d polls, want 1", len(pids))
	}
	p, err := e.a.Decisions.Get(m.ctx, pids[0])
	if err != nil {
		t.Fatal(err)
	}
	if p.Definition.Title != "Compost rota" || p.Definition.Type != poll.TypeProposal || len(p.Definition.Options) != 2 ||
		p.Definition.Options[0].ID != poll.OptionConsent || p.ThreadID != tid {
		t.Errorf("the poll %+v", p.Definition)
	}
	// The same submit again: the first answer, no second thread.
	again := e.must(e.do(m, "POST", "/groups/"+e.gid+"/threads", v), 303, "retry")
	if again.hdr.Get("Location") != loc {
		t.Errorf("retry went to %q, want %q", again.hdr.Get("Location"), loc)
	}
	if n := e.threadCount(m); n != 1 {
		t.Errorf("%d threads after a retried submit, want 1", n)
	}
	// Unticked: the thread alone.
	v2 := url.Values{"title": {"Just talk"}, "template": {"consent"}, "form_key": {key[1] + "x"}}
	alone := e.must(e.do(m, "POST", "/groups/"+e.gid+"/threads", v2), 303, "thread alone")
	tid2 := strings.TrimPrefix(strings.SplitN(alone.hdr.Get("Location"), "?", 2)[0], "/threads/")
	if n := len(e.pollsOf(tid2)); n != 0 {
		t.Errorf("an unticked poll was opened (%d)", n)
	}
}

// TestThreadWithPollCompensation: when the poll fails after the thread was
// created, the thread is removed again and the form comes back with the
// error and a fresh key; the API answers the error and leaves no thread.
func TestThreadWithPollCompensation(t *testing.T) {
	e, _, m, _ := newPollEnv(t)
	calls := 0
	server.SetThreadPolls(e.a.Server, func(context.Context, decision.CreateInput) (decision.Poll, error) {
		calls++
		return decision.Poll{}, domain.Errorf(domain.Conflict, "the poll store is busy")
	})
	form := e.must(e.do(m, "GET", "/groups/"+e.gid+"/threads/new?template=consensus", nil), 200, "form")
	key := formKeyRE.FindStringSubmatch(form.body)
	if key == nil {
		t.Fatal("no form_key")
	}
	v := url.Values{"title": {"Bees"}, "template": {"consensus"}, "with_poll": {"on"}, "form_key": {key[1]}}
	failed := e.must(e.do(m, "POST", "/groups/"+e.gid+"/threads", v), 409, "poll fails")
	if !strings.Contains(failed.body, "The poll could not be opened, so the thread was not started either") ||
		!strings.Contains(failed.body, `value="Bees"`) {
		t.Errorf("the form does not say what happened: %.3000s", failed.body)
	}
	next := formKeyRE.FindStringSubmatch(failed.body)
	if next == nil || next[1] == key[1] {
		t.Errorf("the form came back without a fresh key")
	}
	if calls != 1 {
		t.Errorf("poll opened %d times", calls)
	}
	if n := e.threadCount(m); n != 0 {
		t.Errorf("%d threads left after the poll failed, want 0", n)
	}
	// Through the API: the same, as problem+json.
	r := e.do(m, "POST", "/api/v1/groups/"+e.gid+"/threads", map[string]any{"title": "Wasps", "poll": map[string]any{"type": "proposal"}})
	if r.code != 409 || !strings.Contains(r.body, "busy") {
		t.Errorf("API: %d %s", r.code, r.body)
	}
	if n := e.threadCount(m); n != 0 {
		t.Errorf("%d threads left after the API poll failed, want 0", n)
	}
}

// TestThreadWithPollAPI: POST .../threads with a poll creates both; a
// poll the decision core would refuse is refused before any thread.
func TestThreadWithPollAPI(t *testing.T) {
	e, _, m, _ := newPollEnv(t)
	r := e.must(e.do(m, "POST", "/api/v1/groups/"+e.gid+"/threads", map[string]any{"title": "Paint",
		"poll": map[string]any{"type": "proposal", "title": "Paint it green", "settings": map[string]any{"closing_at": closing()}}}), 201, "thread with poll")
	got := decodeInto[struct {
		ID   string `json:"id"`
		Poll struct {
			ID       string `json:"id"`
			ThreadID string `json:"thread_id"`
		} `json:"poll"`
	}](t, r)
	if got.ID == "" || got.Poll.ThreadID != got.ID {
		t.Errorf("answer %s", r.body)
	}
	bad := e.do(m, "POST", "/api/v1/groups/"+e.gid+"/threads", map[string]any{"title": "Dots", "poll": map[string]any{"type": "dot_vote"}})
	if bad.code != 400 || !strings.Contains(bad.body, "poll.") {
		t.Errorf("a poll without options: %d %s", bad.code, bad.body)
	}
	if n := e.threadCount(m); n != 1 {
		t.Errorf("%d threads, want 1", n)
	}
	own := e.do(m, "POST", "/api/v1/groups/"+e.gid+"/threads", map[string]any{"title": "X", "poll": map[string]any{"type": "proposal", "thread_id": got.ID}})
	if own.code != 400 {
		t.Errorf("a poll naming its thread: %d", own.code)
	}
}

// TestSaveThreadWithItsPoll: the admin's "save as a template" form of a
// thread offers its poll (ticked); saved with it, the template starts the
// thread with that poll, and the thread form offers it by its title.
func TestSaveThreadWithItsPoll(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	r := e.must(e.do(o, "POST", "/api/v1/groups/"+e.gid+"/threads", map[string]any{"title": "Roof",
		"poll": map[string]any{"type": "proposal", "title": "Fix the roof in May", "settings": map[string]any{"closing_at": closing()}}}), 201, "thread with poll")
	got := decodeInto[struct {
		ID   string              `json:"id"`
		Poll struct{ ID string } `json:"poll"`
	}](t, r)
	page := e.must(e.do(o, "GET", "/groups/"+e.gid+"/templates?from=thread:"+got.ID, nil), 200, "save form")
	if !strings.Contains(page.body, `name="with_poll" value="`+got.Poll.ID+`" checked`) || !strings.Contains(page.body, "Fix the roof in May") {
		t.Fatalf("the save form does not offer the poll: %.4000s", page.body)
	}
	v := url.Values{"from": {"thread:" + got.ID}, "name": {"Roof work"}, "with_poll": {got.Poll.ID}, "closing_days": {"3"}}
	e.must(e.do(o, "POST", "/groups/"+e.gid+"/templates", v), 303, "save")
	list := decodeInto[struct {
		Templates []struct {
			ID          string
			Kind        string
			Name        string
			ClosingDays int `json:"closing_days"`
			Poll        *poll.Definition
		}
	}](t, e.must(e.do(m, "GET", "/api/v1/groups/"+e.gid+"/templates", nil), 200, "list"))
	tp := list.Templates[0]
	if tp.Name != "Roof work" || tp.Kind != "thread" || tp.Poll == nil || tp.Poll.Title != "Fix the roof in May" || tp.ClosingDays != 3 {
		t.Fatalf("saved %+v", tp)
	}
	form := e.must(e.do(m, "GET", "/groups/"+e.gid+"/threads/new?template="+tp.ID, nil), 200, "thread form")
	if !strings.Contains(form.body, "This process also opens a poll: Fix the roof in May (Proposal, closes 3 days after)") {
		t.Errorf("the thread form does not offer the saved poll: %.3000s", form.body)
	}
}
