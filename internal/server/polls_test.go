package server_test

// Handler tests of the poll routes, through the whole application
// (qapp.NewAPI on the local cloud) with real sessions: every type created
// and voted through the API and through the forms, bad input answered
// with 4xx (never 500), hidden results probed on every surface, CSV
// escaping and formula neutralisation, the meeting .ics, receipts, and the
// server-side charts.

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	qapp "github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/server"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

type pollEnv struct {
	t     *testing.T
	a     *qapp.API
	h     http.Handler
	tag   string
	ip    atomic.Int64
	owner *pollPerson
	gid   string
	ses   string // the SES double's endpoint (the emails sent)
}

type pollPerson struct {
	id, name, cookie string
	ctx              context.Context
}

type pollLog struct{ t *testing.T }

func (w pollLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// newPollEnv builds the application and a closed group of Olga (admin)
// with Milo and Nina as members.
// drain expands every pending fan-out job now, as the stream's consumer
// would within seconds (the scheduler's sweep with its clock ahead).
func (e *pollEnv) drain() {
	e.t.Helper()
	if _, err := e.a.Fanouts.Sweep(context.Background(), time.Now().Add(time.Hour), 1000); err != nil {
		e.t.Fatal(err)
	}
}

func newPollEnv(t *testing.T) (*pollEnv, *pollPerson, *pollPerson, *pollPerson) {
	t.Helper()
	return newPollEnvLog(t, logging.New(pollLog{t}, "warn"))
}

// newPollEnvLog is newPollEnv with the application's logger.
func newPollEnvLog(t *testing.T, logs *slog.Logger) (*pollEnv, *pollPerson, *pollPerson, *pollPerson) {
	t.Helper()
	env := testcloud.Fast(t)
	a, err := qapp.NewAPIWith(context.Background(), env.Config, env.Clients, logs)
	if err != nil {
		t.Fatal(err)
	}
	e := &pollEnv{t: t, a: a, h: a.Handler(), tag: env.Prefix, ses: env.Config.SESEndpoint}
	o, m, n := e.person("Olga Owner"), e.person("Milo Member"), e.person("Nina Member")
	g, err := a.Groups.Create(o.ctx, group.CreateInput{Name: "Poll group " + e.tag, Privacy: "closed"})
	if err != nil {
		t.Fatal(err)
	}
	e.owner, e.gid = o, g.ID
	link, err := a.Groups.JoinLink(o.ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	tok := link[strings.LastIndex(link, "/join/")+len("/join/"):]
	for _, p := range []*pollPerson{m, n} {
		if _, err := a.Groups.JoinViaLink(p.ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	return e, o, m, n
}

func (e *pollEnv) person(name string) *pollPerson {
	e.t.Helper()
	p := testkit.NewPerson(e.t, e.a.Accounts, name)
	return &pollPerson{id: p.ID, name: name, cookie: p.Session, ctx: p.Ctx}
}

type resp struct {
	code int
	body string
	hdr  http.Header
}

// do sends a request as p (nil: anonymous): JSON for /api/, a form otherwise.
func (e *pollEnv) do(p *pollPerson, method, path string, body any) resp {
	e.t.Helper()
	var rd io.Reader = http.NoBody
	ctype := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case string:
		rd, ctype = strings.NewReader(b), "application/json"
	default:
		raw, _ := json.Marshal(b)
		rd, ctype = bytes.NewReader(raw), "application/json"
	}
	r := httptest.NewRequest(method, path, rd)
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	if strings.HasPrefix(path, "/api/") {
		r.Header.Set("Accept", "application/json")
	} else {
		r.Header.Set("Accept", "text/html")
	}
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	if p != nil {
		r.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: p.cookie})
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, r)
	if rec.Code >= 500 {
		e.t.Errorf("%s %s: %d %s", method, path, rec.Code, rec.Body.String())
	}
	return resp{code: rec.Code, body: rec.Body.String(), hdr: rec.Header()}
}

func (e *pollEnv) must(r resp, want int, what string) resp {
	e.t.Helper()
	if r.code != want {
		e.t.Fatalf("%s: status %d, want %d: %.600s", what, r.code, want, r.body)
	}
	return r
}

func decodeInto[T any](t *testing.T, r resp) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		t.Fatalf("decode %q: %v", r.body, err)
	}
	return v
}

type pollJSON struct {
	ID         string          `json:"id"`
	Status     string          `json:"status"`
	Version    int64           `json:"version"`
	Definition poll.Definition `json:"definition"`
}

func closing() string { return time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339) }

// createAPI creates a poll of type t through the API with minimal input.
func (e *pollEnv) createAPI(p *pollPerson, t poll.Type, settings map[string]any, options []map[string]any) pollJSON {
	e.t.Helper()
	if settings == nil {
		settings = map[string]any{}
	}
	if _, ok := settings["closing_at"]; !ok {
		settings["closing_at"] = closing()
	}
	body := map[string]any{"type": t, "title": "What about " + string(t) + "?", "settings": settings}
	if options != nil {
		body["options"] = options
	}
	r := e.must(e.do(p, "POST", "/api/v1/groups/"+e.gid+"/polls", body), 201, "create "+string(t))
	return decodeInto[pollJSON](e.t, r)
}

