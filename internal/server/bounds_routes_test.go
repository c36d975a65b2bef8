package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/process"
	"github.com/quorum-app/quorum/internal/server"
	"github.com/quorum-app/quorum/internal/tag"
)

// boundedList is one list of a write route's body and the core limit that
// bounds it.
type boundedList struct {
	route string // the route's pattern
	field string // JSON path or form field
	max   int
}

// everyBoundedList lists every list any write route takes, JSON and form.
// TestEveryListIsBoundedBeforeAnyWork checks it against the route table, so
// a list declared on a route but missing here (or the reverse) fails.
var everyBoundedList = []boundedList{
	{"POST /api/v1/groups/{id}/polls", "options", poll.MaxOptions},
	{"POST /api/v1/groups/{id}/polls", "settings.vote_share", poll.MaxRequirements},
	{"POST /api/v1/groups/{id}/polls", "voters", decision.MaxVotersAtCreate},
	{"PATCH /api/v1/polls/{pid}", "options", poll.MaxOptions},
	{"PATCH /api/v1/polls/{pid}", "settings.vote_share", poll.MaxRequirements},
	{"PUT /api/v1/polls/{pid}/ballot", "choices", poll.MaxOptions},
	{"POST /api/v1/groups/{id}/invitations", "emails", group.MaxInvites},
	{"POST /groups/{id}/polls", "options", poll.MaxOptions},
	{"POST /groups/{id}/polls", "voter", decision.MaxVotersAtCreate},
	{"POST /polls/{pid}/edit", "options", poll.MaxOptions},
	{"POST /polls/{pid}/vote", "choice", poll.MaxOptions + 1},
	{"POST /polls/{pid}/vote", "order", poll.MaxOptions},
	{"POST /groups/{id}/invitations", "emails", group.MaxInvites},
	// Whom to notify: chosen people.
	{"POST /api/v1/groups/{id}/polls", "notify.user_ids", notify.MaxAudiencePeople},
	{"PATCH /api/v1/polls/{pid}", "notify.user_ids", notify.MaxAudiencePeople},
	{"POST /api/v1/polls/{pid}/announce", "user_ids", notify.MaxAudiencePeople},
	{"POST /api/v1/groups/{id}/threads", "notify.user_ids", notify.MaxAudiencePeople},
	{"POST /api/v1/groups/{id}/threads", "poll.options", poll.MaxOptions},
	{"POST /api/v1/groups/{id}/threads", "poll.settings.vote_share", poll.MaxRequirements},
	{"POST /api/v1/threads/{tid}/announce", "user_ids", notify.MaxAudiencePeople},
	{"POST /groups/{id}/polls", "notify_user", notify.MaxAudiencePeople},
	{"POST /polls/{pid}/edit", "notify_user", notify.MaxAudiencePeople},
	{"POST /polls/{pid}/announce", "notify_user", notify.MaxAudiencePeople},
	{"POST /groups/{id}/threads", "notify_user", notify.MaxAudiencePeople},
	{"POST /threads/{tid}/announce", "notify_user", notify.MaxAudiencePeople},
	{"PUT /api/v1/threads/{tid}/tags", "tags", tag.MaxPerItem},
	{"PUT /api/v1/polls/{pid}/tags", "tags", tag.MaxPerItem},
	{"POST /threads/{tid}/tags", "tag", tag.MaxPerItem},
	{"POST /polls/{pid}/tags", "tag", tag.MaxPerItem},
	{"POST /api/v1/groups/{id}/threads", "tags", tag.MaxPerItem},
	{"POST /api/v1/groups/{id}/polls", "tags", tag.MaxPerItem},
	{"POST /groups/{id}/threads", "tag", tag.MaxPerItem},
	{"POST /groups/{id}/polls", "tag", tag.MaxPerItem},
	// Templates: a poll template's lists, and an arrangement's.
	{"POST /api/v1/groups/{id}/templates", "poll.options", poll.MaxOptions},
	{"POST /api/v1/groups/{id}/templates", "poll.settings.vote_share", poll.MaxRequirements},
	{"PUT /api/v1/groups/{id}/templates/{tid}", "poll.options", poll.MaxOptions},
	{"PUT /api/v1/groups/{id}/templates/{tid}", "poll.settings.vote_share", poll.MaxRequirements},
	{"PUT /api/v1/groups/{id}/templates/order", "order", process.MaxTemplates},
	{"PUT /api/v1/groups/{id}/templates/order", "hidden", process.MaxHiddenList},
	// The comments a fork names.
	{"POST /api/v1/threads/{tid}/fork", "comment_ids", discussion.MaxForkComments},
	{"POST /threads/{tid}/fork", "comment_id", discussion.MaxForkComments},
}

