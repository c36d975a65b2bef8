package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	qapp "github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/server"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

// signedIn is the whole application on the local cloud with one signed-in
// person (testing.TB: for tests, benchmarks and fuzz targets alike).
type signedIn struct {
	a      *qapp.API
	h      http.Handler
	cookie string
	ctx    context.Context // acting as the person
	uid    string
	tag    string
}

func newSignedIn(tb testing.TB, logw io.Writer) *signedIn {
	tb.Helper()
	env := testcloud.Fast(tb)
	a, err := qapp.NewAPIWith(context.Background(), env.Config, env.Clients, logging.New(logw, "info"))
	if err != nil {
		tb.Fatal(err)
	}
	p := testkit.NewPersonWithEmail(tb, a.Accounts, "Fay Fuzz", "signed-in-"+env.Prefix+"@example.org")
	return &signedIn{a: a, h: a.Handler(), cookie: p.Session, ctx: p.Ctx, uid: p.ID, tag: env.Prefix}
}

// requestLog collects the one log line per request of the httpx.Observe
// middleware (status, DynamoDB calls, duration) and any panic report.
type requestLog struct{ syncBuffer }

type requestLine struct {
	Msg      string  `json:"msg"`
	Status   int     `json:"status"`
	DDBCalls int     `json:"ddb_calls"`
	Duration float64 `json:"duration_ms"`
	Route    string  `json:"route"`
}

// take returns and forgets the lines logged so far.
func (l *requestLog) take() []requestLine {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []requestLine
	sc := bufio.NewScanner(&l.b)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line requestLine
		if json.Unmarshal(sc.Bytes(), &line) == nil {
			out = append(out, line)
		}
	}
	l.b.Reset()
	return out
}

// fuzzSkipped are write routes a fuzz input must not take, because they end
// the session every later input uses.
var fuzzSkipped = map[string]bool{
	"POST /api/v1/auth/logout": true, "DELETE /api/v1/me/sessions": true, "DELETE /api/v1/me/sessions/{id}": true,
	"POST /logout": true, "POST /settings/sessions/revoke-all": true, "POST /settings/sessions/{id}/revoke": true,
}

// Limits of one fuzzed request: none may take more than a fixed number of
// DynamoDB calls, whatever its body (the cost of a request must not grow
// with its lists), nor more than maxFuzzTime.
const (
	maxFuzzDDBCalls = 60
	maxFuzzTime     = 5 * time.Second
)