func labels(ls ...string) []map[string]any {
	out := make([]map[string]any, len(ls))
	for i, l := range ls {
		out[i] = map[string]any{"label": l}
	}
	return out
}

// validBallot is a ballot every type accepts for the poll's options.
func validBallot(d poll.Definition) map[string]any {
	ids := make([]string, len(d.Options))
	for i, o := range d.Options {
		ids[i] = o.ID
	}
	var choices []map[string]any
	switch d.Type {
	case poll.TypeQuestion:
	case poll.TypeScore:
		choices = []map[string]any{{"option_id": ids[0], "score": 5}, {"option_id": ids[1], "score": 0}}
	case poll.TypeDotVote:
		choices = []map[string]any{{"option_id": ids[0], "score": 5}, {"option_id": ids[1], "score": 3}}
	case poll.TypeRankedChoice:
		for _, id := range ids[:d.RankedN()] {
			choices = append(choices, map[string]any{"option_id": id})
		}
	case poll.TypeMeeting:
		for i, id := range ids {
			choices = append(choices, map[string]any{"option_id": id, "score": []int{2, 1, 0}[i%3]})
		}
	default:
		choices = []map[string]any{{"option_id": ids[0]}}
	}
	return map[string]any{"choices": choices, "reason": "Because it is a fine choice."}
}

func meetingOptions() []map[string]any {
	base := time.Now().UTC().Add(96 * time.Hour).Truncate(time.Hour)
	return []map[string]any{{"start": base}, {"start": base.Add(26 * time.Hour)}, {"start": base.Add(50 * time.Hour)}}
}

func optionsFor(t poll.Type) []map[string]any {
	switch t {
	case poll.TypeMeeting:
		return meetingOptions()
	case poll.TypeProposal, poll.TypeCount, poll.TypeCheck, poll.TypeQuestion:
		return nil
	}
	return labels("Apples", "Pears", "Plums", "Figs")
}

func TestPollAPIEveryType(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	for _, typ := range poll.Types() {
		p := e.createAPI(o, typ, nil, optionsFor(typ))
		if p.Status != "open" || p.Definition.Settings.ReasonMaxLength != poll.DefaultReasonLength {
			t.Errorf("%s: created %+v", typ, p)
		}
		path := "/api/v1/polls/" + p.ID
		e.must(e.do(m, "PUT", path+"/ballot", validBallot(p.Definition)), 201, "vote "+string(typ))
		e.must(e.do(m, "PUT", path+"/ballot", validBallot(p.Definition)), 200, "change vote "+string(typ))
		mine := decodeInto[map[string]any](t, e.must(e.do(m, "GET", path+"/ballot", nil), 200, "mine"))
		if mine["voted"] != true {
			t.Errorf("%s: mine %v", typ, mine)
		}
		res := decodeInto[map[string]any](t, e.must(e.do(m, "GET", path+"/results", nil), 200, "results"))
		if res["results"] == nil || res["hidden"] != nil {
			t.Errorf("%s: results %v", typ, res)
		}
		// Bad ballots are 400 with the field named, never 500.
		for _, bad := range []string{`{"choices":[{"option_id":"nope"}]}`, `{"choices":"x"}`, `{"choices":[],"reason":"` + strings.Repeat("x", 600) + `"}`, `[`, `{"extra":1}`} {
			r := e.do(m, "PUT", path+"/ballot", bad)
			if r.code != 400 {
				t.Errorf("%s: bad ballot %.60s: %d %s", typ, bad, r.code, r.body)
			}
		}
		// The page shows the chart, which is well-formed XML with the labels.
		page := e.must(e.do(m, "GET", "/polls/"+p.ID, nil), 200, "page")
		if typ != poll.TypeQuestion {
			checkSVG(t, string(typ), page.body, p.Definition)
		}
		e.must(e.do(m, "DELETE", path+"/ballot", nil), 204, "withdraw")
		e.must(e.do(m, "DELETE", path+"/ballot", nil), 404, "withdraw twice")
	}

	// Bad polls: 4xx with the field named.
	for _, bad := range []struct {
		body  string
		field string
	}{
		{`{"type":"nope","title":"x"}`, "type"},
		{`{"type":"proposal","title":""}`, "title"},
		{`{"type":"poll","title":"x","options":[]}`, "options"},
		{`{"type":"score","title":"x","options":[{"label":"a"}],"settings":{"max_score":"high"}}`, "settings.max_score"},
		{`{"type":"score","title":"x","options":[{"label":"a"}],"settings":{"colour":"red"}}`, "settings.colour"},
		{`{"type":"count","title":"x","settings":{"anonymous":true}}`, "settings.anonymous"},
		{`{"type":"proposal","title":"x","settings":{"closing_at":"2001-01-01T00:00:00Z"}}`, "settings.closing_at"},
	} {
		r := e.do(o, "POST", "/api/v1/groups/"+e.gid+"/polls", bad.body)
		if r.code != 400 || !strings.Contains(r.body, `"field":"`+bad.field+`"`) {
			t.Errorf("create %s: %d %s, want 400 naming %s", bad.body, r.code, r.body, bad.field)
		}
	}
	// Life cycle through the API: draft, publish, extend, close, reopen, outcome.
	d := decodeInto[pollJSON](t, e.must(e.do(o, "POST", "/api/v1/groups/"+e.gid+"/polls", `{"type":"proposal","title":"Draft"}`), 201, "draft"))
	if d.Status != "draft" {
		t.Fatalf("draft status %s", d.Status)
	}
	e.must(e.do(m, "GET", "/api/v1/polls/"+d.ID, nil), 404, "someone else's draft")
	e.must(e.do(o, "PATCH", "/api/v1/polls/"+d.ID, map[string]any{"settings": map[string]any{"closing_at": closing()}}), 200, "publish")
	e.must(e.do(o, "POST", "/api/v1/polls/"+d.ID+"/extend", map[string]any{"closing_at": time.Now().Add(72 * time.Hour)}), 200, "extend")
	e.must(e.do(o, "POST", "/api/v1/polls/"+d.ID+"/extend", `{}`), 400, "extend without time")
	e.must(e.do(m, "POST", "/api/v1/polls/"+d.ID+"/close", nil), 403, "member closes")
	e.must(e.do(o, "PUT", "/api/v1/polls/"+d.ID+"/outcome", `{"statement":"early"}`), 409, "outcome while open")
	e.must(e.do(o, "POST", "/api/v1/polls/"+d.ID+"/close", nil), 200, "close")
	e.must(e.do(m, "PUT", "/api/v1/polls/"+d.ID+"/ballot", `{"choices":[{"option_id":"agree"}]}`), 409, "vote when closed")
	e.must(e.do(o, "PUT", "/api/v1/polls/"+d.ID+"/outcome", `{"statement":"We agreed."}`), 200, "outcome")
	e.must(e.do(m, "GET", "/api/v1/polls/"+d.ID+"/outcome", nil), 200, "read outcome")
	e.must(e.do(o, "POST", "/api/v1/polls/"+d.ID+"/reopen", map[string]any{"closing_at": time.Now().Add(72 * time.Hour)}), 200, "reopen")
	e.must(e.do(o, "POST", "/api/v1/polls/"+d.ID+"/remind", nil), 200, "remind")
	e.must(e.do(o, "GET", "/api/v1/polls/"+d.ID+"/undecided", nil), 200, "undecided")
	list := e.must(e.do(m, "GET", "/api/v1/groups/"+e.gid+"/polls", nil), 200, "list")
	if !strings.Contains(list.body, d.ID) {
		t.Errorf("list lacks the poll: %s", list.body)
	}
}

