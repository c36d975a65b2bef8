package server_test

import (
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/discussion"
)

// A guest of a thread (not a member of its group) finds on the dashboard
// the polls of that thread waiting for their vote, with the time left:
// those that invite the thread's guests or chose them, not the others,
// and nothing of the group (its name, its tags, its other polls).
func TestDashboardWaitingForAGuestsVote(t *testing.T) {
	e, o, _, _ := newPollEnv(t)
	g := e.person("Gus Guest")
	th, err := e.a.Discussions.StartThread(o.ctx, discussion.StartInput{GroupID: e.gid, Title: "With a guest"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.a.Discussions.AddGuest(o.ctx, th.ID, g.id); err != nil {
		t.Fatal(err)
	}
	create := func(title string, settings map[string]any, extra map[string]any) pollJSON {
		t.Helper()
		settings["closing_at"] = closing()
		body := map[string]any{"type": "proposal", "title": title, "thread_id": th.ID, "settings": settings}
		for k, v := range extra {
			body[k] = v
		}
		return decodeInto[pollJSON](t, e.must(e.do(o, "POST", "/api/v1/groups/"+e.gid+"/polls", body), 201, "create "+title))
	}
	create("Guests invited", map[string]any{"thread_guests_may_vote": true}, nil)
	create("Members only", map[string]any{}, nil)
	chosen := create("Gus chosen", map[string]any{"specified_voters_only": true}, map[string]any{"voters": []string{g.id, o.id}})
	e.pollIn(o, e.gid, "Not in the thread", 0, nil)

	body := e.must(e.do(g, "GET", "/dashboard", nil), 200, "guest's dashboard").body
	waiting := section(t, body, `id="waiting-title"`, "</section>")
	for _, want := range []string{"Guests invited", "Gus chosen", "as a guest of its thread", "closes in"} {
		if !strings.Contains(waiting, want) {
			t.Errorf("the guest's waiting list lacks %q:\n%s", want, waiting)
		}
	}
	lacks(t, "the guest's waiting list", waiting, "Members only", "Not in the thread", "/groups/"+e.gid, "Poll group "+e.tag)

	// Voted: gone from the list.
	e.must(e.do(g, "PUT", "/api/v1/polls/"+chosen.ID+"/ballot", `{"choices":[{"option_id":"agree"}]}`), 201, "vote")
	body = e.must(e.do(g, "GET", "/dashboard", nil), 200, "guest's dashboard").body
	if strings.Contains(body, "Gus chosen") || !strings.Contains(body, "Guests invited") {
		t.Errorf("after voting, the waiting list is wrong:\n%s", section(t, body, `id="waiting-title"`, "</section>"))
	}
}
