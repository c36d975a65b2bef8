package server

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/render/rendertest"
	"github.com/quorum-app/quorum/internal/testkit"

	"golang.org/x/net/html"

	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/store"
)

// newDiscussionHarness serves the group and discussion routes with the
// actor named by X-Test-User, like the group harness.
func newDiscussionHarness(t *testing.T) *groupHarness {
	t.Helper()
	return newDiscussionHarnessLog(t, logging.New(testLogWriter{t}, "warn"))
}

func newDiscussionHarnessLog(t *testing.T, logs *slog.Logger) *groupHarness {
	t.Helper()
	return newHarness(t, harness{logs: logs, routes: func(s *Server) []Route {
		home := Route{Pattern: "GET /{$}", Access: Public, Page: true, Handler: s.pages.Home}
		return append(append(append(s.groupRoutes(), s.discussionRoutes()...), s.tagRoutes()...), home)
	}})
}

func TestDiscussionRoutesDeclareAccess(t *testing.T) {
	s := &Server{}
	seen := map[string]bool{}
	for _, rt := range s.discussionRoutes() {
		if rt.Access == "" || rt.Handler == nil || seen[rt.Pattern] {
			t.Errorf("route %q: access %q, duplicate %v", rt.Pattern, rt.Access, seen[rt.Pattern])
		}
		seen[rt.Pattern] = true
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if strings.HasPrefix(path, "/api/") == rt.Page {
			t.Errorf("route %q: Page=%v", rt.Pattern, rt.Page)
		}
		if method != "GET" && rt.Access == Public {
			t.Errorf("route %q changes state but is public", rt.Pattern)
		}
		if rt.Page && method != "GET" && rt.Access != Session {
			t.Errorf("page form %q must be a Session route", rt.Pattern)
		}
	}
}

// join makes uid a member of the open group gid through the API.
func (g *groupHarness) join(uid, gid string) {
	g.t.Helper()
	g.json(g.do(uid, "POST", "/api/v1/groups/"+gid+"/join", ""), 200, nil)
}

func (g *groupHarness) startThread(as, gid, title, desc string) discussion.Thread {
	g.t.Helper()
	var th discussion.Thread
	body, _ := json.Marshal(map[string]string{"title": title, "description": desc})
	g.json(g.do(as, "POST", "/api/v1/groups/"+gid+"/threads", string(body)), 201, &th)
	return th
}

func (g *groupHarness) postComment(as, tid, parent, text string) discussion.Item {
	g.t.Helper()
	var it discussion.Item
	body, _ := json.Marshal(map[string]string{"body": text, "parent_id": parent})
	g.json(g.do(as, "POST", "/api/v1/threads/"+tid+"/comments", string(body)), 201, &it)
	g.drain() // its fan-out job (mentions, followers), as the stream's consumer would within seconds
	return it
}

var testPNG = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)