// checkSVG finds the chart in a page, parses it as XML and checks it is
// labelled and names every option.
func checkSVG(t *testing.T, what, page string, d poll.Definition) {
	t.Helper()
	i, j := strings.Index(page, "<svg"), strings.Index(page, "</svg>")
	if i < 0 || j < i {
		t.Errorf("%s: no chart in the page", what)
		return
	}
	svg := page[i : j+len("</svg>")]
	dec := xml.NewDecoder(strings.NewReader(svg))
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Errorf("%s: chart is not XML: %v", what, err)
			return
		}
		if cd, ok := tok.(xml.CharData); ok {
			text.Write(cd)
		}
	}
	if !strings.Contains(svg, `role="img"`) || !strings.Contains(svg, "<title") || !strings.Contains(svg, "<desc") {
		t.Errorf("%s: chart not labelled: %s", what, svg)
	}
	for _, o := range d.Options {
		want := o.Label
		if d.Type == poll.TypeMeeting {
			want = o.Start.Format("2 Jan 2006")
		}
		if !strings.Contains(text.String(), want) {
			t.Errorf("%s: chart lacks %q: %s", what, want, text.String())
		}
	}
}

// formFor is a vote form that every type accepts.
func formFor(d poll.Definition) url.Values {
	f := url.Values{"reason": {"Because the form says so."}}
	switch d.Type {
	case poll.TypeQuestion:
	case poll.TypeScore:
		f.Set("score."+d.Options[0].ID, "4")
	case poll.TypeDotVote:
		f.Set("dots."+d.Options[0].ID, "8")
	case poll.TypeRankedChoice:
		ids := []string{}
		for _, o := range d.Options {
			ids = append(ids, o.ID)
		}
		f.Set("order", strings.Join(ids, ","))
	case poll.TypeMeeting:
		for _, o := range d.Options {
			f.Set("answer."+o.ID, "2")
		}
	case poll.TypePoll:
		f.Set("choice", d.Options[1].ID)
	default:
		f.Set("choice", d.Options[0].ID)
	}
	return f
}

