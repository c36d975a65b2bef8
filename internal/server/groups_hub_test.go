package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/testkit"
)

// Tests of the group page as a hub (tabs, their order and who sees them)
// and of the dashboard's "waiting for your vote", through the whole
// application.

func (e *pollEnv) thread(p *pollPerson, gid, title string) string {
	e.t.Helper()
	r := e.must(e.do(p, "POST", "/api/v1/groups/"+gid+"/threads", map[string]string{"title": title}), 201, "start "+title)
	return decodeInto[struct{ ID string }](e.t, r).ID
}

// pollIn creates a proposal in gid closing after d (0: a draft), with
// extra fields of the body.
func (e *pollEnv) pollIn(p *pollPerson, gid, title string, d time.Duration, extra map[string]any) pollJSON {
	e.t.Helper()
	settings := map[string]any{}
	if d > 0 {
		settings["closing_at"] = time.Now().Add(d).UTC().Format(time.RFC3339)
	}
	body := map[string]any{"type": poll.TypeProposal, "title": title, "settings": settings}
	for k, v := range extra {
		body[k] = v
	}
	return decodeInto[pollJSON](e.t, e.must(e.do(p, "POST", "/api/v1/groups/"+gid+"/polls", body), 201, "create "+title))
}

// inOrder fails unless want appear in body in that order (each after the
// previous).
func inOrder(t *testing.T, what, body string, want ...string) {
	t.Helper()
	rest := body
	for i, w := range want {
		at := strings.Index(rest, w)
		if at < 0 {
			if strings.Contains(body, w) {
				t.Fatalf("%s: %q is not after %q", what, w, want[:i])
			}
			t.Fatalf("%s: %q missing", what, w)
		}
		rest = rest[at+len(w):]
	}
}

func lacks(t *testing.T, what, body string, not ...string) {
	t.Helper()
	for _, n := range not {
		if strings.Contains(body, n) {
			t.Errorf("%s shows %q", what, n)
		}
	}
}