func presignedPut(t *testing.T, req blob.PresignedRequest, body []byte) int {
	t.Helper()
	r, _ := http.NewRequest(req.Method, req.URL, bytes.NewReader(body))
	for k, v := range req.Headers {
		r.Header.Set(k, v)
	}
	r.ContentLength = int64(len(body))
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestDiscussionAPIFlow(t *testing.T) {
	g := newDiscussionHarness(t)
	alice, bob, eve := g.user("Alice"), g.user("Bob"), g.user("Eve")
	grp := g.createGroup(alice, "Allotment "+g.tag, "closed")
	// Bob joins with the join link (closed group).
	var link struct{ URL string }
	g.json(g.do(alice, "GET", "/api/v1/groups/"+grp.ID+"/join-link", ""), 200, &link)
	g.json(g.do(bob, "POST", "/api/v1/join/"+link.URL[strings.LastIndex(link.URL, "/")+1:], ""), 200, nil)

	th := g.startThread(alice, grp.ID, "Compost rota", "Who turns the *heap*?")
	if th.Version != 1 || !strings.Contains(string(th.HTML), "<em>heap</em>") {
		t.Fatalf("thread %+v", th)
	}
	// Bob was told about the new thread.
	g.drain()
	var n struct{ Unread int64 }
	g.json(g.do(bob, "GET", "/api/v1/notifications/unread-count", ""), 200, &n)
	if n.Unread != 1 {
		t.Fatalf("bob unread %d", n.Unread)
	}

	// Outsiders of a closed group are refused (it is no secret that it exists).
	g.json(g.do(eve, "GET", "/api/v1/threads/"+th.ID, ""), 403, nil)
	// A secret group's thread is 404 to outsiders, the same as a missing one.
	sec := g.createGroup(alice, "Hush "+g.tag, "secret")
	sth := g.startThread(alice, sec.ID, "Surprise party", "")
	hidden := g.do(eve, "GET", "/api/v1/threads/"+sth.ID, "")
	missing := g.do(eve, "GET", "/api/v1/threads/nosuchthread1234", "")
	norm := func(rec *httptest.ResponseRecorder, id string) string {
		return regexp.MustCompile(`"request_id":"[^"]*"`).ReplaceAllString(strings.ReplaceAll(rec.Body.String(), id, "{id}"), "")
	}
	if hidden.Code != 404 || missing.Code != 404 || norm(hidden, sth.ID) != norm(missing, "nosuchthread1234") {
		t.Fatalf("hidden %d %s vs missing %d %s", hidden.Code, hidden.Body, missing.Code, missing.Body)
	}

	// Comments, a mention, a reply.
	c1 := g.postComment(bob, th.ID, "", "I can do Mondays, @Alice.")
	var notes store.Page[notify.Notification]
	g.json(g.do(alice, "GET", "/api/v1/notifications", ""), 200, &notes)
	if len(notes.Items) != 1 || notes.Items[0].Kind != notify.Mention || notes.Items[0].CommentID != c1.ID {
		t.Fatalf("alice notifications %+v", notes.Items)
	}
	g.json(g.do(alice, "POST", "/api/v1/notifications/"+notes.Items[0].ID+"/read", ""), 204, nil)
	g.json(g.do(alice, "POST", "/api/v1/notifications/nosuch/read", ""), 404, nil)
	r1 := g.postComment(alice, th.ID, c1.ID, "Thanks!")
	if r1.ParentID != c1.ID || r1.Depth != 2 {
		t.Fatalf("reply %+v", r1)
	}
	r2 := g.postComment(bob, th.ID, r1.ID, "Deeper") // attaches to the deepest allowed parent
	if r2.ParentID != c1.ID || r2.Depth != 2 {
		t.Fatalf("deep reply %+v", r2)
	}

	// Edit with version; a stale version is 409; history keeps the old text.
	var ed discussion.Item
	g.json(g.do(bob, "PATCH", "/api/v1/threads/"+th.ID+"/comments/"+c1.ID, `{"body":"Mondays and Fridays, @Alice.","version":1}`), 200, &ed)
	g.json(g.do(bob, "PATCH", "/api/v1/threads/"+th.ID+"/comments/"+c1.ID, `{"body":"again","version":1}`), 409, nil)
	g.json(g.do(alice, "PATCH", "/api/v1/threads/"+th.ID+"/comments/"+c1.ID, `{"body":"not mine","version":2}`), 403, nil)
	var hist struct{ Items []discussion.Edit }
	g.json(g.do(alice, "GET", "/api/v1/threads/"+th.ID+"/comments/"+c1.ID+"/history", ""), 200, &hist)
	if len(hist.Items) != 1 || hist.Items[0].Before["body"] != "I can do Mondays, @Alice." {
		t.Fatalf("comment history %+v", hist.Items)
	}
	var th2 discussion.Thread
	g.json(g.do(alice, "PATCH", "/api/v1/threads/"+th.ID, `{"title":"Compost rota 2026","version":1}`), 200, &th2)
	g.json(g.do(alice, "GET", "/api/v1/threads/"+th.ID+"/history", ""), 200, &hist)
	if len(hist.Items) != 1 || hist.Items[0].After["title"] != "Compost rota 2026" {
		t.Fatalf("thread history %+v", hist.Items)
	}

	// Reactions: one of each kind per person.
	g.json(g.do(alice, "PUT", "/api/v1/threads/"+th.ID+"/comments/"+c1.ID+"/reactions/heart", ""), 204, nil)
	g.json(g.do(alice, "PUT", "/api/v1/threads/"+th.ID+"/comments/"+c1.ID+"/reactions/heart", ""), 204, nil)
	g.json(g.do(alice, "PUT", "/api/v1/threads/"+th.ID+"/comments/"+c1.ID+"/reactions/poop", ""), 400, nil)
	var page discussion.ThreadPage
	g.json(g.do(bob, "GET", "/api/v1/threads/"+th.ID+"/timeline", ""), 200, &page)
	var found bool
	for _, it := range page.Items {
		if it.ID == c1.ID {
			found = len(it.Reactions) == 1 && it.Reactions[0].Count == 1 && !it.Reactions[0].Mine
		}
	}
	if !found {
		t.Fatalf("reactions on %+v", page.Items)
	}
	// Reactions on the thread itself, in the thread's JSON.
	g.json(g.do(bob, "PUT", "/api/v1/threads/"+th.ID+"/reactions/rocket", ""), 204, nil)
	g.json(g.do(alice, "PUT", "/api/v1/threads/"+th.ID+"/reactions/rocket", ""), 204, nil)
	g.json(g.do(alice, "DELETE", "/api/v1/threads/"+th.ID+"/reactions/rocket", ""), 204, nil)
	g.json(g.do(bob, "PUT", "/api/v1/threads/"+th.ID+"/reactions/poop", ""), 400, nil)
	var rth discussion.Thread
	g.json(g.do(bob, "GET", "/api/v1/threads/"+th.ID, ""), 200, &rth)
	if len(rth.Reactions) != 1 || rth.Reactions[0].Name != "rocket" || rth.Reactions[0].Count != 1 || !rth.Reactions[0].Mine {
		t.Fatalf("thread reactions %+v", rth.Reactions)
	}

	// The timeline pages with a signed cursor; a tampered one is 400.
	g.json(g.do(bob, "GET", "/api/v1/threads/"+th.ID+"/timeline?limit=2", ""), 200, &page)
	if len(page.Items) != 2 || page.Next == "" {
		t.Fatalf("first page %d items, next %q", len(page.Items), page.Next)
	}
	next := page.Next
	g.json(g.do(bob, "GET", "/api/v1/threads/"+th.ID+"/timeline?limit=2&cursor="+url.QueryEscape(next), ""), 200, &page)
	g.json(g.do(bob, "GET", "/api/v1/threads/"+th.ID+"/timeline?cursor="+url.QueryEscape(next[:len(next)-2]+"xx"), ""), 400, nil)
	g.json(g.do(bob, "GET", "/api/v1/groups/"+grp.ID+"/threads?cursor=garbage", ""), 400, nil)

	// Deleting a comment with replies leaves a tombstone.
	g.json(g.do(bob, "DELETE", "/api/v1/threads/"+th.ID+"/comments/"+c1.ID, ""), 204, nil)
	page = discussion.ThreadPage{}
	g.json(g.do(bob, "GET", "/api/v1/threads/"+th.ID+"/timeline", ""), 200, &page)
	for _, it := range page.Items {
		if it.ID == c1.ID && (!it.Deleted || it.Body != "" || it.ActorID != "") {
			t.Fatalf("tombstone %+v", it)
		}
	}

	// Closed threads refuse comments with 409; reopen; pin; list.
	g.json(g.do(bob, "POST", "/api/v1/threads/"+th.ID+"/close", ""), 403, nil)
	g.json(g.do(alice, "POST", "/api/v1/threads/"+th.ID+"/close", ""), 200, nil)
	rec := g.do(bob, "POST", "/api/v1/threads/"+th.ID+"/comments", `{"body":"late"}`)
	if rec.Code != 409 || rec.Header().Get("Content-Type") != "application/problem+json" || !strings.Contains(rec.Body.String(), "closed") {
		t.Fatalf("comment on closed thread: %d %s", rec.Code, rec.Body)
	}
	g.json(g.do(alice, "POST", "/api/v1/threads/"+th.ID+"/close", ""), 409, nil)
	g.json(g.do(alice, "POST", "/api/v1/threads/"+th.ID+"/reopen", ""), 200, nil)
	other := g.startThread(bob, grp.ID, "Seed swap", "")
	g.json(g.do(bob, "PUT", "/api/v1/threads/"+th.ID+"/pin", ""), 403, nil)
	g.json(g.do(alice, "PUT", "/api/v1/threads/"+th.ID+"/pin", ""), 200, nil)
	var list store.Page[discussion.Thread]
	g.json(g.do(bob, "GET", "/api/v1/groups/"+grp.ID+"/threads", ""), 200, &list)
	if len(list.Items) != 2 || list.Items[0].ID != th.ID || !list.Items[0].Pinned {
		t.Fatalf("list %+v", list.Items)
	}
	g.json(g.do(alice, "DELETE", "/api/v1/threads/"+th.ID+"/pin", ""), 200, nil)
	g.json(g.do(bob, "POST", "/api/v1/threads/"+th.ID+"/read", ""), 200, nil)
	var dash struct{ Items []discussion.Thread }
	g.json(g.do(bob, "GET", "/api/v1/dashboard", ""), 200, &dash)
	if len(dash.Items) != 2 {
		t.Fatalf("dashboard %+v", dash.Items)
	}
	g.json(g.do("", "GET", "/api/v1/dashboard", ""), 401, nil)

	// Notification levels.
	g.json(g.do(bob, "PUT", "/api/v1/threads/"+th.ID+"/notification-level", `{"level":"loud"}`), 200, nil)
	g.json(g.do(bob, "PUT", "/api/v1/groups/"+grp.ID+"/notification-level", `{"level":"quiet"}`), 200, nil)
	g.json(g.do(bob, "PUT", "/api/v1/groups/"+grp.ID+"/notification-level", `{"level":"shouty"}`), 400, nil)
	g.json(g.do(eve, "PUT", "/api/v1/groups/"+grp.ID+"/notification-level", `{"level":"loud"}`), 403, nil)

	// Attachments: presigned PUT, confirm, download for viewers only.
	var up discussion.PendingUpload
	g.json(g.do(alice, "POST", "/api/v1/threads/"+th.ID+"/attachments",
		`{"name":"plan.png","content_type":"image/png","size":`+itoa(len(testPNG))+`}`), 201, &up)
	if up.Put.Headers["X-Amz-Server-Side-Encryption"] != "aws:kms" {
		t.Fatalf("the presigned PUT does not sign SSE-KMS: %+v", up.Put.Headers)
	}
	g.json(g.do(alice, "POST", "/api/v1/threads/"+th.ID+"/attachments/"+up.FileID+"/confirm", ""), 409, nil) // not uploaded yet
	if st := presignedPut(t, up.Put, testPNG); st != 200 {
		t.Fatalf("PUT %d", st)
	}
	g.json(g.do(alice, "POST", "/api/v1/threads/"+th.ID+"/attachments/"+up.FileID+"/confirm", ""), 200, nil)
	g.json(g.do(bob, "POST", "/api/v1/threads/"+th.ID+"/attachments", `{"name":"x.exe","content_type":"application/x-msdownload","size":10}`), 403, nil)
	g.json(g.do(alice, "POST", "/api/v1/threads/"+th.ID+"/attachments", `{"name":"x.exe","content_type":"application/x-msdownload","size":10}`), 400, nil)
	for _, path := range []string{"/api/v1/threads/" + th.ID + "/attachments/" + up.FileID, "/threads/" + th.ID + "/files/" + up.FileID} {
		rec := g.do(bob, "GET", path, "")
		if rec.Code != 303 || rec.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("download %s: %d", path, rec.Code)
		}
		resp, err := http.Get(rec.Header().Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Equal(got, testPNG) {
			t.Fatalf("presigned GET %d", resp.StatusCode)
		}
		// Eve is no member of this closed group: refused, and no URL.
		if rec := g.do(eve, "GET", path, ""); rec.Code != 403 || rec.Header().Get("Location") != "" {
			t.Fatalf("outsider download %s: %d", path, rec.Code)
		}
	}

	// Guests: Eve is invited to this one thread by email.
	g.json(g.do(eve, "POST", "/api/v1/threads/"+th.ID+"/guests", `{"email":"`+g.email(eve)+`"}`), 403, nil)
	g.json(g.do(alice, "POST", "/api/v1/threads/"+th.ID+"/guests", `{"email":"nobody-`+g.tag+`@example.org"}`), 400, nil)
	g.json(g.do(alice, "POST", "/api/v1/threads/"+th.ID+"/guests", `{"email":"`+g.email(eve)+`"}`), 201, nil)
	g.json(g.do(eve, "GET", "/api/v1/threads/"+th.ID, ""), 200, nil)
	g.postComment(eve, th.ID, "", "Hello from a guest")
	g.json(g.do(eve, "GET", "/api/v1/threads/"+other.ID, ""), 403, nil) // closed group: not a member
	g.json(g.do(eve, "GET", "/api/v1/groups/"+grp.ID+"/threads", ""), 403, nil)
	g.json(g.do(alice, "DELETE", "/api/v1/threads/"+th.ID+"/guests/"+eve, ""), 204, nil)
	g.json(g.do(eve, "GET", "/api/v1/threads/"+th.ID, ""), 403, nil)

	// Delete: gone for everyone.
	g.json(g.do(bob, "DELETE", "/api/v1/threads/"+th.ID, ""), 403, nil)
	g.json(g.do(alice, "DELETE", "/api/v1/threads/"+th.ID, ""), 204, nil)
	g.json(g.do(alice, "GET", "/api/v1/threads/"+th.ID, ""), 404, nil)
	g.json(g.do(alice, "POST", "/api/v1/notifications/read-all", ""), 204, nil)
	g.json(g.do(alice, "GET", "/api/v1/notifications/unread-count", ""), 200, &n)
	if n.Unread != 0 {
		t.Fatalf("after read-all: %d", n.Unread)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// Bad input is a 4xx with a problem body, never a 500.
func TestDiscussionBadInputIs4xx(t *testing.T) {
	g := newDiscussionHarness(t)
	alice := g.user("Alice")
	grp := g.createGroup(alice, "Bad input "+g.tag, "open")
	th := g.startThread(alice, grp.ID, "Input", "")
	c := g.postComment(alice, th.ID, "", "first")
	big := `{"body":"` + strings.Repeat("x", httpx.MaxJSONBody) + `"}`
	cases := []struct {
		name, method, path, body string
		want                     int
	}{
		{"oversize", "POST", "/api/v1/threads/" + th.ID + "/comments", big, 413},
		{"unknown field", "POST", "/api/v1/threads/" + th.ID + "/comments", `{"body":"x","bold":true}`, 400},
		{"invalid UTF-8", "POST", "/api/v1/threads/" + th.ID + "/comments", "{\"body\":\"\xff\xfe\"}", 400},
		{"not JSON", "POST", "/api/v1/groups/" + grp.ID + "/threads", `title=x`, 400},
		{"wrong type", "PATCH", "/api/v1/threads/" + th.ID, `{"title":"x","version":"1"}`, 400},
		{"missing version", "PATCH", "/api/v1/threads/" + th.ID, `{"title":"x"}`, 400},
		{"empty title", "POST", "/api/v1/groups/" + grp.ID + "/threads", `{"title":"   "}`, 400},
		{"long title", "POST", "/api/v1/groups/" + grp.ID + "/threads", `{"title":"` + strings.Repeat("t", 201) + `"}`, 400},
		{"only control and invisible chars", "POST", "/api/v1/groups/" + grp.ID + "/threads", `{"title":"\u0007\u202e\u200b"}`, 400},
		{"empty comment", "POST", "/api/v1/threads/" + th.ID + "/comments", `{"body":""}`, 400},
		{"unknown parent", "POST", "/api/v1/threads/" + th.ID + "/comments", `{"body":"x","parent_id":"zzzzzzzzzzzzzzzzzzzzzzzz"}`, 404},
		{"tampered timeline cursor", "GET", "/api/v1/threads/" + th.ID + "/timeline?cursor=0000000000000000aaaaaaaa.forged", "", 400},
		{"cursor of another thread", "GET", "/api/v1/threads/" + th.ID + "/timeline?cursor=" + c.ID + ".x", "", 400},
		{"invalid UTF-8 cursor", "GET", "/api/v1/groups/" + grp.ID + "/threads?cursor=%ff", "", 400},
		{"bad limit", "GET", "/api/v1/groups/" + grp.ID + "/threads?limit=0", "", 400},
		{"huge limit", "GET", "/api/v1/threads/" + th.ID + "/timeline?limit=99999", "", 400},
		{"bad notification cursor", "GET", "/api/v1/notifications?cursor=abc", "", 400},
		{"bad reaction", "PUT", "/api/v1/threads/" + th.ID + "/comments/" + c.ID + "/reactions/%3Cscript%3E", "", 400},
		{"bad comment id", "PATCH", "/api/v1/threads/" + th.ID + "/comments/..%2f..", `{"body":"x","version":1}`, 404},
		{"bad thread id", "GET", "/api/v1/threads/%00%01", "", 404},
		{"bad level", "PUT", "/api/v1/threads/" + th.ID + "/notification-level", `{"level":""}`, 400},
		{"negative size", "POST", "/api/v1/threads/" + th.ID + "/attachments", `{"name":"a.png","content_type":"image/png","size":-1}`, 400},
		{"huge size", "POST", "/api/v1/threads/" + th.ID + "/attachments", `{"name":"a.png","content_type":"image/png","size":99999999999}`, 400},
		{"unknown file", "GET", "/api/v1/threads/" + th.ID + "/attachments/nosuchfile", "", 404},
		{"guest both", "POST", "/api/v1/threads/" + th.ID + "/guests", `{"email":"a@b.c","user_id":"u1"}`, 400},
		{"form: wrong content type", "POST", "/threads/" + th.ID + "/comments", "", 415},
		{"form: invalid UTF-8", "POST", "/threads/" + th.ID + "/comments", "body=%ff%fe", 400},
		{"form: tampered page cursor", "GET", "/threads/" + th.ID + "?cursor=forged", "", 400},
		{"form: bad reaction", "POST", "/threads/" + th.ID + "/comments/" + c.ID + "/react", "name=nope&on=1", 400},
		{"form: bad level", "POST", "/threads/" + th.ID + "/notification-level", "level=yelling", 400},
	}
	for _, tc := range cases {
		hdr := []string{}
		if tc.name == "form: wrong content type" {
			hdr = []string{"Content-Type", "multipart/form-data; boundary=x"}
		}
		rec := g.do(alice, tc.method, tc.path, tc.body, hdr...)
		if rec.Code != tc.want {
			t.Errorf("%s: %d, want %d: %.300s", tc.name, rec.Code, tc.want, rec.Body)
		}
		if strings.HasPrefix(tc.path, "/api/") && rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: content type %q", tc.name, rec.Header().Get("Content-Type"))
		}
	}
}

// The pages, without JavaScript: forms post and redirect back; errors are
// shown next to the form.
func TestDiscussionPagesFlow(t *testing.T) {
	g := newDiscussionHarness(t)
	alice, bob, eve := g.user("Alice"), g.user("Bob"), g.user("Eve")
	grp := g.createGroup(alice, "Choir "+g.tag, "open")
	g.join(bob, grp.ID)
	form := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	page := func(as, path string, want int, contains ...string) string {
		t.Helper()
		rec := g.do(as, "GET", path, "")
		if rec.Code != want {
			t.Fatalf("GET %s: %d, want %d: %.500s", path, rec.Code, want, rec.Body)
		}
		for _, c := range contains {
			if !strings.Contains(rec.Body.String(), c) {
				t.Fatalf("GET %s does not show %q: %s", path, c, rec.Body)
			}
		}
		return rec.Body.String()
	}
	post := func(as, path, body string, want int) *httptest.ResponseRecorder {
		t.Helper()
		rec := g.do(as, "POST", path, body)
		if rec.Code != want {
			t.Fatalf("POST %s: %d, want %d: %.800s", path, rec.Code, want, rec.Body)
		}
		return rec
	}

	page(alice, "/groups/"+grp.ID+"/threads", 200, "No threads yet", "New thread")
	page(alice, "/groups/"+grp.ID+"/threads/new", 200, `name="title"`)
	// A form error re-renders the form with the message.
	rec := post(alice, "/groups/"+grp.ID+"/threads", form("title", "", "description", "kept"), 400)
	if !strings.Contains(rec.Body.String(), "Please correct the following") || !strings.Contains(rec.Body.String(), "kept") {
		t.Fatalf("form error page: %s", rec.Body)
	}
	rec = post(alice, "/groups/"+grp.ID+"/threads", form("title", "Spring concert", "description", "Set list **draft**"), 303)
	loc := rec.Header().Get("Location")
	tid := strings.TrimPrefix(strings.Split(loc, "?")[0], "/threads/")
	body := page(alice, loc, 200, "Spring concert", "<strong>draft</strong>", "Your thread is started", "Close thread", "Attach file")
	if !strings.Contains(body, `class="card user-content description"`) {
		t.Fatal("the thread's description has no card")
	}
	// A thread without a description shows no empty card.
	rec = post(alice, "/groups/"+grp.ID+"/threads", form("title", "Tuning", "description", ""), 303)
	if body := page(alice, rec.Header().Get("Location"), 200, "Tuning"); strings.Contains(body, `class="card user-content description"`) {
		t.Fatal("a thread without a description shows an empty description card")
	}
	page(bob, "/groups/"+grp.ID+"/threads", 200, "Spring concert")
	// Anonymous visitors read an open group's thread, without forms.
	body = page("", "/threads/"+tid, 200, "Spring concert", "Sign in</a> to take part")
	if strings.Contains(body, `action="/threads/`+tid+`/comments"`) {
		t.Fatal("anonymous visitors get a comment form")
	}
	post(bob, "/threads/"+tid+"/comments", form("body", ""), 400)
	rec = post(bob, "/threads/"+tid+"/comments", form("body", "I'll bring the *scores*, @Alice"), 303)
	g.drain() // the mention is resolved by the comment's fan-out job
	page(alice, "/groups/"+grp.ID+"/threads", 200, "1 new")
	cid := rec.Header().Get("Location")[strings.Index(rec.Header().Get("Location"), "#c-")+3:]
	body = page(alice, "/threads/"+tid, 200, "<em>scores</em>", `id="c-`+cid+`"`, "Post reply", "Reply")
	if strings.Contains(body, `/comments/`+cid+`/edit"`) {
		t.Fatal("alice may edit bob's comment (admins may not edit content by default)")
	}
	// Reply, react, edit, history.
	post(alice, "/threads/"+tid+"/comments", form("body", "Lovely", "parent_id", cid), 303)
	post(alice, "/threads/"+tid+"/comments/"+cid+"/react", form("name", "tada", "on", "1"), 303)
	page(alice, "/threads/"+tid, 200, `aria-pressed="true"`, "celebrate: 1, including you", "Lovely", `class="replies"`)
	// React to the thread itself: back to its bar, under the description.
	rec = post(bob, "/threads/"+tid+"/react", form("name", "eyes", "on", "1"), 303)
	if loc := rec.Header().Get("Location"); loc != "/threads/"+tid+"#reactions-thread" {
		t.Fatalf("thread react redirect %q", loc)
	}
	post(bob, "/threads/"+tid+"/react", form("name", "nope", "on", "1"), 400)
	page(bob, "/threads/"+tid, 200, `id="reactions-thread"`, "looking: 1, including you", `action="/threads/`+tid+`/react"`)
	page(alice, "/threads/"+tid, 200, `aria-label="looking: 1"`)
	page(bob, "/threads/"+tid+"/comments/"+cid+"/edit", 200, "I&#39;ll bring")
	page(alice, "/threads/"+tid+"/comments/"+cid+"/edit", 403)
	post(bob, "/threads/"+tid+"/comments/"+cid+"/edit", form("body", "stale", "version", "7"), 409)
	post(bob, "/threads/"+tid+"/comments/"+cid+"/edit", form("body", "I will bring the scores", "version", "1"), 303)
	page(bob, "/threads/"+tid+"/comments/"+cid+"/history", 200, "I&#39;ll bring the *scores*, @Alice", "I will bring the scores")
	post(alice, "/threads/"+tid+"/edit", form("title", "Spring concert 2026", "description", "Set list", "version", "1"), 303)
	page(bob, "/threads/"+tid+"/history", 200, "Spring concert 2026", "Set list **draft**")
	// Delete the comment with a reply: a tombstone.
	post(bob, "/threads/"+tid+"/comments/"+cid+"/delete", "", 303)
	page(alice, "/threads/"+tid, 200, "This comment was deleted.", "Lovely")
	// Close: the page says so and a comment is refused with 409.
	post(bob, "/threads/"+tid+"/close", "", 403)
	post(alice, "/threads/"+tid+"/close", "", 303)
	page(bob, "/threads/"+tid, 200, "This thread is closed")
	rec = post(bob, "/threads/"+tid+"/comments", form("body", "late"), 409)
	if !strings.Contains(rec.Body.String(), "reopen it to comment") {
		t.Fatalf("closed thread comment page: %s", rec.Body)
	}
	post(alice, "/threads/"+tid+"/reopen", "", 303)
	post(alice, "/threads/"+tid+"/pin", "", 303)
	page(bob, "/groups/"+grp.ID+"/threads", 200, "pinned")
	post(alice, "/threads/"+tid+"/unpin", "", 303)
	post(bob, "/threads/"+tid+"/notification-level", form("level", "loud"), 303)
	post(bob, "/groups/"+grp.ID+"/notification-level", form("level", "quiet"), 303)
	// Without JavaScript the attachment form explains itself.
	rec = post(alice, "/threads/"+tid+"/files", "", 303)
	page(alice, strings.Split(rec.Header().Get("Location"), "#")[0], 200, "Attaching a file needs JavaScript")
	// Guests by email.
	rec = post(alice, "/threads/"+tid+"/guests", form("email", "nobody@example.org"), 400)
	if !strings.Contains(rec.Body.String(), "has no Quorum account yet") {
		t.Fatalf("guest form error: %s", rec.Body)
	}
	post(alice, "/threads/"+tid+"/guests", form("email", g.email(eve)), 303)
	// Dashboard and notifications.
	page(bob, "/dashboard", 200, "Spring concert 2026")
	body = page(alice, "/notifications", 200, "mentioned you in", "Spring concert")
	nid := regexp.MustCompile(`/notifications/([0-9a-f]{24})/read`).FindStringSubmatch(body)
	if nid == nil {
		t.Fatalf("no unread notification to open: %s", body)
	}
	rec = post(alice, "/notifications/"+nid[1]+"/read", form("next", "/threads/"+tid), 303)
	if rec.Header().Get("Location") != "/threads/"+tid {
		t.Fatalf("open notification: %s", rec.Header().Get("Location"))
	}
	rec = post(alice, "/notifications/"+nid[1]+"/read", form("next", "https://evil.example/"), 303)
	if rec.Header().Get("Location") != "/notifications" {
		t.Fatalf("open redirect: %s", rec.Header().Get("Location"))
	}
	post(alice, "/notifications/read-all", "", 303)
	page("", "/dashboard", 303)
	// Delete the thread: back to the list.
	rec = post(alice, "/threads/"+tid+"/delete", "", 303)
	if !strings.HasPrefix(rec.Header().Get("Location"), "/groups/"+grp.ID+"/threads") {
		t.Fatalf("after delete: %s", rec.Header().Get("Location"))
	}
	page(alice, "/threads/"+tid, 404)
}

// ---- XSS: the stored corpus renders inert on every page that shows user text ----

func xssCorpus(t *testing.T) []string { return rendertest.XSSCorpus(t) }

var activeElements = map[string]bool{
	"style": true, "iframe": true, "object": true, "embed": true, "svg": true, "math": true, "img": true,
	"base": true, "video": true, "audio": true, "source": true, "template": true, "noscript": true, "marquee": true,
	"frame": true, "frameset": true, "applet": true,
}

// inUserContent are elements our templates never emit but that are fine
// elsewhere on our own pages (forms, inputs, details).
var userContentForbidden = map[string]bool{"form": true, "input": true, "button": true, "details": true, "textarea": true, "select": true}

func safeHref(v string) bool {
	s := strings.ToLower(strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, v))
	if strings.HasPrefix(s, "#") || strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") || strings.HasPrefix(s, "?") {
		return true
	}
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "mailto:")
}