// FuzzWriteRoutes sends arbitrary bodies to every write route of the
// application on the local cloud, signed in as a group admin, with real ids
// (a group, an open poll, a thread and a comment) or made-up ones: JSON to
// the API, forms to the pages. The first input byte picks the route. No
// answer may be a 5xx, no handler may panic, and no request may make more
// than maxFuzzDDBCalls DynamoDB calls or take longer than maxFuzzTime.
// Every route is seeded with a body (a valid one where it matters) and each
// list with 100 times its bound, so a plain `go test` runs each once.
func FuzzWriteRoutes(f *testing.F) {
	logs := &requestLog{}
	app := newSignedIn(f, logs)
	g, err := app.a.Groups.Create(app.ctx, group.CreateInput{Name: "Fuzz " + app.tag, Privacy: "closed"})
	if err != nil {
		f.Fatal(err)
	}
	closing := time.Now().Add(30 * 24 * time.Hour)
	p, err := app.a.Decisions.Create(app.ctx, decision.CreateInput{GroupID: g.ID, Definition: poll.Definition{Type: poll.TypePoll,
		Title: "Fuzz", Options: []poll.Option{{ID: "o1", Label: "One"}, {ID: "o2", Label: "Two"}},
		Settings: func() poll.Settings { s := poll.DefaultSettings(poll.TypePoll); s.ClosingAt = &closing; return s }()}})
	if err != nil {
		f.Fatal(err)
	}
	th, err := app.a.Discussions.StartThread(app.ctx, discussion.StartInput{GroupID: g.ID, Title: "Fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	c, err := app.a.Discussions.Comment(app.ctx, th.ID, discussion.CommentInput{Body: "Hello"})
	if err != nil {
		f.Fatal(err)
	}
	realIDs := strings.NewReplacer("{id}", g.ID, "{pid}", p.ID, "{tid}", th.ID, "{cid}", c.ID, "{uid}", app.uid, "{name}", "heart",
		"{iid}", "x", "{token}", "x", "{fid}", "x", "{nid}", "x", "{hid}", "x", "{rid}", "x", "{kind}", "group")
	madeUp := strings.NewReplacer("{id}", "nosuchgroup", "{pid}", "nosuchpoll", "{tid}", "nosuchthread", "{cid}", "x", "{uid}", "x",
		"{name}", "x", "{iid}", "x", "{token}", "x", "{fid}", "x", "{nid}", "x", "{hid}", "x", "{rid}", "x", "{kind}", "x")

	var routes []server.Route
	for _, rt := range app.a.Server.Routes() {
		method, _, _ := strings.Cut(rt.Pattern, " ")
		if method != "GET" && !fuzzSkipped[rt.Pattern] {
			routes = append(routes, rt)
		}
	}
	if len(routes) > 255 {
		f.Fatalf("%d write routes: the route byte cannot pick them all", len(routes))
	}
	seeds := map[string][]string{
		"POST /api/v1/groups":                  {`{"name":"Seeded group","privacy":"open"}`, strings.Repeat(`{"a":`, 20_000) + "[]" + strings.Repeat("}", 20_000)},
		"POST /api/v1/groups/{id}/polls":       {`{"type":"poll","title":"Where?","options":[{"label":"A"},{"label":"B"}],"settings":{"vote_share":[{"option_id":"o1","measure":"voter_percent","op":">=","threshold":50}]}}`},
		"PATCH /api/v1/polls/{pid}":            {`{"title":"Renamed","options":[{"id":"o1","label":"One"},{"id":"o2","label":"Two"},{"label":"Three"}]}`},
		"PUT /api/v1/polls/{pid}/ballot":       {`{"choices":[{"option_id":"o1","score":1}],"reason":"Because"}`},
		"POST /api/v1/groups/{id}/invitations": {`{"emails":["a@example.org","b@example.org"],"role":"member"}`},
		"POST /api/v1/groups/{id}/threads":     {`{"title":"Seeded","description":"**hi**"}`},
		"POST /api/v1/threads/{tid}/comments":  {`{"body":"Seeded @Fay"}`},
		"POST /groups/{id}/polls":              {"type=poll&title=Form+poll&options=A%0AB&voter=x&closing_at=2099-01-01T10:00"},
		"POST /polls/{pid}/vote":               {"choice=o1&reason=why&order=o2,o1"},
		"POST /polls/{pid}/edit":               {"title=Edited&options=One%0ATwo%0AThree"},
		"POST /groups/{id}/invitations":        {"emails=a@example.org,+b@example.org&role=member"},
	}
	for i, rt := range routes {
		body := "{}"
		if rt.Page {
			body = "x=1"
		}
		f.Add(uint8(i), false, body)
		for _, s := range seeds[rt.Pattern] {
			f.Add(uint8(i), false, s)
		}
		// Lists over their bound, on real and on made-up ids.
		for _, madeUpIDs := range []bool{false, true} {
			for _, l := range rt.Lists {
				switch b := listBody(boundedList{route: rt.Pattern, field: l.Field, max: l.Max}, 100*l.Max).(type) {
				case string:
					f.Add(uint8(i), madeUpIDs, b)
				case url.Values:
					f.Add(uint8(i), madeUpIDs, b.Encode())
				}
			}
		}
	}

	f.Fuzz(func(t *testing.T, pick uint8, madeUpIDs bool, body string) {
		rt := routes[int(pick)%len(routes)]
		method, pattern, _ := strings.Cut(rt.Pattern, " ")
		ids := realIDs
		if madeUpIDs {
			ids = madeUp
		}
		r := httptest.NewRequest(method, ids.Replace(pattern), strings.NewReader(body))
		if rt.Page {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Accept", "text/html")
		} else {
			r.Header.Set("Content-Type", "application/json")
		}
		r.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: app.cookie})
		logs.take()
		rec := httptest.NewRecorder()
		app.h.ServeHTTP(rec, r)
		lines := logs.take()
		if rec.Code >= 500 {
			t.Fatalf("%s: %d %.500s", rt.Pattern, rec.Code, rec.Body.String())
		}
		for _, l := range lines {
			switch {
			case l.Msg == "panic":
				t.Fatalf("%s: panic", rt.Pattern)
			case l.Msg != "request":
			case l.DDBCalls > maxFuzzDDBCalls:
				t.Fatalf("%s: %d DynamoDB calls for a %d-byte body", rt.Pattern, l.DDBCalls, len(body))
			case time.Duration(l.Duration*float64(time.Millisecond)) > maxFuzzTime:
				t.Fatalf("%s: %.0f ms for a %d-byte body", rt.Pattern, l.Duration, len(body))
			}
		}
		if len(lines) == 0 {
			t.Fatalf("%s: no request logged", rt.Pattern)
		}
	})
}