func TestPollFormsEveryType(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	e.must(e.do(o, "GET", "/groups/"+e.gid+"/polls/new", nil), 200, "type chooser")
	zone := "Europe/Berlin"
	for _, typ := range poll.Types() {
		e.must(e.do(o, "GET", "/groups/"+e.gid+"/polls/new?type="+string(typ), nil), 200, "form "+string(typ))
		f := url.Values{"type": {string(typ)}, "title": {"Form " + string(typ)}, "closing_at": {time.Now().Add(72 * time.Hour).UTC().Format("2006-01-02T15:04")},
			"hide_results": {"off"}, "reason_mode": {"optional"}, "reason_max_length": {"500"}, "quorum_percent": {"0"}, "reminder_audience": {"undecided"}}
		switch typ {
		case poll.TypeProposal:
			f.Set("opt_agree", "on")
			f.Set("opt_disagree", "on")
			f.Set("options", "Later")
		case poll.TypeMeeting:
			day := time.Now().Add(10 * 24 * time.Hour).Format("2006-01-02")
			f.Set("options", day+" 10:00\n"+day+" 14:30\n"+day[:8]+"28")
			f.Set("time_zone", zone)
			f.Set("meeting_duration", "45")
			f.Set("can_respond_maybe", "on")
		case poll.TypePoll:
			f.Set("options", "Red\nGreen\nBlue")
			f.Set("min_choices", "1")
			f.Set("max_choices", "1")
			f.Set("none_of_the_above", "on")
		case poll.TypeScore:
			f.Set("options", "Red\nGreen")
			f.Set("min_score", "0")
			f.Set("max_score", "5")
		case poll.TypeRankedChoice:
			f.Set("options", "Red\nGreen\nBlue\nYellow")
			f.Set("min_choices", "3")
			f.Set("seats", "1")
		case poll.TypeDotVote:
			f.Set("options", "Red\nGreen")
			f.Set("dots_per_person", "8")
		case poll.TypeCount:
			f.Set("count_target", "3")
		}
		r := e.do(o, "POST", "/groups/"+e.gid+"/polls", f)
		if r.code != 303 || !strings.HasPrefix(r.hdr.Get("Location"), "/polls/") {
			t.Fatalf("create %s by form: %d %.800s", typ, r.code, r.body)
		}
		pid := strings.TrimPrefix(strings.Split(r.hdr.Get("Location"), "?")[0], "/polls/")
		p, err := e.a.Decisions.Get(o.ctx, pid)
		if err != nil {
			t.Fatal(err)
		}
		if typ == poll.TypeMeeting && (p.Definition.Settings.TimeZone != zone || len(p.Definition.Options) != 3 || p.Definition.Settings.MeetingDuration != 45) {
			t.Errorf("meeting by form: %+v", p.Definition)
		}
		page := e.must(e.do(m, "GET", "/polls/"+pid, nil), 200, "page")
		if !strings.Contains(page.body, `action="/polls/`+pid+`/vote"`) {
			t.Errorf("%s: no vote form", typ)
		}
		// meeting times are shown in the reader's zone (UTC for this
		// member), named above the vote form
		if typ == poll.TypeMeeting && !strings.Contains(page.body, "Times are in UTC") {
			t.Errorf("meeting vote form does not name the reader's zone")
		}
		vr := e.do(m, "POST", "/polls/"+pid+"/vote", formFor(p.Definition))
		if vr.code != 303 {
			t.Fatalf("%s: vote by form: %d %.1500s", typ, vr.code, vr.body)
		}
		mine, err := e.a.Decisions.Mine(m.ctx, pid)
		if err != nil || !mine.Voted {
			t.Errorf("%s: form vote not stored: %+v %v", typ, mine, err)
		}
		// A bad vote re-renders the page with the reason, never 500.
		bad := url.Values{"reason": {strings.Repeat("x", 600)}, "choice": {"nope"}, "score." + firstID(p.Definition): {"many"}}
		br := e.do(m, "POST", "/polls/"+pid+"/vote", bad)
		if br.code != 400 || !strings.Contains(br.body, "Please correct the following") {
			t.Errorf("%s: bad form vote: %d %.300s", typ, br.code, br.body)
		}
		// Edit form round trip.
		e.must(e.do(o, "GET", "/polls/"+pid+"/edit", nil), 200, "edit form")
		e.must(e.do(m, "GET", "/polls/"+pid+"/edit", nil), 403, "edit form as member")
	}
	// Bad poll forms re-render with errors.
	r := e.do(o, "POST", "/groups/"+e.gid+"/polls", url.Values{"type": {"poll"}, "title": {""}, "options": {""}, "closing_at": {"soon"}})
	if r.code != 400 || !strings.Contains(r.body, "Please correct the following") {
		t.Errorf("bad poll form: %d %.300s", r.code, r.body)
	}
	if r := e.do(o, "POST", "/groups/"+e.gid+"/polls", url.Values{"type": {"bogus"}}); r.code != 400 {
		t.Errorf("bogus type: %d", r.code)
	}
}

func firstID(d poll.Definition) string {
	if len(d.Options) == 0 {
		return "x"
	}
	return d.Options[0].ID
}