// listBody is a request body holding n items in the list l: JSON (nested
// along the dotted path) for the API, a form otherwise (a repeated field
// and, for fields split into items, one value with the items on lines and
// between commas, which every splitter reads as n items).
func listBody(l boundedList, n int) any {
	if strings.Contains(l.route, " /api/") {
		items := make([]any, n)
		for i := range items {
			items[i] = map[string]any{"label": fmt.Sprint("item ", i)}
			if l.field == "voters" || l.field == "emails" || l.field == "tags" || strings.HasSuffix(l.field, "user_ids") || l.field == "comment_ids" {
				items[i] = fmt.Sprintf("u%d@example.org", i)
			}
		}
		var body any = items
		path := strings.Split(l.field, ".")
		for i := len(path) - 1; i >= 0; i-- {
			body = map[string]any{path[i]: body}
		}
		raw, _ := json.Marshal(body)
		return string(raw)
	}
	form := url.Values{"title": {"Bounded"}, "type": {"poll"}}
	switch l.field {
	case "options", "order", "emails":
		items := make([]string, n)
		for i := range items {
			items[i] = fmt.Sprint("i", i)
		}
		form.Set(l.field, strings.Join(items, ",\n"))
	default:
		for i := range n {
			form.Add(l.field, fmt.Sprint("i", i))
		}
	}
	return form
}

// TestEveryListIsBoundedBeforeAnyWork sends every write route a body with
// 100 times the allowed count of each of its lists and gets a 400 naming
// the list, before any other work: the same answer for the group's admin
// on real ids and for an outsider on made-up ids (no lookup, no
// authorization, no option ids assigned first). A list exactly at its
// bound is never refused for its length.
func TestEveryListIsBoundedBeforeAnyWork(t *testing.T) {
	e, owner, _, _ := newPollEnv(t)
	outsider := e.person("Oscar Outsider")
	p := e.createAPI(owner, poll.TypePoll, nil, labels("North", "South"))
	th, err := e.a.Discussions.StartThread(owner.ctx, discussion.StartInput{GroupID: e.gid, Title: "Bounded"})
	if err != nil {
		t.Fatal(err)
	}

	declared := map[string]int{}
	for _, rt := range e.a.Server.Routes() {
		for _, l := range rt.Lists {
			declared[rt.Pattern+" "+l.Field] = l.Max
		}
	}
	for _, l := range everyBoundedList {
		if max, ok := declared[l.route+" "+l.field]; !ok || max != l.max {
			t.Errorf("%s: list %s is not declared on the route with bound %d (declared: %d)", l.route, l.field, l.max, max)
		}
		delete(declared, l.route+" "+l.field)
	}
	for k := range declared {
		t.Errorf("%s: declared but not tested here", k)
	}

	for _, l := range everyBoundedList {
		method, pattern, _ := strings.Cut(l.route, " ")
		for _, who := range []struct {
			name          string
			as            *pollPerson
			gid, pid, tid string
		}{{"admin, real ids", owner, e.gid, p.ID, th.ID}, {"outsider, made-up ids", outsider, "nosuchgroup", "nosuchpoll", "nosuchthread"}} {
			path := strings.NewReplacer("{id}", who.gid, "{pid}", who.pid, "{tid}", who.tid).Replace(pattern)
			t.Run(l.route+" "+l.field+" "+who.name, func(t *testing.T) {
				n := 100 * l.max
				if !strings.HasPrefix(pattern, "/api/") && n > 2000 {
					// A form of 100x a larger bound would pass 64 KB, which is
					// refused whole (413) before any work: 40x fits.
					n = 2000
				}
				r := e.do(who.as, method, path, listBody(l, n))
				want := fmt.Sprintf("must hold at most %d items", l.max)
				if r.code != 400 || !strings.Contains(r.body, want) {
					t.Fatalf("status %d, want 400 %q: %.400s", r.code, want, r.body)
				}
				if strings.HasPrefix(pattern, "/api/") {
					var prob struct {
						Errors []struct{ Field, Message string }
					}
					if err := json.Unmarshal([]byte(r.body), &prob); err != nil || len(prob.Errors) != 1 || prob.Errors[0].Field != l.field {
						t.Fatalf("problem does not name %s: %s", l.field, r.body)
					}
				} else if !strings.Contains(r.body, `href="#`+l.field+`"`) && !strings.Contains(r.body, l.field+": "+want) {
					t.Fatalf("page does not name %s: %.2000s", l.field, r.body)
				}
				// At the bound the list is not refused for its length
				// (other rules may refuse it).
				if r := e.do(who.as, method, path, listBody(l, l.max)); strings.Contains(r.body, "must hold at most") {
					t.Fatalf("%d items refused: %d %.400s", l.max, r.code, r.body)
				}
			})
		}
	}
}