// inertPage checks a whole page the way a browser parses it: the only
// script is /static/app.js, no element anywhere has an event handler,
// inline style or unsafe URL, nothing active is present, and the rendered
// user content holds no form controls.
func inertPage(t *testing.T, where, page string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatalf("%s does not parse: %v", where, err)
	}
	var walk func(n *html.Node, user bool)
	walk = func(n *html.Node, user bool) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if a.Key == "class" && regexp.MustCompile(`\buser-content\b`).MatchString(a.Val) {
					user = true
				}
			}
			switch {
			case n.Data == "script":
				src := ""
				for _, a := range n.Attr {
					if a.Key == "src" {
						src = a.Val
					}
				}
				if src != "/static/app.js" || n.FirstChild != nil {
					t.Errorf("%s: a script other than app.js: %s", where, renderNode(n))
				}
			case n.Data == "link" || n.Data == "meta":
				if n.Parent == nil || n.Parent.Data != "head" {
					t.Errorf("%s: <%s> outside the head: %s", where, n.Data, renderNode(n))
				}
			case activeElements[n.Data]:
				t.Errorf("%s: active element <%s>: %s", where, n.Data, renderNode(n))
			case user && userContentForbidden[n.Data]:
				t.Errorf("%s: user content produced <%s>", where, n.Data)
			}
			for _, a := range n.Attr {
				k := strings.ToLower(a.Key)
				switch {
				case strings.HasPrefix(k, "on"):
					t.Errorf("%s: event handler %s=%q", where, k, a.Val)
				case k == "style" || k == "srcdoc" || k == "formaction" || k == "background" || a.Namespace != "":
					t.Errorf("%s: attribute %s=%q", where, k, a.Val)
				case k == "href" || k == "src" || k == "action" || k == "xlink:href" || k == "poster" || k == "data":
					if !safeHref(a.Val) {
						t.Errorf("%s: unsafe %s=%q", where, k, a.Val)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, user)
		}
	}
	walk(doc, false)
	for _, r := range []string{"\u202e", "\u2066", "\u202d"} {
		if strings.Contains(page, r) {
			t.Errorf("%s kept an invisible direction control", where)
		}
	}
}

