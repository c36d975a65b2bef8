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
	if !strings.Contains(page.body, `action="/polls/`+p.ID+`/proxy/withdraw"`) || !strings.Contains(page.body, "Withdraw Milo Member&#39;s vote") {
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

// TestProxiesPage: the group page links to "Your proxies"; the page lists
// Milo's proxy for every poll and the one for a poll (to Nina), each taken
// back from there, and Nina's page the proxies she holds.
func TestProxiesPage(t *testing.T) {
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
	if page := e.must(e.do(m, "GET", "/groups/"+e.gid, nil), 200, "group page"); !strings.Contains(page.body, `href="/groups/`+e.gid+`/proxies"`) {
		t.Fatal("no link to the proxies page")
	}
	page := e.must(e.do(m, "GET", "/groups/"+e.gid+"/proxies", nil), 200, "empty proxies page")
	if !strings.Contains(page.body, "You have not given your proxy to anyone here.") {
		t.Fatalf("empty page: %.3000s", page.body)
	}
	e.must(e.do(m, "PUT", "/api/v1/polls/"+p.ID+"/proxy", map[string]string{"grantee_id": n.id}), 201, "grant for the poll")
	page = e.must(e.do(m, "GET", "/groups/"+e.gid+"/proxies", nil), 200, "proxies page")
	if !strings.Contains(page.body, `<a href="/polls/`+p.ID+`">What about proposal?</a>: <strong>Nina Member</strong>`) ||
		!strings.Contains(page.body, `name="poll" value="`+p.ID+`"`) {
		t.Fatalf("grant for the poll not listed: %.4000s", page.body)
	}
	page = e.must(e.do(n, "GET", "/groups/"+e.gid+"/proxies", nil), 200, "nina's page")
	if !strings.Contains(page.body, `<strong>Milo Member</strong>, for <a href="/polls/`+p.ID+`#proxy-title">What about proposal?</a>`) {
		t.Fatalf("held proxy not listed: %.4000s", page.body)
	}
	r := e.do(m, "POST", "/groups/"+e.gid+"/proxies/revoke", url.Values{"poll": {p.ID}})
	if r.code != 303 || !strings.Contains(r.hdr.Get("Location"), "/proxies?done=revoked") {
		t.Fatalf("revoke for the poll: %d %s", r.code, r.hdr.Get("Location"))
	}
	e.must(e.do(m, "PUT", "/api/v1/groups/"+e.gid+"/proxy", map[string]string{"grantee_id": n.id}), 201, "standing grant")
	page = e.must(e.do(m, "GET", "/groups/"+e.gid+"/proxies", nil), 200, "proxies page")
	if strings.Contains(page.body, `name="poll" value="`+p.ID+`"`) || !strings.Contains(page.body, "For <strong>every poll</strong> of this group: <strong>Nina Member</strong>") {
		t.Fatalf("after revoking and giving for every poll: %.4000s", page.body)
	}
	r = e.do(m, "POST", "/groups/"+e.gid+"/proxies/revoke", url.Values{})
	if r.code != 303 {
		t.Fatalf("revoke for every poll: %d", r.code)
	}
	e.must(e.do(m, "DELETE", "/api/v1/groups/"+e.gid+"/proxy", nil), 404, "already revoked")
	e.must(e.do(o, "POST", "/groups/"+e.gid+"/proxies/revoke", url.Values{}), 404, "nothing to revoke")
}