func TestPollRankedMoveAndDotsForm(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	p := e.createAPI(o, poll.TypeRankedChoice, map[string]any{"min_choices": 2}, labels("Red", "Green", "Blue"))
	ids := []string{p.Definition.Options[0].ID, p.Definition.Options[1].ID, p.Definition.Options[2].ID}
	r := e.must(e.do(m, "POST", "/polls/"+p.ID+"/vote", url.Values{"order": {strings.Join(ids, ",")}, "move": {"down:" + ids[0]}}), 200, "move")
	want := ids[1] + "," + ids[0] + "," + ids[2]
	if !strings.Contains(r.body, `value="`+want+`"`) {
		t.Errorf("moved order not in the form: %s", want)
	}
	if mine, _ := e.a.Decisions.Mine(m.ctx, p.ID); mine.Voted {
		t.Errorf("moving voted")
	}
	e.must(e.do(m, "POST", "/polls/"+p.ID+"/vote", url.Values{"order": {want}}), 303, "ranked vote")
	mine, _ := e.a.Decisions.Mine(m.ctx, p.ID)
	if mine.Ballot == nil || len(mine.Ballot.Choices) != 2 || mine.Ballot.Choices[0].OptionID != ids[1] || mine.Ballot.Choices[0].Score != 2 {
		t.Errorf("ranked ballot %+v", mine.Ballot)
	}
	dots := e.createAPI(o, poll.TypeDotVote, map[string]any{"dots_per_person": 5}, labels("A", "B"))
	over := url.Values{"dots." + dots.Definition.Options[0].ID: {"4"}, "dots." + dots.Definition.Options[1].ID: {"2"}}
	if r := e.do(m, "POST", "/polls/"+dots.ID+"/vote", over); r.code != 400 || !strings.Contains(r.body, "at most 5") {
		t.Errorf("dots over budget: %d %.300s", r.code, r.body)
	}
	page := e.must(e.do(m, "GET", "/polls/"+dots.ID, nil), 200, "dots page")
	if !strings.Contains(page.body, "Dots left: <output>5</output> of 5") {
		t.Errorf("dots left not shown")
	}
}

// Hidden results never leak: API results, ballots, CSV exports, the page
// and the group's poll list, for a voter and a non-voter, until_vote and
// until_closed.
func TestPollHiddenResultsNeverLeak(t *testing.T) {
	e, o, m, n := newPollEnv(t)
	const secret = "Zebra-reason-only-visible-with-results"
	for _, mode := range []string{"until_vote", "until_closed"} {
		p := e.createAPI(o, poll.TypePoll, map[string]any{"hide_results": mode}, labels("Tea", "Coffee"))
		b := validBallot(p.Definition)
		b["reason"] = secret
		e.must(e.do(o, "PUT", "/api/v1/polls/"+p.ID+"/ballot", b), 201, "owner votes")
		e.must(e.do(m, "PUT", "/api/v1/polls/"+p.ID+"/ballot", validBallot(p.Definition)), 201, "member votes")
		probe := func(who *pollPerson, label string, visible bool) {
			t.Helper()
			res := e.must(e.do(who, "GET", "/api/v1/polls/"+p.ID+"/results", nil), 200, label+" results")
			ballots := e.must(e.do(who, "GET", "/api/v1/polls/"+p.ID+"/ballots", nil), 200, label+" ballots")
			csvR := e.do(who, "GET", "/api/v1/polls/"+p.ID+"/results.csv", nil)
			csvB := e.do(who, "GET", "/api/v1/polls/"+p.ID+"/ballots.csv", nil)
			page := e.must(e.do(who, "GET", "/polls/"+p.ID, nil), 200, label+" page")
			list := e.must(e.do(who, "GET", "/api/v1/groups/"+e.gid+"/polls", nil), 200, label+" list")
			listPage := e.must(e.do(who, "GET", "/groups/"+e.gid+"/polls", nil), 200, label+" list page")
			if visible {
				if !strings.Contains(res.body, `"decided":2`) || !strings.Contains(ballots.body, secret) || csvR.code != 200 || csvB.code != 200 || !strings.Contains(page.body, "<svg") {
					t.Errorf("%s %s: results should be visible", mode, label)
				}
				return
			}
			if !strings.Contains(res.body, `"hidden"`) || strings.Contains(res.body, `"results"`) || strings.Contains(res.body, "decided") || strings.Contains(res.body, "total") {
				t.Errorf("%s %s: results leak: %s", mode, label, res.body)
			}
			if !strings.Contains(ballots.body, `"hidden"`) || strings.Contains(ballots.body, secret) || strings.Contains(ballots.body, "choices") {
				t.Errorf("%s %s: ballots leak: %s", mode, label, ballots.body)
			}
			if csvR.code != 403 || csvB.code != 403 || strings.Contains(csvB.body, secret) || strings.Contains(csvR.body, "Tea") {
				t.Errorf("%s %s: CSV leak: %d %d %s %s", mode, label, csvR.code, csvB.code, csvR.body, csvB.body)
			}
			for what, body := range map[string]string{"page": page.body, "list": list.body, "list page": listPage.body} {
				if strings.Contains(body, secret) || strings.Contains(body, "<svg") || strings.Contains(body, "eligible voters have voted") || strings.Contains(body, "Votes and reasons") {
					t.Errorf("%s %s: %s leaks results", mode, label, what)
				}
			}
			if !strings.Contains(page.body, "Results are hidden until") {
				t.Errorf("%s %s: page does not say results are hidden", mode, label)
			}
		}
		probe(m, "voter", mode == "until_vote")
		probe(n, "non-voter", false)
		// Remind tells the count only when visible.
		rem := e.must(e.do(o, "POST", "/api/v1/polls/"+p.ID+"/remind", nil), 200, "remind")
		if mode == "until_closed" && strings.Contains(rem.body, "sent") {
			t.Errorf("remind leaks the undecided count: %s", rem.body)
		}
		e.must(e.do(o, "POST", "/api/v1/polls/"+p.ID+"/close", nil), 200, "close")
		probe(n, "non-voter after close", true)
	}
}