func renderNode(n *html.Node) string {
	var b strings.Builder
	_ = html.Render(&b, n)
	s := b.String()
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

func TestDiscussionXSSCorpusInertOnEveryPage(t *testing.T) {
	g := newDiscussionHarness(t)
	alice, bob := g.user("Alice"), g.user("Bob")
	grp := g.createGroup(alice, "XSS "+g.tag, "open")
	g.join(bob, grp.ID)
	payloads := xssCorpus(t)
	if len(payloads) < 50 {
		t.Fatalf("corpus has %d payloads", len(payloads))
	}
	// One thread whose every comment is a payload, with a payload title and
	// description; more threads titled with payloads for the lists.
	th := g.startThread(alice, grp.ID, "XSS corpus", payloads[0])
	var ids []string
	for i, p := range payloads {
		title := p
		if len([]rune(title)) > discussion.MaxTitle {
			title = string([]rune(title)[:discussion.MaxTitle])
		}
		// Titles are one line: control characters are refused.
		title = strings.Join(strings.Fields(title), " ")
		if i < 30 {
			g.startThread(alice, grp.ID, title, p)
		}
		// Bob comments, mentioning Alice, so her notifications carry the text.
		ids = append(ids, g.postComment(bob, th.ID, "", p+"\n\n@Alice").ID)
	}
	// The thread's title and description changed to payloads: the history shows both.
	for i, p := range payloads[:10] {
		var cur discussion.Thread
		g.json(g.do(alice, "GET", "/api/v1/threads/"+th.ID, ""), 200, &cur)
		title := strings.Join(strings.Fields(p), " ")
		if len([]rune(title)) > discussion.MaxTitle {
			title = string([]rune(title)[:discussion.MaxTitle])
		}
		body, _ := json.Marshal(map[string]any{"title": title, "description": payloads[len(payloads)-1-i], "version": cur.Version})
		g.json(g.do(alice, "PATCH", "/api/v1/threads/"+th.ID, string(body)), 200, nil)
	}
	var edited discussion.Item
	body, _ := json.Marshal(map[string]any{"body": payloads[3], "version": 1})
	g.json(g.do(bob, "PATCH", "/api/v1/threads/"+th.ID+"/comments/"+ids[0], string(body)), 200, &edited)

	pages := map[string]string{
		"thread page":          "/threads/" + th.ID,
		"thread list":          "/groups/" + grp.ID + "/threads",
		"thread history":       "/threads/" + th.ID + "/history",
		"comment history":      "/threads/" + th.ID + "/comments/" + ids[0] + "/history",
		"edit thread form":     "/threads/" + th.ID + "/edit",
		"dashboard":            "/dashboard",
		"notifications":        "/notifications",
		"new thread form":      "/groups/" + grp.ID + "/threads/new",
		"anonymous thread":     "/threads/" + th.ID,
		"edit comment form":    "/threads/" + th.ID + "/comments/" + ids[1] + "/edit",
		"bob's notifications":  "/notifications",
		"bob's dashboard":      "/dashboard",
		"bob's thread page":    "/threads/" + th.ID,
		"form error with text": "",
	}
	as := map[string]string{"anonymous thread": "", "edit comment form": bob, "bob's notifications": bob, "bob's dashboard": bob,
		"bob's thread page": bob}
	for name, path := range pages {
		who, ok := as[name]
		if !ok {
			who = alice
		}
		var rec *httptest.ResponseRecorder
		if path == "" {
			// A failed comment re-renders the page with the text in the form.
			v := url.Values{"body": {strings.Repeat("x", discussion.MaxBody+1) + payloads[5]}}
			rec = g.do(alice, "POST", "/threads/"+th.ID+"/comments", v.Encode())
			if rec.Code != 400 && rec.Code != 413 {
				t.Fatalf("%s: %d", name, rec.Code)
			}
		} else {
			rec = g.do(who, "GET", path, "")
			if rec.Code != 200 {
				t.Fatalf("%s: %d %.300s", name, rec.Code, rec.Body)
			}
		}
		inertPage(t, name, rec.Body.String())
	}
	// The page really does show the corpus (escaped or sanitised), not nothing.
	rec := g.do(alice, "GET", "/threads/"+th.ID, "")
	if !strings.Contains(rec.Body.String(), "&lt;script&gt;") && !strings.Contains(rec.Body.String(), "alert(1)") {
		t.Fatalf("the thread page shows none of the corpus")
	}
	// JSON responses carry the Markdown source as JSON strings and the
	// sanitised HTML; the sanitised HTML is inert too.
	var p discussion.ThreadPage
	g.json(g.do(alice, "GET", "/api/v1/threads/"+th.ID+"/timeline", ""), 200, &p)
	for _, it := range p.Items {
		if it.Kind == discussion.KindComment && !it.Deleted {
			inertPage(t, "comment JSON html", "<!doctype html><html><head></head><body><div class=\"user-content\">"+string(it.HTML)+"</div></body></html>")
		}
	}
}

// ThreadPageMaxCalls bounds the DynamoDB calls of the whole thread page
// (GET /threads/{tid}) for a member of a top-level group, however many
// comments it shows: the core's page read (discussion.ThreadPageCalls, 3);
// the policy facts for the controls and the group for the breadcrumb are
// the items that read already (a read-only request reads an item once,
// store.WithReadCache; they were 2 more calls). When the page shows
// something new, marking the thread read adds ThreadPageMarkReadCalls (its
// write empties the request's read cache). Session authentication and the
// nav's unread count (one call each) come on top in the full application.
const (
	ThreadPageMaxCalls      = 3
	ThreadPageMarkReadCalls = 3
)

func TestThreadPageDynamoDBCallsAreBounded(t *testing.T) {
	logs := &testkit.RequestLog{}
	g := newDiscussionHarnessLog(t, logging.New(logs, "info"))
	alice, bob := g.user("Alice"), g.user("Bob")
	grp := g.createGroup(alice, "Bench "+g.tag, "open")
	g.join(bob, grp.ID)
	small := g.startThread(alice, grp.ID, "Five comments", "")
	big := g.startThread(alice, grp.ID, "Five hundred comments", "")
	for i := 0; i < 5; i++ {
		g.postComment(bob, small.ID, "", "Comment "+itoa(i))
	}
	var wg sync.WaitGroup
	fails := make(chan string, 500)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < 500; i += 8 {
				if rec := g.do(bob, "POST", "/api/v1/threads/"+big.ID+"/comments", `{"body":"Comment **`+itoa(i)+`** with a little text."}`); rec.Code != 201 {
					fails <- rec.Body.String()
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(fails)
	for f := range fails {
		t.Fatal(f)
	}
	calls := func(tid string, comments int) float64 {
		t.Helper()
		rec := g.do(alice, "GET", "/threads/"+tid, "")
		if rec.Code != 200 || strings.Count(rec.Body.String(), `class="comment`) != comments {
			t.Fatalf("thread page: %d, %d comments shown, want %d", rec.Code, strings.Count(rec.Body.String(), `class="comment`), comments)
		}
		line := logs.Last()
		if line["route"] != "GET /threads/{tid}" {
			t.Fatalf("last request line %v", line)
		}
		return line["ddb_calls"].(float64)
	}
	first5, first500 := calls(small.ID, 5), calls(big.ID, 500) // new comments: the page marks the thread read
	n5, n500 := calls(small.ID, 5), calls(big.ID, 500)
	t.Logf("thread page DynamoDB calls: %v with 5 comments, %v with 500 (%v and %v while marking them read)", n5, n500, first5, first500)
	if first5 != first500 || first500 > ThreadPageMaxCalls+ThreadPageMarkReadCalls {
		t.Fatalf("thread page with new comments: %v DynamoDB calls with 500, %v with 5; want the same and at most %d",
			first500, first5, ThreadPageMaxCalls+ThreadPageMarkReadCalls)
	}
	if n500 != n5 || n500 > ThreadPageMaxCalls {
		t.Fatalf("thread page: %v DynamoDB calls with 500 comments, %v with 5; want the same and at most %d", n500, n5, ThreadPageMaxCalls)
	}
}
