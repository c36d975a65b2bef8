package server_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/poll"
)

// A changed vote shows as such, with the earlier choice and reason, in the
// ballot list (API and page) where results are visible; a closed poll
// refuses changes and withdrawals; only a group admin sees and uses the
// reopen form; outcome edits keep their earlier versions, listed by the
// API and on the page.
func TestVoteAndOutcomeHistory(t *testing.T) {
	e, olga, milo, nina := newPollEnv(t)
	p := e.createAPI(milo, poll.TypeProposal, nil, nil)
	ballot := "/api/v1/polls/" + p.ID + "/ballot"
	e.must(e.do(nina, "PUT", ballot, `{"choices":[{"option_id":"agree"}],"reason":"Sounds right"}`), 201, "vote")
	e.must(e.do(nina, "PUT", ballot, `{"choices":[{"option_id":"disagree"}],"reason":"Read it again"}`), 200, "change")
	type ballotsJSON struct {
		Items []struct {
			Name    string `json:"name"`
			Changed bool   `json:"changed"`
			History []struct {
				Choices []poll.Choice `json:"choices"`
				Reason  string        `json:"reason"`
			} `json:"history"`
		} `json:"items"`
	}
	bl := decodeInto[ballotsJSON](t, e.must(e.do(olga, "GET", "/api/v1/polls/"+p.ID+"/ballots", nil), 200, "ballots"))
	if len(bl.Items) != 1 || !bl.Items[0].Changed || len(bl.Items[0].History) != 1 ||
		bl.Items[0].History[0].Choices[0].OptionID != "agree" || bl.Items[0].History[0].Reason != "Sounds right" {
		t.Fatalf("ballots: %+v", bl)
	}
	page := e.must(e.do(olga, "GET", "/polls/"+p.ID, nil), 200, "poll page").body
	for _, want := range []string{"Changed their vote", "Sounds right", "Read it again"} {
		if !strings.Contains(page, want) {
			t.Errorf("poll page lacks %q", want)
		}
	}

	// Closed: sealed.
	e.must(e.do(milo, "POST", "/api/v1/polls/"+p.ID+"/close", nil), 200, "close by the author")
	e.must(e.do(nina, "PUT", ballot, `{"choices":[{"option_id":"agree"}]}`), 409, "change after close")
	e.must(e.do(nina, "DELETE", ballot, nil), 409, "withdraw after close")
	e.must(e.do(nina, "POST", "/polls/"+p.ID+"/withdraw", url.Values{}), 409, "withdraw form after close")

	// Reopening: the group admin, not the author.
	later := map[string]any{"closing_at": time.Now().Add(72 * time.Hour)}
	authorPage := e.must(e.do(milo, "GET", "/polls/"+p.ID, nil), 200, "author's page").body
	if strings.Contains(authorPage, "Reopen poll") || !strings.Contains(authorPage, "admins can reopen a closed poll") {
		t.Error("the author (not an admin) is offered the reopen form")
	}
	if !strings.Contains(e.must(e.do(olga, "GET", "/polls/"+p.ID, nil), 200, "admin's page").body, "Reopen poll") {
		t.Error("the group admin has no reopen form")
	}
	e.must(e.do(milo, "POST", "/api/v1/polls/"+p.ID+"/reopen", later), 403, "reopen by the author")

	// Outcome edits.
	e.must(e.do(milo, "PUT", "/api/v1/polls/"+p.ID+"/outcome", `{"statement":"We go ahead."}`), 200, "outcome")
	e.must(e.do(milo, "PUT", "/api/v1/polls/"+p.ID+"/outcome", `{"statement":"We go ahead next month."}`), 200, "outcome edit")
	type historyJSON struct {
		Items []struct {
			EditorID string `json:"editor_id"`
			Before   struct {
				Statement string `json:"statement"`
			} `json:"before"`
		} `json:"items"`
	}
	h := decodeInto[historyJSON](t, e.must(e.do(nina, "GET", "/api/v1/polls/"+p.ID+"/outcome/history", nil), 200, "history"))
	if len(h.Items) != 1 || h.Items[0].Before.Statement != "We go ahead." || h.Items[0].EditorID != milo.id {
		t.Fatalf("outcome history: %+v", h)
	}
	page = e.must(e.do(nina, "GET", "/polls/"+p.ID, nil), 200, "poll page").body
	for _, want := range []string{"We go ahead next month.", "Edited", "Replaced by Milo Member", "We go ahead."} {
		if !strings.Contains(page, want) {
			t.Errorf("poll page lacks %q", want)
		}
	}
	e.must(e.do(olga, "POST", "/api/v1/polls/"+p.ID+"/reopen", later), 200, "reopen by the group admin")
}