func TestPollCSVEscapingAndInjection(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	p := e.createAPI(o, poll.TypePoll, map[string]any{"max_choices": 3}, labels(`=HYPERLINK("http://evil")`, `Plain, with "quotes"`, "-2+3", "@SUM(A1)"))
	all := []map[string]any{}
	for _, o := range p.Definition.Options[:3] {
		all = append(all, map[string]any{"option_id": o.ID})
	}
	e.must(e.do(m, "PUT", "/api/v1/polls/"+p.ID+"/ballot", map[string]any{"choices": all, "reason": "+cmd|' /C calc'!A0\nsecond line, \"quoted\""}), 201, "vote")
	for _, kind := range []string{"results", "ballots"} {
		r := e.must(e.do(m, "GET", "/api/v1/polls/"+p.ID+"/"+kind+".csv", nil), 200, kind+" csv")
		if ct := r.hdr.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(r.hdr.Get("Content-Disposition"), "attachment") {
			t.Errorf("%s csv headers: %v", kind, r.hdr)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.body, "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatalf("%s csv does not parse: %v\n%s", kind, err, r.body)
		}
		for _, row := range rows {
			for _, cell := range row {
				if cell != "" && strings.ContainsRune("=+@", rune(cell[0])) || strings.HasPrefix(cell, "-2") {
					t.Errorf("%s csv: formula cell %q", kind, cell)
				}
			}
		}
		flat := fmt.Sprint(rows)
		for _, want := range []string{`'=HYPERLINK("http://evil")`, `Plain, with "quotes"`, "'-2+3", "'@SUM(A1)"} {
			if !strings.Contains(flat, want) {
				t.Errorf("%s csv lacks %q: %v", kind, want, rows)
			}
		}
		if kind == "ballots" && (!strings.Contains(flat, "Milo Member") || !strings.Contains(flat, "'+cmd|' /C calc'!A0\nsecond line, \"quoted\"")) {
			t.Errorf("ballots csv lacks the name or the neutralised reason: %v", rows)
		}
		if !strings.Contains(r.body, "\r\n") {
			t.Errorf("csv lines must end with CRLF")
		}
	}
	// Anonymous polls: no names in the ballot export.
	a := e.createAPI(o, poll.TypeProposal, map[string]any{"anonymous": true}, nil)
	e.must(e.do(m, "PUT", "/api/v1/polls/"+a.ID+"/ballot", `{"choices":[{"option_id":"agree"}],"reason":"quiet"}`), 201, "anon vote")
	r := e.must(e.do(o, "GET", "/api/v1/polls/"+a.ID+"/ballots.csv", nil), 200, "anon csv")
	if strings.Contains(r.body, "Milo") || strings.Contains(r.body, m.id) || strings.Contains(r.body, "voter") {
		t.Errorf("anonymous ballots csv names voters: %s", r.body)
	}
}

