package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/group"
)

// TestMovedThreadsOpenPollsFollowTheLeaveRule: moving a thread applies to
// its open polls the rule of someone leaving a group: the ballots (and
// chosen-voter places) of people who are not in the new group's voter set
// are withdrawn; members of the new group keep theirs, guests of the
// thread keep theirs where guests vote, anonymous ballots stay counted
// (nothing links them to anyone), closed polls never change.
func TestMovedThreadsOpenPollsFollowTheLeaveRule(t *testing.T) {
	e, o, m, n := newPollEnv(t)
	gus := e.person("Gus Guest")
	// Olga administers both groups; Nina is in both, Milo only in the old one.
	b, err := e.a.Groups.Create(o.ctx, group.CreateInput{Name: "New home " + e.tag, Privacy: "closed"})
	if err != nil {
		t.Fatal(err)
	}
	link, err := e.a.Groups.JoinLink(o.ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Groups.JoinViaLink(n.ctx, link[strings.LastIndex(link, "/join/")+len("/join/"):]); err != nil {
		t.Fatal(err)
	}
	tid := e.thread(o, e.gid, "Moving house")
	if err := e.a.Discussions.AddGuest(o.ctx, tid, gus.id); err != nil {
		t.Fatal(err)
	}
	inThread := func(title string, settings map[string]any, extra map[string]any) pollJSON {
		settings["closing_at"] = time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
		body := map[string]any{"thread_id": tid, "settings": settings}
		for k, v := range extra {
			body[k] = v
		}
		return e.pollIn(o, e.gid, title, 48*time.Hour, body)
	}
	plain := inThread("Plain", map[string]any{}, nil)
	anon := inThread("Anonymous", map[string]any{"anonymous": true}, nil)
	guests := inThread("Guests vote", map[string]any{"thread_guests_may_vote": true}, nil)
	chosen := inThread("Chosen", map[string]any{"specified_voters_only": true}, map[string]any{"voters": []string{m.id, n.id}})
	closed := inThread("Closed", map[string]any{}, nil)
	agree := `{"choices":[{"option_id":"agree"}]}`
	for _, p := range []pollJSON{plain, anon, guests, closed} {
		for _, who := range []*pollPerson{o, m, n} {
			e.must(e.do(who, "PUT", "/api/v1/polls/"+p.ID+"/ballot", agree), 201, who.name+" votes in "+p.Definition.Title)
		}
	}
	e.must(e.do(gus, "PUT", "/api/v1/polls/"+guests.ID+"/ballot", agree), 201, "the guest votes")
	e.must(e.do(n, "PUT", "/api/v1/polls/"+chosen.ID+"/ballot", agree), 201, "Nina votes in the chosen poll")
	e.must(e.do(o, "POST", "/api/v1/polls/"+closed.ID+"/close", nil), 200, "close")

	figures := func(pid string) (decided, eligible int64) {
		t.Helper()
		v, err := e.a.Decisions.Results(o.ctx, pid)
		if err != nil || v.Results == nil {
			t.Fatalf("results of %s: %v %+v", pid, err, v)
		}
		return v.Results.Decided, v.Results.Eligible
	}
	before := map[string]int64{}
	for _, p := range []pollJSON{plain, anon, guests, chosen, closed} {
		before[p.ID], _ = figures(p.ID)
	}

	r := e.must(e.do(o, "POST", "/api/v1/threads/"+tid+"/move", map[string]string{"group_id": b.ID}), 200, "move")
	if !strings.Contains(r.body, `"done":true`) {
		t.Fatalf("move not finished: %s", r.body)
	}
	want := map[string]int64{
		plain.ID:  before[plain.ID] - 1,  // Milo's ballot withdrawn
		anon.ID:   before[anon.ID],       // sealed: stays counted
		guests.ID: before[guests.ID] - 1, // Milo out; Gus (a guest) stays
		chosen.ID: before[chosen.ID],     // Nina's stays
		closed.ID: before[closed.ID],     // closed: never changes
	}
	for pid, w := range want {
		if got, _ := figures(pid); got != w {
			t.Errorf("poll %s: %d decided after the move, want %d", pid, got, w)
		}
	}
	// Milo's chosen place is gone: Nina is the only chosen voter left.
	if _, eligible := figures(chosen.ID); eligible != 1 {
		t.Errorf("chosen poll: %d eligible after the move, want 1", eligible)
	}
	// Running the step again is idempotent: nobody else is withdrawn.
	if next, n, err := e.a.Decisions.WithdrawMoved(o.ctx, plain.ID, ""); err != nil || n != 0 || next == "" {
		t.Errorf("a second pass over the plain poll: next %q, %d withdrawn, %v", next, n, err)
	}
	if got, _ := figures(plain.ID); got != want[plain.ID] {
		t.Errorf("a second pass changed the plain poll: %d", got)
	}
}