// TestJSONBodyWithoutContentTypeIs415: a JSON body without Content-Type
// (or with another type) is refused with 415 and changes nothing, on every
// kind of JSON write; with the type it is accepted.
func TestJSONBodyWithoutContentTypeIs415(t *testing.T) {
	e, owner, _, _ := newPollEnv(t)
	p := e.createAPI(owner, poll.TypePoll, nil, labels("North", "South"))
	cases := []struct{ method, path, body string }{
		{"POST", "/api/v1/groups", `{"name":"No type ` + e.tag + `"}`},
		{"PATCH", "/api/v1/me", `{"name":"Renamed"}`},
		{"POST", "/api/v1/groups/" + e.gid + "/threads", `{"title":"No type"}`},
		{"POST", "/api/v1/groups/" + e.gid + "/polls", `{"type":"poll","title":"No type","options":[{"label":"A"}]}`},
		{"PUT", "/api/v1/polls/" + p.ID + "/ballot", `{"choices":[{"option_id":"` + p.Definition.Options[0].ID + `"}]}`},
	}
	for _, c := range cases {
		for _, ctype := range []string{"", "text/plain", "application/x-www-form-urlencoded"} {
			r := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
			if ctype != "" {
				r.Header.Set("Content-Type", ctype)
			}
			r.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: owner.cookie})
			rec := httptest.NewRecorder()
			e.h.ServeHTTP(rec, r)
			if rec.Code != 415 || rec.Header().Get("Content-Type") != "application/problem+json" || !strings.Contains(rec.Body.String(), "application/json") {
				t.Errorf("%s %s with Content-Type %q: %d %.300s", c.method, c.path, ctype, rec.Code, rec.Body.String())
			}
		}
	}
	// Nothing was created or changed.
	var mine struct{ Items []struct{ Name string } }
	if err := json.Unmarshal([]byte(e.must(e.do(owner, "GET", "/api/v1/groups", nil), 200, "my groups").body), &mine); err != nil {
		t.Fatal(err)
	}
	for _, g := range mine.Items {
		if strings.HasPrefix(g.Name, "No type") {
			t.Fatalf("a group was created from a body without Content-Type")
		}
	}
	if r := e.do(owner, "GET", "/api/v1/polls/"+p.ID+"/ballot", nil); strings.Contains(r.body, `"choices":[{`) {
		t.Fatalf("a ballot was cast from a body without Content-Type: %s", r.body)
	}
	// The same bodies with the type are accepted.
	for _, c := range cases[:2] {
		if r := e.do(owner, c.method, c.path, c.body); r.code >= 300 {
			t.Errorf("%s %s as JSON: %d %.300s", c.method, c.path, r.code, r.body)
		}
	}
}