func TestPollAnonymousReceipt(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	p := e.createAPI(o, poll.TypeProposal, map[string]any{"anonymous": true}, nil)
	r := decodeInto[map[string]any](t, e.must(e.do(m, "PUT", "/api/v1/polls/"+p.ID+"/ballot", `{"choices":[{"option_id":"agree"}]}`), 201, "vote"))
	receipt, _ := r["receipt"].(string)
	if receipt == "" {
		t.Fatalf("no receipt: %v", r)
	}
	e.must(e.do(m, "PUT", "/api/v1/polls/"+p.ID+"/ballot", `{"choices":[{"option_id":"block"}]}`), 409, "second cast without receipt")
	ch := decodeInto[map[string]any](t, e.must(e.do(m, "PUT", "/api/v1/polls/"+p.ID+"/ballot", map[string]any{"choices": []map[string]any{{"option_id": "block"}}, "receipt": receipt}), 200, "change with receipt"))
	if ch["receipt"] != nil {
		t.Errorf("receipt shown twice: %v", ch)
	}
	v := e.must(e.do(o, "POST", "/api/v1/polls/"+p.ID+"/receipt", map[string]string{"receipt": receipt}), 200, "verify")
	if !strings.Contains(v.body, `"counted":true`) || !strings.Contains(v.body, "block") {
		t.Errorf("verify: %s", v.body)
	}
	e.must(e.do(o, "POST", "/api/v1/polls/"+p.ID+"/receipt", `{"receipt":"forged"}`), 404, "forged receipt")
	checkReceiptPage(t, e, m, p.ID, receipt)
	mine := e.must(e.do(m, "GET", "/api/v1/polls/"+p.ID+"/ballot", nil), 200, "mine")
	if strings.Contains(mine.body, "block") || !strings.Contains(mine.body, `"voted":true`) {
		t.Errorf("mine in an anonymous poll: %s", mine.body)
	}
	// Through the form (Post/Redirect/Get): the vote answers with a
	// redirect whose address holds no receipt; the receipt rides in a
	// short-lived cookie to the poll page, which shows it once and clears
	// it, so a refresh neither votes again nor shows it again.
	p2 := e.createAPI(o, poll.TypeCheck, map[string]any{"anonymous": true}, nil)
	fr := e.do(m, "POST", "/polls/"+p2.ID+"/vote", url.Values{"choice": {"looks_good"}})
	loc := fr.hdr.Get("Location")
	if fr.code != http.StatusSeeOther || !strings.HasPrefix(loc, "/polls/"+p2.ID+"?done=voted") || strings.Contains(fr.body, `id="receipt-value"`) {
		t.Fatalf("form vote in an anonymous poll: %d %q %.300s", fr.code, loc, fr.body)
	}
	var handed *http.Cookie
	for _, c := range (&http.Response{Header: fr.hdr}).Cookies() {
		if c.Name == httpx.OnceCookie {
			handed = c
		}
	}
	if handed == nil || !handed.HttpOnly || !handed.Secure || handed.MaxAge <= 0 || strings.Contains(loc, handed.Value) {
		t.Fatalf("the receipt cookie: %+v (location %q)", handed, loc)
	}
	_, formReceipt, _ := strings.Cut(handed.Value, ".")
	getWith := func(c *http.Cookie) resp {
		r := httptest.NewRequest("GET", loc, nil)
		r.Header.Set("Accept", "text/html")
		r.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: m.cookie})
		r.AddCookie(c)
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, r)
		return resp{code: rec.Code, body: rec.Body.String(), hdr: rec.Header()}
	}
	shown := e.must(getWith(handed), 200, "the page the vote leads to")
	if !strings.Contains(shown.body, `id="receipt-value"`) || !strings.Contains(shown.body, formReceipt) {
		t.Errorf("the receipt is not shown after the redirect: %.300s", shown.body)
	}
	cleared := false
	for _, c := range (&http.Response{Header: shown.hdr}).Cookies() {
		cleared = cleared || (c.Name == httpx.OnceCookie && c.MaxAge < 0)
	}
	if !cleared {
		t.Errorf("the page showing the receipt does not clear its cookie: %v", shown.hdr["Set-Cookie"])
	}
	if other := e.must(getWith(&http.Cookie{Name: httpx.OnceCookie, Value: "poll-" + p.ID + "." + formReceipt}), 200, "another poll's page"); strings.Contains(other.body, formReceipt) {
		t.Errorf("a receipt cookie for another poll is shown")
	}
	again := e.must(e.do(m, "GET", "/polls/"+p2.ID, nil), 200, "page again")
	if strings.Contains(again.body, `id="receipt-value"`) {
		t.Errorf("receipt shown again")
	}
	e.must(e.do(m, "DELETE", "/api/v1/polls/"+p.ID+"/ballot", nil), 400, "withdraw without receipt")
	e.must(e.do(m, "DELETE", "/api/v1/polls/"+p.ID+"/ballot", map[string]string{"receipt": receipt}), 204, "withdraw with receipt")
}

