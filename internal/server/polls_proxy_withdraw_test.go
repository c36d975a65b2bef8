package server_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/poll"
)

// TestProxyWithdrawPages: Nina, who holds Milo's proxy, withdraws the vote
// she cast for him from the poll page (button, redirect, audit entry) and
// through the API (DELETE .../ballot with "for"); Milo's own vote still
// overrides and cannot be withdrawn by her.
func TestProxyWithdrawPages(t *testing.T) {
	e, o, m, n := newPollEnv(t)
	on := true
	g, err := e.a.Groups.Get(o.ctx, e.gid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Groups.Update(o.ctx, e.gid, group.UpdateInput{Version: g.Version, Permissions: &group.FlagsPatch{ProxyVoting: &on}}); err != nil {
		t.Fatal(err)
	}
	p := e.createAPI(o, poll.TypeProposal, nil, nil)
	e.must(e.do(m, "PUT", "/api/v1/polls/"+p.ID+"/proxy", map[string]string{"grantee_id": n.id}), 201, "grant")
	vote := map[string]any{"choices": []map[string]string{{"option_id": "agree"}}, "for": m.id}
	e.must(e.do(n, "PUT", "/api/v1/polls/"+p.ID+"/ballot", vote), 201, "vote for milo")
	page := e.must(e.do(n, "GET", "/polls/"+p.ID, nil), 200, "grantee's poll page")
	if !strings.Contains(page.body, `action="/polls/`+p.ID+`/proxy/withdraw"`) || !strings.Contains(page.body, "Withdraw Milo Member's vote") {
		i := strings.Index(page.body, `id="proxy"`)
		t.Fatalf("no withdraw button: %.3000s", page.body[max(i, 0):])
	}
	// Someone without the proxy: refused, the vote stays.
	r := e.do(o, "POST", "/polls/"+p.ID+"/proxy/withdraw", url.Values{"for": {m.id}})
	if r.code != 403 {
		t.Fatalf("withdraw without the proxy: %d", r.code)
	}
	r = e.do(n, "POST", "/polls/"+p.ID+"/proxy/withdraw", url.Values{"for": {m.id}})
	if r.code != 303 || !strings.Contains(r.hdr.Get("Location"), "done=proxy_withdrawn") {
		t.Fatalf("withdraw: %d %s %.500s", r.code, r.hdr.Get("Location"), r.body)
	}
	mine := decodeInto[map[string]any](t, e.must(e.do(m, "GET", "/api/v1/polls/"+p.ID+"/ballot", nil), 200, "milo's ballot"))
	if mine["voted"] == true {
		t.Fatalf("milo still has a ballot: %v", mine)
	}
	r = e.do(n, "POST", "/polls/"+p.ID+"/proxy/withdraw", url.Values{"for": {m.id}})
	if r.code != 409 || !strings.Contains(r.body, "no vote to withdraw") {
		t.Fatalf("withdraw again: %d %.2000s", r.code, r.body)
	}
	// The API, then Milo's own vote.
	e.must(e.do(n, "PUT", "/api/v1/polls/"+p.ID+"/ballot", vote), 201, "vote for milo again")
	e.must(e.do(n, "DELETE", "/api/v1/polls/"+p.ID+"/ballot", map[string]string{"for": m.id}), 204, "withdraw through the API")
	e.must(e.do(n, "DELETE", "/api/v1/polls/"+p.ID+"/ballot", map[string]string{"for": m.id}), 409, "withdraw through the API again")
	e.must(e.do(m, "PUT", "/api/v1/polls/"+p.ID+"/ballot", `{"choices":[{"option_id":"disagree"}]}`), 201, "milo votes")
	e.must(e.do(n, "DELETE", "/api/v1/polls/"+p.ID+"/ballot", map[string]string{"for": m.id}), 409, "withdraw milo's own vote")
	audit := e.must(e.do(o, "GET", "/groups/"+e.gid+"/audit", nil), 200, "audit")
	if !strings.Contains(audit.body, "withdrew by proxy the vote of") {
		t.Errorf("audit page lacks the withdrawal")
	}
}
