package server_test

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestThreadPollCardReactions: a poll's card on the thread page carries
// the poll's reaction bar; reacting from it comes back to the card, and
// the count shows on the card and on the poll page alike.
func TestThreadPollCardReactions(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	th := threadOf(t, e, "Budget")
	p := proposalIn(e, o, th.ID, "Approve the budget", 72*time.Hour, nil)
	c := card(e.must(e.do(m, "GET", "/threads/"+th.ID, nil), 200, "thread page").body, p.ID)
	for _, want := range []string{`id="poll-` + p.ID + `-reactions"`, `action="/polls/` + p.ID + `/react"`, `name="back" value="` + th.ID + `"`} {
		if !strings.Contains(c, want) {
			t.Fatalf("card lacks %q:\n%s", want, c)
		}
	}
	r := e.do(m, "POST", "/polls/"+p.ID+"/react", url.Values{"target": {"poll"}, "name": {"heart"}, "on": {"1"}, "back": {th.ID}})
	if r.code != 303 || r.hdr.Get("Location") != "/threads/"+th.ID+"#poll-"+p.ID+"-reactions" {
		t.Fatalf("react from the card: %d %q", r.code, r.hdr.Get("Location"))
	}
	c = card(e.must(e.do(o, "GET", "/threads/"+th.ID, nil), 200, "thread page").body, p.ID)
	if !strings.Contains(c, `<span aria-hidden="true">❤️</span> 1</button>`) {
		t.Fatalf("the card does not count the reaction:\n%s", c)
	}
	page := e.must(e.do(o, "GET", "/polls/"+p.ID, nil), 200, "poll page").body
	if !strings.Contains(page, `<span aria-hidden="true">❤️</span> 1</button>`) {
		t.Fatalf("the poll page does not count the reaction")
	}
	// Without the back field, the poll page as before.
	r = e.do(m, "POST", "/polls/"+p.ID+"/react", url.Values{"target": {"poll"}, "name": {"heart"}, "on": {"0"}})
	if r.code != 303 || r.hdr.Get("Location") != "/polls/"+p.ID+"#reactions-poll" {
		t.Fatalf("react from the poll page: %d %q", r.code, r.hdr.Get("Location"))
	}
}