func TestGroupHubTabs(t *testing.T) {
	e, o, m, n := newPollEnv(t)
	older := e.thread(o, e.gid, "Hub older thread")
	newer := e.thread(o, e.gid, "Hub quiet thread")
	e.must(e.do(m, "POST", "/api/v1/threads/"+older+"/comments", map[string]string{"body": "Back to this one"}), 201, "comment")
	late := e.pollIn(o, e.gid, "Hub closes late", 72*time.Hour, nil)
	soon := e.pollIn(o, e.gid, "Hub closes soon", 5*time.Hour+30*time.Minute, nil)
	done := e.pollIn(o, e.gid, "Hub decided", 24*time.Hour, nil)
	e.must(e.do(o, "POST", "/api/v1/polls/"+done.ID+"/close", nil), 200, "close")
	e.must(e.do(o, "PUT", "/api/v1/polls/"+done.ID+"/outcome", `{"statement":"We paint it green."}`), 200, "outcome")
	draft := e.pollIn(o, e.gid, "Hub draft of Olga", 0, nil)
	if draft.Status != "draft" {
		t.Fatalf("draft: %+v", draft)
	}
	page := func(p *pollPerson, q string, want int) string {
		t.Helper()
		return e.must(e.do(p, "GET", "/groups/"+e.gid+q, nil), want, "group page "+q).body
	}

	// Threads (the default tab): by recent activity, with the primary actions
	// and the people.
	body := page(m, "", 200)
	inOrder(t, "threads tab", body, `href="/groups/`+e.gid+`/threads/new">New thread`, `href="/groups/`+e.gid+`/polls/new">New decision`,
		`aria-current="page">Threads`, "Hub older thread", "Hub quiet thread")
	inOrder(t, "faces", body, "Milo Member", "3 members")
	if !strings.Contains(body, `href="/threads/`+newer+`"`) {
		t.Errorf("threads tab lacks the link to the thread")
	}
	lacks(t, "threads tab", body, "Hub closes soon")
	if !strings.Contains(page(m, "?tab=threads", 200), "Hub quiet thread") {
		t.Errorf("?tab=threads")
	}

	// Decisions: open first, the one closing soonest on top, with the time
	// left; then closed with the outcome. Olga's draft only for Olga.
	body = page(m, "?tab=decisions", 200)
	inOrder(t, "decisions tab", body, `aria-current="page">Decisions`, "Hub closes soon", "closes in 5 hours", "Hub closes late",
		"closes in 3 days", "Hub decided", "We paint it green.")
	lacks(t, "a member's decisions tab", body, "Hub draft of Olga", "Hub older thread")
	if !strings.Contains(page(o, "?tab=decisions", 200), "Hub draft of Olga") {
		t.Errorf("the author's decisions tab lacks her draft")
	}

	// Members: everyone with initials; the admin marked.
	body = page(n, "?tab=members", 200)
	inOrder(t, "members tab", body, `aria-current="page">Members`, "Olga Owner", "admin")
	for _, who := range []string{">OO<", ">MM<", ">NM<", "Milo Member", "Nina Member"} {
		if !strings.Contains(body, who) {
			t.Errorf("members tab lacks %q", who)
		}
	}

	// Files: none attached yet; then a thread's attachment, linked.
	body = page(m, "?tab=files", 200)
	if !strings.Contains(body, `aria-current="page">Files`) || !strings.Contains(body, "No files in these threads") {
		t.Errorf("files tab: %.2000s", body)
	}
	withFile, _, _, err := e.a.Discussions.MailStartThread(o.ctx, discussion.StartInput{GroupID: e.gid, Title: "Hub thread with a file"},
		"hub-"+e.tag, []discussion.MailFile{{Name: "minutes.txt", ContentType: "text/plain", Data: []byte("Minutes")}})
	if err != nil || len(withFile.Files) != 1 {
		t.Fatalf("thread with a file: %+v %v", withFile, err)
	}
	body = page(m, "?tab=files", 200)
	inOrder(t, "files tab", body, `aria-current="page">Files`, `href="/threads/`+withFile.ID+`/files/`+withFile.Files[0].ID+`">minutes.txt`,
		`href="/threads/`+withFile.ID+`">Hub thread with a file`)

	// An unknown tab is a 400, not a 500 or an empty page.
	page(m, "?tab=secrets", 400)
	page(m, "?tab=threads&limit=0", 400)

	// Someone outside the closed group, anonymous visitors and a guest of
	// one thread see the group's name but no tab, thread or decision.
	g := e.person("Gus Guest")
	if err := e.a.Discussions.AddGuest(o.ctx, older, g.id); err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]*pollPerson{"outsider": e.person("Otto Outsider"), "anonymous": nil, "guest": g} {
		r := e.do(p, "GET", "/groups/"+e.gid, nil)
		if r.code != 200 {
			t.Fatalf("%s: %d", name, r.code)
		}
		lacks(t, name+"'s group page", r.body, "Hub quiet thread", "Hub older thread", "Hub closes soon", "Hub decided",
			"New thread", "New decision", `aria-current="page"`, "Nina Member", "minutes.txt")
		for _, tab := range []string{"threads", "decisions", "members", "files"} {
			if r := e.do(p, "GET", "/groups/"+e.gid+"?tab="+tab, nil); r.code != 200 || strings.Contains(r.body, "Hub quiet thread") ||
				strings.Contains(r.body, "Hub decided") || strings.Contains(r.body, "Nina Member") {
				t.Errorf("%s asks for the %s tab: %d", name, tab, r.code)
			}
		}
	}
	_ = soon
	_ = late
}