// checkReceiptPage checks receipt on poll pid's "Check your receipt" page
// as m: Post/Redirect/Get, the receipt in a once cookie (never in the
// address), the result shown once; a wrong receipt comes back with 400.
func checkReceiptPage(t *testing.T, e *pollEnv, m *pollPerson, pid, receipt string) {
	t.Helper()
	bad := e.must(e.do(m, "POST", "/polls/"+pid+"/receipt", url.Values{"receipt": {"forged"}}), 400, "forged receipt on the page")
	if !strings.Contains(bad.body, `id="receipt-error"`) || strings.Contains(bad.body, "forged") {
		t.Errorf("forged receipt page: %.400s", bad.body)
	}
	fr := e.do(m, "POST", "/polls/"+pid+"/receipt", url.Values{"receipt": {receipt}})
	loc := fr.hdr.Get("Location")
	if fr.code != http.StatusSeeOther || !strings.HasPrefix(loc, "/polls/"+pid+"/receipt?done=checked") || strings.Contains(loc, receipt) {
		t.Fatalf("check a receipt: %d %q, want a 303 to the receipt page without it", fr.code, loc)
	}
	var handed *http.Cookie
	for _, c := range (&http.Response{Header: fr.hdr}).Cookies() {
		if c.Name == httpx.OnceCookie {
			handed = c
		}
	}
	if handed == nil || !handed.HttpOnly || !handed.Secure || handed.MaxAge <= 0 || handed.Value != "receipt-"+pid+"."+receipt {
		t.Fatalf("the receipt's once cookie: %+v", handed)
	}
	get := func(c *http.Cookie) resp {
		page, _, _ := strings.Cut(loc, "#") // a browser keeps the fragment
		r := httptest.NewRequest("GET", page, nil)
		r.Header.Set("Accept", "text/html")
		r.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: m.cookie})
		if c != nil {
			r.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, r)
		return resp{code: rec.Code, body: rec.Body.String(), hdr: rec.Header()}
	}
	page := e.must(get(handed), 200, "the result")
	if !strings.Contains(page.body, "stored and counted") || strings.Contains(page.body, receipt) {
		t.Errorf("the result page: %.400s", page.body)
	}
	cleared := false
	for _, c := range (&http.Response{Header: page.hdr}).Cookies() {
		cleared = cleared || (c.Name == httpx.OnceCookie && c.MaxAge < 0)
	}
	if !cleared {
		t.Errorf("the result page keeps the receipt's cookie: %v", page.hdr["Set-Cookie"])
	}
	// A refresh (no cookie any more): the form, and why the result is gone.
	again := e.must(get(nil), 200, "refresh")
	if strings.Contains(again.body, "stored and counted") || !strings.Contains(again.body, "shown only once") {
		t.Errorf("the refreshed result page: %.400s", again.body)
	}
	// Another poll's cookie is not taken.
	other := e.must(get(&http.Cookie{Name: httpx.OnceCookie, Value: "receipt-other." + receipt}), 200, "another poll's cookie")
	if strings.Contains(other.body, "stored and counted") {
		t.Errorf("a receipt cookie for another poll is used")
	}
}

var icsLineRe = regexp.MustCompile(`^[A-Z-]+(;[A-Z-]+=[^:;]+)*:`)

func TestPollMeetingICS(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	p := e.createAPI(o, poll.TypeMeeting, map[string]any{"time_zone": "America/New_York", "meeting_duration": 90}, meetingOptions())
	p.Definition.Title = "unused"
	e.must(e.do(o, "PATCH", "/api/v1/polls/"+p.ID, `{"title":"Plan; budget, \\ and a very long title that goes on and on so that the line must be folded somewhere"}`), 200, "retitle")
	e.must(e.do(m, "GET", "/api/v1/polls/"+p.ID+"/outcome.ics", nil), 404, "no outcome yet")
	e.must(e.do(o, "POST", "/api/v1/polls/"+p.ID+"/close", nil), 200, "close")
	opt := p.Definition.Options[1]
	e.must(e.do(o, "PUT", "/api/v1/polls/"+p.ID+"/outcome", map[string]string{"statement": "We meet then.\nBring **snacks**; and maps, please.", "meeting_option_id": opt.ID}), 200, "outcome")
	r := e.must(e.do(m, "GET", "/api/v1/polls/"+p.ID+"/outcome.ics", nil), 200, "ics")
	if !strings.HasPrefix(r.hdr.Get("Content-Type"), "text/calendar") {
		t.Errorf("content type %q", r.hdr.Get("Content-Type"))
	}
	body := r.body
	if !strings.HasPrefix(body, "BEGIN:VCALENDAR\r\n") || !strings.HasSuffix(body, "END:VCALENDAR\r\n") {
		t.Fatalf("ics frame: %q", body)
	}
	if strings.Contains(strings.ReplaceAll(body, "\r\n", ""), "\n") {
		t.Errorf("bare LF in ics")
	}
	var unfolded []string
	for _, l := range strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line over 75 octets: %q", l)
		}
		if strings.HasPrefix(l, " ") {
			unfolded[len(unfolded)-1] += l[1:]
			continue
		}
		unfolded = append(unfolded, l)
	}
	all := strings.Join(unfolded, "\n")
	start := opt.Start.UTC()
	for _, want := range []string{
		"DTSTART:" + start.Format("20060102T150405Z"),
		"DTEND:" + start.Add(90*time.Minute).Format("20060102T150405Z"),
		`SUMMARY:Plan\; budget\, \\ and a very long title`,
		`DESCRIPTION:We meet then.\nBring snacks\; and maps\, please.`,
		"BEGIN:VEVENT", "END:VEVENT", "UID:poll-" + p.ID + "@quorum", "VERSION:2.0", "PRODID:",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("ics lacks %q:\n%s", want, all)
		}
	}
	for _, l := range unfolded {
		if !icsLineRe.MatchString(l) {
			t.Errorf("not a content line: %q", l)
		}
	}
	page := e.must(e.do(m, "GET", "/polls/"+p.ID, nil), 200, "page")
	if !strings.Contains(page.body, "outcome.ics") || !strings.Contains(page.body, "(UTC)") {
		t.Errorf("meeting outcome page lacks the .ics link or the reader's zone")
	}
}
