package server_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/notify"
)

// join makes p a member of the env's group.
func (e *pollEnv) join(p *pollPerson) {
	e.t.Helper()
	link, err := e.a.Groups.JoinLink(e.owner.ctx, e.gid)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.a.Groups.JoinViaLink(p.ctx, link[strings.LastIndex(link, "/join/")+len("/join/"):]); err != nil {
		e.t.Fatal(err)
	}
}

// The attack of issue 11 item 3, replayed: in an open anonymous poll whose
// figures everyone sees, an admin (and a member) reads every surface they
// can reach, API and pages, before the first vote and after each one. No
// part of any reading that names a person may change when someone else
// votes (the one who left the undecided list would be the one whose choice
// and reason just appeared; a mark beside a name would do the same); the
// list of votes is ordered by nothing but the voters' secret receipts;
// reminders still reach the undecided without anyone seeing who they are;
// once the poll closes, participation shows.
func TestAnonymousPollAttackReplay(t *testing.T) {
	e, o, m, n := newPollEnv(t)
	p1, p2 := e.person("Pia Voter"), e.person("Quinn Voter")
	e.join(p1)
	e.join(p2)
	people := []*pollPerson{o, m, n, p1, p2}
	th, err := e.a.Discussions.StartThread(o.ctx, discussion.StartInput{GroupID: e.gid, Title: "Secret ballot"})
	if err != nil {
		t.Fatal(err)
	}
	created := e.must(e.do(o, "POST", "/api/v1/groups/"+e.gid+"/polls", map[string]any{"type": "poll", "title": "Which colour",
		"thread_id": th.ID, "options": labels("Red", "Blue", "Green"),
		"settings": map[string]any{"anonymous": true, "closing_at": closing()}}), 201, "create")
	pl := decodeInto[pollJSON](t, created)
	opt := map[string]string{}
	for _, op := range pl.Definition.Options {
		opt[op.Label] = op.ID
	}

	// Every surface a member or an admin of the group can read.
	pid, gid, tid := pl.ID, e.gid, th.ID
	surfaces := []string{
		"/api/v1/polls/" + pid, "/api/v1/polls/" + pid + "/results", "/api/v1/polls/" + pid + "/results.csv",
		"/api/v1/polls/" + pid + "/ballots", "/api/v1/polls/" + pid + "/ballots.csv", "/api/v1/polls/" + pid + "/undecided",
		"/api/v1/polls/" + pid + "/voters", "/api/v1/polls/" + pid + "/ballot", "/api/v1/polls/" + pid + "/outcome",
		"/api/v1/groups/" + gid + "/polls", "/api/v1/groups/" + gid, "/api/v1/groups/" + gid + "/members", "/api/v1/groups",
		"/api/v1/groups/" + gid + "/threads", "/api/v1/threads/" + tid, "/api/v1/threads/" + tid + "/timeline",
		"/api/v1/threads/" + tid + "/history", "/api/v1/threads/" + tid + "/guests",
		"/api/v1/notifications", "/api/v1/notifications/unread-count", "/api/v1/dashboard", "/api/v1/me",
		"/polls/" + pid, "/polls/" + pid + "/edit", "/polls/" + pid + "/receipt", "/groups/" + gid + "/polls", "/groups/" + gid,
		"/groups/" + gid + "/members", "/groups/" + gid + "/threads", "/groups", "/threads/" + tid, "/threads/" + tid + "/history",
		"/notifications", "/dashboard", "/",
	}
	// naming returns the parts of a reading that name someone (id or
	// name), one per line of a page or JSON object, with digits blurred
	// (times and counts may move; who is named next to what may not).
	blur := regexp.MustCompile(`[0-9]`)
	naming := func(body string) map[string]int {
		out := map[string]int{}
		for _, part := range strings.FieldsFunc(body, func(r rune) bool { return r == '\n' || r == '{' }) {
			for _, p := range people {
				if strings.Contains(part, p.id) || strings.Contains(part, p.name) {
					out[blur.ReplaceAllString(strings.TrimSpace(part), "0")]++
					break
				}
			}
		}
		return out
	}
	readers := []*pollPerson{o, m}
	snapshot := func() map[*pollPerson]map[string]map[string]int {
		out := map[*pollPerson]map[string]map[string]int{}
		for _, r := range readers {
			out[r] = map[string]map[string]int{}
			for _, path := range surfaces {
				out[r][path] = naming(e.do(r, "GET", path, nil).body)
			}
		}
		return out
	}
	snapshot() // reading pages marks threads and notifications read: settle that first
	before := snapshot()
	votes := []struct {
		who    *pollPerson
		choice string
	}{{m, "Red"}, {p1, "Blue"}, {p2, "Green"}}
	receipts := map[string]string{} // reason → receipt
	for _, v := range votes {
		reason := "Because " + v.choice + " " + v.who.id[:4]
		r := decodeInto[map[string]any](t, e.must(e.do(v.who, "PUT", "/api/v1/polls/"+pid+"/ballot",
			map[string]any{"choices": []map[string]any{{"option_id": opt[v.choice]}}, "reason": reason}), 201, "vote"))
		receipts[reason], _ = r["receipt"].(string)
		after := snapshot()
		for _, reader := range readers {
			if reader == v.who {
				continue // the voter knows they voted
			}
			for _, path := range surfaces {
				was, is := before[reader][path], after[reader][path]
				for part, k := range is {
					if was[part] != k {
						t.Errorf("after %s voted, %s reads on %s: %q (%d times, was %d): who voted can be read off it", v.who.name, reader.name, path, part, k, was[part])
					}
				}
				for part, k := range was {
					if _, ok := is[part]; !ok {
						t.Errorf("after %s voted, %s no longer reads on %s: %q (was %d times): who voted can be read off it", v.who.name, reader.name, path, part, k)
					}
				}
			}
		}
		before = after
	}
	// The figures do move (the attack's other half): the poll is not hidden.
	res := e.must(e.do(o, "GET", "/api/v1/polls/"+pid+"/results", nil), 200, "results")
	if !strings.Contains(res.body, `"decided":3`) {
		t.Fatalf("results should be visible: %s", res.body)
	}
	// The undecided list is refused while open, with an answer that names
	// the rule, not the state.
	und := e.must(e.do(o, "GET", "/api/v1/polls/"+pid+"/undecided", nil), 403, "undecided while open")
	if !strings.Contains(und.body, "anonymous") {
		t.Errorf("undecided: %s", und.body)
	}
	// The list of votes: no identity, no time, and in the order of the
	// receipts' hashes (random secrets), which says nothing about when.
	var bl struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal([]byte(e.must(e.do(o, "GET", "/api/v1/polls/"+pid+"/ballots", nil), 200, "ballots").body), &bl); err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, b := range bl.Items {
		for _, k := range []string{"user_id", "name", "cast_at", "updated_at"} {
			if _, ok := b[k]; ok {
				t.Errorf("sealed ballot listed with %s: %v", k, b)
			}
		}
		got = append(got, b["reason"].(string))
	}
	hash := func(receipt string) string {
		raw, err := base64.RawURLEncoding.DecodeString(receipt)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(raw)
		return hex.EncodeToString(h[:])
	}
	for reason := range receipts {
		want = append(want, reason)
	}
	sort.Slice(want, func(i, j int) bool { return hash(receipts[want[i]]) < hash(receipts[want[j]]) })
	if !slices.Equal(got, want) {
		t.Errorf("ballot order %v, want the receipts' order %v", got, want)
	}
	// Reminders still reach exactly the undecided (Olga and Nina), and the
	// answer names nobody.
	rem := e.must(e.do(o, "POST", "/api/v1/polls/"+pid+"/remind", nil), 200, "remind")
	if len(naming(rem.body)) != 0 {
		t.Errorf("remind names people: %s", rem.body)
	}
	if len(pollNotes(e, n, pid, notify.PollReminder)) != 1 {
		t.Errorf("Nina (undecided) was not reminded")
	}
	for _, v := range votes {
		if len(pollNotes(e, v.who, pid, notify.PollReminder)) != 0 {
			t.Errorf("%s (voted) was reminded", v.who.name)
		}
	}
	// Closed: participation shows (never how anyone voted).
	e.must(e.do(o, "POST", "/api/v1/polls/"+pid+"/close", nil), 200, "close")
	und = e.must(e.do(o, "GET", "/api/v1/polls/"+pid+"/undecided", nil), 200, "undecided after close")
	for _, p := range people {
		if listed, undecided := strings.Contains(und.body, p.id), p == o || p == n; listed != undecided {
			t.Errorf("undecided after close: %s listed %v, want %v: %s", p.name, listed, undecided, und.body)
		}
	}
}