// The "more" link pages through a tab: the second page has what the first
// left out.
func TestGroupHubMorePaging(t *testing.T) {
	e, o, _, _ := newPollEnv(t)
	for i := 0; i < 22; i++ {
		e.thread(o, e.gid, fmt.Sprintf("Paged thread %02d", i))
	}
	first := e.must(e.do(o, "GET", "/groups/"+e.gid, nil), 200, "first page").body
	if c := strings.Count(first, `class="thread-row"`); c != 20 {
		t.Fatalf("first page shows %d threads, want 20", c)
	}
	i := strings.Index(first, `href="/groups/`+e.gid+`?tab=threads&amp;cursor=`)
	if i < 0 {
		t.Fatalf("no more link")
	}
	link := first[i+len(`href="`):]
	link = strings.ReplaceAll(link[:strings.Index(link, `"`)], "&amp;", "&")
	second := e.must(e.do(o, "GET", link, nil), 200, "second page").body
	if c := strings.Count(second, `class="thread-row"`); c != 2 || !strings.Contains(second, "Paged thread 00") ||
		!strings.Contains(second, "Paged thread 01") || strings.Contains(second, "?tab=threads&amp;cursor=") {
		t.Fatalf("second page: %d threads", c)
	}
	if strings.Contains(first, "Paged thread 00") {
		t.Errorf("the oldest thread is on the first page")
	}
}

// GroupHubMaxCalls bounds the DynamoDB calls of one tab of the group page
// in the full application, whatever the size of the group (measured: 9 for
// the threads, decisions and files tabs, 7 for members): the session and
// the nav's unread count (2), the group with the viewer's membership (1),
// its subgroups (1), the people shown at the top (3: the group's facts, a
// page of members, their names) and the tab's page (2: the query, then the
// viewer's read marks or the closed polls' outcomes; the policy's facts are
// read once per request).
const GroupHubMaxCalls = 9

func TestGroupHubCallsAreBounded(t *testing.T) {
	logs := &testkit.RequestLog{}
	e, o, m, _ := newPollEnvLog(t, logging.New(logs, "info"))
	calls := func(q string) float64 {
		t.Helper()
		e.must(e.do(m, "GET", "/groups/"+e.gid+q, nil), 200, "group page "+q)
		line := logs.Last()
		if line["route"] != "GET /groups/{id}" {
			t.Fatalf("last request line %v", line)
		}
		return line["ddb_calls"].(float64)
	}
	tabs := []string{"?tab=threads", "?tab=decisions", "?tab=members", "?tab=files"}
	measure := func() []float64 {
		out := make([]float64, len(tabs))
		for i, q := range tabs {
			calls(q) // the first read of a thread list marks nothing; read twice so both readings are alike
			out[i] = calls(q)
		}
		return out
	}
	grow := func(threads, polls, members int) {
		for i := 0; i < threads; i++ {
			e.thread(o, e.gid, fmt.Sprintf("Cost thread %d", i))
		}
		for i := 0; i < polls; i++ {
			p := e.pollIn(o, e.gid, fmt.Sprintf("Cost poll %d", i), time.Duration(i+1)*time.Hour, nil)
			if i%2 == 0 {
				e.must(e.do(o, "POST", "/api/v1/polls/"+p.ID+"/close", nil), 200, "close")
				e.must(e.do(o, "PUT", "/api/v1/polls/"+p.ID+"/outcome", `{"statement":"Done."}`), 200, "outcome")
			}
		}
		link, err := e.a.Groups.JoinLink(o.ctx, e.gid)
		if err != nil {
			t.Fatal(err)
		}
		tok := link[strings.LastIndex(link, "/join/")+len("/join/"):]
		for i := 0; i < members; i++ {
			u, err := e.a.Accounts.CreateUser(context.Background(), fmt.Sprintf("cost-%d-%d-%s@example.org", logs.Len(), i, e.tag), fmt.Sprint("Cost member ", i))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.a.Groups.JoinViaLink(authz.WithActor(context.Background(), authz.Actor{Kind: authz.User, UserID: u.ID}), tok); err != nil {
				t.Fatal(err)
			}
		}
	}
	grow(2, 2, 0)
	small := measure()
	grow(40, 30, 60)
	big := measure()
	t.Logf("group page DynamoDB calls per tab %v: %v small, %v big", tabs, small, big)
	for i := range tabs {
		if big[i] != small[i] || big[i] > GroupHubMaxCalls {
			t.Errorf("%s: %v calls with a big group, %v with a small one; want the same and at most %d", tabs[i], big[i], small[i], GroupHubMaxCalls)
		}
	}
}

