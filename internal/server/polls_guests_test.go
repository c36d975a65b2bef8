package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/discussion"
)

// problemOf is the part of a problem+json answer that must not depend on
// hidden state: status, title, detail and field errors.
func problemOf(t *testing.T, r resp) string {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal([]byte(r.body), &p); err != nil {
		t.Fatalf("not problem+json: %s", r.body)
	}
	delete(p, "request_id")
	delete(p, "instance")
	b, _ := json.Marshal(p)
	return string(b)
}

// Issue 11 item 4: with results (hence ballots) hidden from the admin, an
// edit gets the same answer before and after someone votes: removing an
// option, relabelling one, turning anonymity on, changing the voter set.
// Where the results are visible, the real ballots decide (they are no
// secret).
func TestHiddenPollEditsDoNotDependOnBallots(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	edits := map[string]func(pollJSON) map[string]any{
		"remove an option": func(p pollJSON) map[string]any {
			return map[string]any{"options": p.Definition.Options[:2]}
		},
		"relabel an option": func(p pollJSON) map[string]any {
			opts := append(p.Definition.Options[:0:0], p.Definition.Options...)
			opts[0].Label = "Oolong"
			return map[string]any{"options": opts}
		},
		"turn anonymity on": func(pollJSON) map[string]any { return map[string]any{"settings": map[string]any{"anonymous": true}} },
		"choose the voters": func(pollJSON) map[string]any {
			return map[string]any{"settings": map[string]any{"specified_voters_only": true}}
		},
		"change the maximum": func(pollJSON) map[string]any { return map[string]any{"settings": map[string]any{"max_choices": 2}} },
	}
	for _, mode := range []string{"until_vote", "until_closed"} {
		p := e.createAPI(o, "poll", map[string]any{"hide_results": mode}, labels("Tea", "Coffee", "Water"))
		answers := map[string]string{}
		for name, edit := range edits {
			r := e.do(o, "PATCH", "/api/v1/polls/"+p.ID, edit(p))
			if r.code != 400 {
				t.Errorf("%s, no ballot: %s answered %d %s", mode, name, r.code, r.body)
				continue
			}
			answers[name] = problemOf(t, r)
		}
		e.must(e.do(m, "PUT", "/api/v1/polls/"+p.ID+"/ballot", validBallot(p.Definition)), 201, "vote")
		for name, edit := range edits {
			r := e.do(o, "PATCH", "/api/v1/polls/"+p.ID, edit(p))
			if got := problemOf(t, r); r.code != 400 || got != answers[name] {
				t.Errorf("%s: %s answers differently once a ballot exists:\n before %s\n after  %d %s", mode, name, answers[name], r.code, got)
			}
		}
		// Adding an option is allowed either way.
		e.must(e.do(o, "POST", "/api/v1/polls/"+p.ID+"/options", map[string]string{"label": "Juice"}), 201, mode+": add an option")
	}
	// Visible results: an option goes while nobody voted, not after.
	p := e.createAPI(o, "poll", nil, labels("Tea", "Coffee", "Water"))
	e.must(e.do(o, "PATCH", "/api/v1/polls/"+p.ID, map[string]any{"options": p.Definition.Options[:2]}), 200, "remove before votes")
	p.Definition.Options = p.Definition.Options[:2]
	e.must(e.do(m, "PUT", "/api/v1/polls/"+p.ID+"/ballot", validBallot(p.Definition)), 201, "vote")
	r := e.must(e.do(o, "PATCH", "/api/v1/polls/"+p.ID, map[string]any{"options": p.Definition.Options[:1]}), 400, "remove after votes")
	if !strings.Contains(r.body, "after votes were cast") {
		t.Errorf("visible results: %s", r.body)
	}
}