// Reactions on a poll, its outcome and a ballot with a reason: the API
// toggles them, the page shows them with counts and a picker to those who
// may react, and the page form redirects back to the target.
func TestPollReactionsAPIAndPage(t *testing.T) {
	e, olga, milo, nina := newPollEnv(t)
	p := e.createAPI(milo, poll.TypeProposal, nil, nil)
	e.must(e.do(nina, "PUT", "/api/v1/polls/"+p.ID+"/ballot", `{"choices":[{"option_id":"agree"}],"reason":"Sounds right"}`), 201, "vote")
	e.must(e.do(olga, "PUT", "/api/v1/polls/"+p.ID+"/reactions/poll/heart", nil), 204, "react to the poll")
	e.must(e.do(milo, "PUT", "/api/v1/polls/"+p.ID+"/reactions/"+nina.id+"/thumbsup", nil), 204, "react to a ballot")
	e.must(e.do(milo, "PUT", "/api/v1/polls/"+p.ID+"/reactions/poll/skull", nil), 400, "reaction outside the allow-list")
	e.must(e.do(milo, "PUT", "/api/v1/polls/"+p.ID+"/reactions/outcome/heart", nil), 404, "no outcome yet")
	type reactionsJSON struct {
		Poll []struct {
			Name  string `json:"name"`
			Count int    `json:"count"`
			Mine  bool   `json:"mine"`
		} `json:"poll"`
		Ballots map[string][]struct {
			Name string `json:"name"`
		} `json:"ballots"`
	}
	got := decodeInto[reactionsJSON](t, e.must(e.do(olga, "GET", "/api/v1/polls/"+p.ID+"/reactions?voter="+nina.id, nil), 200, "reactions"))
	if len(got.Poll) != 1 || got.Poll[0].Name != "heart" || !got.Poll[0].Mine || len(got.Ballots[nina.id]) != 1 {
		t.Fatalf("reactions: %+v", got)
	}
	page := e.must(e.do(nina, "GET", "/polls/"+p.ID, nil), 200, "poll page").body
	for _, want := range []string{`id="reactions-poll"`, `aria-label="heart: 1"`, `id="reactions-` + nina.id + `"`, `aria-label="thumbs up: 1"`, "Add reaction"} {
		if !strings.Contains(page, want) {
			t.Errorf("poll page lacks %s", want)
		}
	}
	r := e.do(nina, "POST", "/polls/"+p.ID+"/react", url.Values{"target": {"poll"}, "name": {"tada"}, "on": {"1"}})
	if r.code != 303 || !strings.HasSuffix(r.hdr.Get("Location"), "#reactions-poll") {
		t.Fatalf("page form: %d %s", r.code, r.hdr.Get("Location"))
	}
	e.must(e.do(olga, "DELETE", "/api/v1/polls/"+p.ID+"/reactions/poll/heart", nil), 204, "remove")
	got = decodeInto[reactionsJSON](t, e.must(e.do(olga, "GET", "/api/v1/polls/"+p.ID+"/reactions", nil), 200, "reactions"))
	if len(got.Poll) != 1 || got.Poll[0].Name != "tada" || got.Poll[0].Mine || got.Ballots != nil {
		t.Fatalf("after removing: %+v", got)
	}
}