// The dashboard lists first the open polls waiting for the viewer's vote,
// the one closing soonest first; a poll they voted in, a closed one, a
// draft, a poll with a list of voters they are not on and a poll of a group
// they are not in never show.
func TestDashboardWaitingForYourVote(t *testing.T) {
	e, o, m, n := newPollEnv(t)
	e.thread(o, e.gid, "Dashboard thread")
	late := e.pollIn(o, e.gid, "Vote late", 72*time.Hour, nil)
	soon := e.pollIn(o, e.gid, "Vote soon", 3*time.Hour+10*time.Minute, nil)
	closed := e.pollIn(o, e.gid, "Vote closed", 24*time.Hour, nil)
	e.must(e.do(o, "POST", "/api/v1/polls/"+closed.ID+"/close", nil), 200, "close")
	e.pollIn(o, e.gid, "Vote draft", 0, nil)
	e.pollIn(o, e.gid, "Vote for Nina only", 24*time.Hour, map[string]any{"voters": []string{n.id},
		"settings": map[string]any{"specified_voters_only": true, "closing_at": time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)}})
	other, err := e.a.Groups.Create(o.ctx, group.CreateInput{Name: "Olga's secret " + e.tag, Privacy: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	e.pollIn(o, other.ID, "Vote in secret", 24*time.Hour, nil)

	dash := func(p *pollPerson) string { return e.must(e.do(p, "GET", "/dashboard", nil), 200, "dashboard").body }
	body := dash(m)
	inOrder(t, "Milo's dashboard", body, "Waiting for your vote", "Vote soon", "closes in 3 hours", "Vote late", "closes in 3 days",
		"Recent threads", "Dashboard thread")
	lacks(t, "Milo's dashboard", body, "Vote closed", "Vote draft", "Vote for Nina only", "Vote in secret")
	if !strings.Contains(dash(n), "Vote for Nina only") {
		t.Errorf("Nina's dashboard lacks the poll she is a voter of")
	}
	if !strings.Contains(dash(o), "Vote in secret") {
		t.Errorf("Olga's dashboard lacks the poll of her secret group")
	}

	// Voting takes a poll off the list; closing it takes it off for all.
	e.must(e.do(m, "PUT", "/api/v1/polls/"+soon.ID+"/ballot", validBallot(soon.Definition)), 201, "vote")
	body = dash(m)
	lacks(t, "Milo's dashboard after voting", body, "Vote soon")
	if !strings.Contains(body, "Vote late") {
		t.Errorf("the other poll left too")
	}
	e.must(e.do(o, "POST", "/api/v1/polls/"+late.ID+"/close", nil), 200, "close")
	lacks(t, "Milo's dashboard after the close", dash(m), "Vote late", "Waiting for your vote")
	if !strings.Contains(dash(n), "Vote soon") {
		t.Errorf("Nina has not voted: Vote soon should still wait for her")
	}

	// A thread guest is not asked to vote in the group's polls, and a new
	// person keeps the first steps.
	g := e.person("Gus Guest")
	th, err := e.a.Discussions.StartThread(o.ctx, discussion.StartInput{GroupID: e.gid, Title: "Guest thread"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.a.Discussions.AddGuest(o.ctx, th.ID, g.id); err != nil {
		t.Fatal(err)
	}
	body = dash(g)
	lacks(t, "the guest's dashboard", body, "Waiting for your vote", "Vote soon")
	if !strings.Contains(body, "Guest thread") {
		t.Errorf("the guest's dashboard lacks their thread")
	}
	body = dash(e.person("Nia Newcomer"))
	if !strings.Contains(body, "Get started") || strings.Contains(body, "Waiting for your vote") {
		t.Errorf("a new person's dashboard: %.1500s", body)
	}
}