// Issue 11 item 5: thread guests see a poll of their thread, but vote only
// where the poll invites the thread's guests or chooses them as voters;
// then they count among the eligible, can read the list of votes, and
// lose their vote when they stop being guests, as a member who leaves.
func TestThreadGuestsVoteOnlyWhereInvited(t *testing.T) {
	e, o, m, n := newPollEnv(t)
	g := e.person("Gus Guest")
	th, err := e.a.Discussions.StartThread(o.ctx, discussion.StartInput{GroupID: e.gid, Title: "With a guest"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.a.Discussions.AddGuest(o.ctx, th.ID, g.id); err != nil {
		t.Fatal(err)
	}
	create := func(settings map[string]any, extra map[string]any) pollJSON {
		t.Helper()
		settings["closing_at"] = closing()
		body := map[string]any{"type": "proposal", "title": "Guests?", "thread_id": th.ID, "settings": settings}
		for k, v := range extra {
			body[k] = v
		}
		return decodeInto[pollJSON](t, e.must(e.do(o, "POST", "/api/v1/groups/"+e.gid+"/polls", body), 201, "create"))
	}
	ballot := `{"choices":[{"option_id":"agree"}],"reason":"guest reason"}`
	figures := func(pid string) (eligible, decided float64) {
		t.Helper()
		var v struct {
			Results struct{ Eligible, Decided float64 }
		}
		if err := json.Unmarshal([]byte(e.must(e.do(o, "GET", "/api/v1/polls/"+pid+"/results", nil), 200, "results").body), &v); err != nil {
			t.Fatal(err)
		}
		return v.Results.Eligible, v.Results.Decided
	}

	// Not invited: the guest sees the poll and its figures, is not a voter,
	// does not count, and does not read the members' names and reasons.
	plain := create(map[string]any{}, nil)
	e.must(e.do(g, "GET", "/api/v1/polls/"+plain.ID, nil), 200, "guest sees the poll")
	e.must(e.do(g, "PUT", "/api/v1/polls/"+plain.ID+"/ballot", ballot), 403, "guest votes uninvited")
	e.must(e.do(m, "PUT", "/api/v1/polls/"+plain.ID+"/ballot", `{"choices":[{"option_id":"agree"}],"reason":"member reason"}`), 201, "member votes")
	e.must(e.do(g, "GET", "/api/v1/polls/"+plain.ID+"/results", nil), 200, "guest reads the figures")
	if r := e.must(e.do(g, "GET", "/api/v1/polls/"+plain.ID+"/ballots", nil), 403, "guest reads the votes"); strings.Contains(r.body, "member reason") {
		t.Errorf("the refusal leaks a reason")
	}
	e.must(e.do(g, "GET", "/api/v1/polls/"+plain.ID+"/ballots.csv", nil), 403, "guest exports the votes")
	if el, dec := figures(plain.ID); el != 3 || dec != 1 {
		t.Errorf("uninvited guest counted: eligible %v decided %v", el, dec)
	}
	if mine := e.must(e.do(g, "GET", "/api/v1/polls/"+plain.ID+"/ballot", nil), 200, "mine"); !strings.Contains(mine.body, `"eligible":false`) {
		t.Errorf("guest told they may vote: %s", mine.body)
	}
	page := e.must(e.do(g, "GET", "/polls/"+plain.ID, nil), 200, "guest's poll page")
	if strings.Contains(page.body, `action="/polls/`+plain.ID+`/vote"`) || strings.Contains(page.body, "member reason") {
		t.Errorf("the guest's page offers a vote or shows a member's reason")
	}
	e.must(e.do(o, "POST", "/api/v1/groups/"+e.gid+"/polls", map[string]any{"type": "proposal", "title": "Outside",
		"settings": map[string]any{"thread_guests_may_vote": true, "closing_at": closing()}}), 400, "invite guests outside a thread")

	// Invited: the guest votes and counts; the undecided are the members.
	inv := create(map[string]any{"thread_guests_may_vote": true}, nil)
	if mine := e.must(e.do(g, "GET", "/api/v1/polls/"+inv.ID+"/ballot", nil), 200, "mine"); !strings.Contains(mine.body, `"eligible":true`) {
		t.Errorf("invited guest not told they may vote: %s", mine.body)
	}
	e.must(e.do(g, "PUT", "/api/v1/polls/"+inv.ID+"/ballot", ballot), 201, "invited guest votes")
	if el, dec := figures(inv.ID); el != 4 || dec != 1 {
		t.Errorf("invited guest: eligible %v decided %v, want 4 and 1", el, dec)
	}
	und := e.must(e.do(o, "GET", "/api/v1/polls/"+inv.ID+"/undecided", nil), 200, "undecided")
	for _, p := range []*pollPerson{o, m, n} {
		if !strings.Contains(und.body, p.id) {
			t.Errorf("%s missing from the undecided", p.name)
		}
	}
	if strings.Contains(und.body, g.id) {
		t.Errorf("the guest who voted is undecided")
	}
	e.must(e.do(g, "GET", "/api/v1/polls/"+inv.ID+"/ballots", nil), 200, "invited guest reads the votes")

	// Chosen as a voter of a poll with chosen voters.
	spec := create(map[string]any{"specified_voters_only": true}, map[string]any{"voters": []string{g.id, m.id}})
	e.must(e.do(g, "PUT", "/api/v1/polls/"+spec.ID+"/ballot", ballot), 201, "chosen guest votes")
	e.must(e.do(n, "PUT", "/api/v1/polls/"+spec.ID+"/ballot", ballot), 403, "member who was not chosen")
	if el, dec := figures(spec.ID); el != 2 || dec != 1 {
		t.Errorf("chosen guest: eligible %v decided %v", el, dec)
	}

	// No longer a guest: ballots withdrawn from open polls, out of the
	// voter sets, exactly as a member who leaves.
	e.must(e.do(o, "DELETE", "/api/v1/threads/"+th.ID+"/guests/"+g.id, nil), 204, "remove the guest")
	if el, dec := figures(inv.ID); el != 3 || dec != 0 {
		t.Errorf("after removal (invited): eligible %v decided %v, want 3 and 0", el, dec)
	}
	if el, dec := figures(spec.ID); el != 1 || dec != 0 {
		t.Errorf("after removal (chosen): eligible %v decided %v, want 1 and 0", el, dec)
	}
	e.must(e.do(g, "PUT", "/api/v1/polls/"+inv.ID+"/ballot", ballot), 403, "former guest votes")
	if rep, err := e.a.Decisions.Recount(o.ctx, inv.ID); err != nil || len(rep.Differences) != 0 || rep.Ballots != 0 {
		t.Errorf("recount after removal: %+v %v", rep, err)
	}
}
