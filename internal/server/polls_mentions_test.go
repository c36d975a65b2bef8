package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/links"
)

// A poll's details link their @mentions like a comment does and tell the
// people named, as a mention of the poll (issue 15): off the request path,
// by the poll's fan-out job; the details are Markdown; an edit tells only
// the people it adds.
func TestPollDetailsMentionsAreLinksAndNotify(t *testing.T) {
	e, o, m, n := newPollEnv(t)
	th, err := e.a.Discussions.StartThread(o.ctx, discussion.StartInput{GroupID: e.gid, Title: "Budget talk"})
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"type": "proposal", "title": "Budget 2027", "thread_id": th.ID,
		"details":  "Please look, @MiloMember: the **numbers** and `@Nina`.",
		"settings": map[string]any{"closing_at": time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)}}
	p := decodeInto[pollJSON](t, e.must(e.do(o, "POST", "/api/v1/groups/"+e.gid+"/polls", body), 201, "create"))
	e.drain()

	miloLink := `<a class="mention" href="` + strings.ReplaceAll(links.Member(e.gid, m.id), "&", "&amp;") + `" rel="nofollow noreferrer">@MiloMember</a>`
	page := e.must(e.do(n, "GET", "/polls/"+p.ID, nil), 200, "poll page").body
	details := section(t, page, `class="card user-content poll-details"`, "</div>")
	for _, want := range []string{miloLink, "<strong>numbers</strong>", "<code>@Nina</code>"} {
		if !strings.Contains(details, want) {
			t.Errorf("the poll page's details lack %s:\n%s", want, details)
		}
	}
	thread := e.must(e.do(n, "GET", "/threads/"+th.ID, nil), 200, "thread").body
	if card := section(t, thread, `class="user-content poll-details"`, "</div>"); !strings.Contains(card, miloLink) {
		t.Errorf("the thread's poll card lacks the link:\n%s", card)
	}

	mentions := func(p *pollPerson) int {
		t.Helper()
		e.drain()
		r := e.must(e.do(p, "GET", "/api/v1/notifications", nil), 200, "notifications")
		l := decodeInto[struct {
			Items []struct {
				Kind   string `json:"kind"`
				PollID string `json:"poll_id"`
			} `json:"items"`
		}](t, r)
		c := 0
		for _, it := range l.Items {
			if it.Kind == "mention" && it.PollID != "" {
				c++
			}
		}
		return c
	}
	if mentions(m) != 1 || mentions(n) != 0 {
		t.Fatalf("at the start: milo %d, nina %d mentions", mentions(m), mentions(n))
	}
	notes := e.must(e.do(m, "GET", "/notifications", nil), 200, "notifications page").body
	if !strings.Contains(notes, `mentioned you in <a href="/polls/`+p.ID+`">Budget 2027</a>`) {
		t.Errorf("the notification does not lead to the poll:\n%s", section(t, notes, `class="notifications"`, "</ul>"))
	}

	// An edit that adds Nina: she is told, Milo is not told again.
	e.must(e.do(o, "PATCH", "/api/v1/polls/"+p.ID, map[string]any{"details": "Please look, @MiloMember and @NinaMember."}), 200, "edit")
	if mentions(m) != 1 || mentions(n) != 1 {
		t.Fatalf("after the edit: milo %d, nina %d mentions", mentions(m), mentions(n))
	}
	page = e.must(e.do(o, "GET", "/polls/"+p.ID, nil), 200, "poll page").body
	if d := section(t, page, `class="card user-content poll-details"`, "</div>"); !strings.Contains(d, miloLink) || !strings.Contains(d, `>@NinaMember</a>`) {
		t.Errorf("after the edit, the details:\n%s", d)
	}
}
