package server_test

import (
	"encoding/csv"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/poll"
)

// TestProxyVotingPages: Milo gives Nina his proxy from the poll page, Nina
// votes for him from the poll page's vote-for form, everyone reading the
// ballots sees "cast by Nina for Milo" (page, API, CSV), the audit log has
// the grant and the use, and Milo's own vote ends the proxy.
func TestProxyVotingPages(t *testing.T) {
	e, o, m, n := newPollEnv(t)
	p := e.createAPI(o, poll.TypeProposal, nil, nil)
	page := e.must(e.do(m, "GET", "/polls/"+p.ID, nil), 200, "poll page")
	if strings.Contains(page.body, `id="proxy-title"`) {
		t.Fatal("proxy panel shown while the group does not allow proxies")
	}
	e.must(e.do(m, "PUT", "/api/v1/polls/"+p.ID+"/proxy", map[string]string{"grantee_id": n.id}), 403, "grant while off")

	on := true
	g, err := e.a.Groups.Get(o.ctx, e.gid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Groups.Update(o.ctx, e.gid, group.UpdateInput{Version: g.Version, Permissions: &group.FlagsPatch{ProxyVoting: &on}}); err != nil {
		t.Fatal(err)
	}
	page = e.must(e.do(m, "GET", "/polls/"+p.ID, nil), 200, "poll page")
	if !strings.Contains(page.body, "Give your proxy to") || !strings.Contains(page.body, n.id) {
		t.Fatalf("no proxy form: %.3000s", page.body)
	}
	r := e.do(m, "POST", "/polls/"+p.ID+"/proxy", url.Values{"grantee_id": {n.id}, "scope": {"poll"}})
	if r.code != 303 || !strings.Contains(r.hdr.Get("Location"), "done=proxy_given") {
		t.Fatalf("grant: %d %s", r.code, r.hdr.Get("Location"))
	}
	page = e.must(e.do(m, "GET", "/polls/"+p.ID, nil), 200, "poll page")
	if !strings.Contains(page.body, "Your proxy for this poll is with <strong>Nina Member</strong>") {
		t.Fatalf("grantor's panel: %.3000s", page.body)
	}
	page = e.must(e.do(n, "GET", "/polls/"+p.ID, nil), 200, "grantee's poll page")
	link := fmt.Sprintf(`href="/polls/%s?for=%s#vote-title"`, p.ID, m.id)
	if !strings.Contains(page.body, link) || !strings.Contains(page.body, "Vote for Milo Member") {
		t.Fatalf("no vote-for link: %.3000s", page.body)
	}
	page = e.must(e.do(n, "GET", "/polls/"+p.ID+"?for="+m.id, nil), 200, "vote-for form")
	if !strings.Contains(page.body, `<input type="hidden" name="for" value="`+m.id+`">`) || !strings.Contains(page.body, "You are voting for <strong>Milo Member</strong>") {
		t.Fatalf("vote-for form: %.3000s", page.body)
	}
	// A refused vote-for (no choice) shows the form again, still for Milo.
	r = e.do(n, "POST", "/polls/"+p.ID+"/vote", url.Values{"for": {m.id}})
	if (r.code != 400 && r.code != 422) || !strings.Contains(r.body, `name="for" value="`+m.id+`"`) {
		t.Fatalf("refused vote-for: %d %.2000s", r.code, r.body)
	}
	r = e.do(n, "POST", "/polls/"+p.ID+"/vote", url.Values{"for": {m.id}, "choice": {"agree"}, "reason": {"As Milo asked."}})
	if r.code != 303 || !strings.Contains(r.hdr.Get("Location"), "done=voted_for") {
		t.Fatalf("vote for: %d %s %.500s", r.code, r.hdr.Get("Location"), r.body)
	}
	// Nina's own vote is still hers to cast.
	mine := decodeInto[map[string]any](t, e.must(e.do(n, "GET", "/api/v1/polls/"+p.ID+"/ballot", nil), 200, "nina's ballot"))
	if mine["voted"] == true {
		t.Fatalf("the proxy vote counted as Nina's: %v", mine)
	}
	mine = decodeInto[map[string]any](t, e.must(e.do(m, "GET", "/api/v1/polls/"+p.ID+"/ballot", nil), 200, "milo's ballot"))
	if mine["cast_by"] != n.id {
		t.Fatalf("milo's ballot: %v", mine)
	}
	page = e.must(e.do(o, "GET", "/polls/"+p.ID, nil), 200, "owner's poll page")
	if !strings.Contains(page.body, "cast by Nina Member for Milo Member") {
		t.Fatalf("ballot list: %.4000s", page.body)
	}
	csvr := e.must(e.do(o, "GET", "/api/v1/polls/"+p.ID+"/ballots.csv", nil), 200, "csv")
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvr.body, "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("csv %v %v", rows, err)
	}
	castBy := slices.Index(rows[0], "cast_by")
	if castBy < 0 || rows[1][0] != "Milo Member" || rows[1][castBy] != "Nina Member" {
		t.Fatalf("csv %v %v", rows, err)
	}
	audit := e.must(e.do(o, "GET", "/groups/"+e.gid+"/audit", nil), 200, "audit")
	for _, want := range []string{"gave their proxy to", "voted by proxy for"} {
		if !strings.Contains(audit.body, want) {
			t.Errorf("audit page lacks %q", want)
		}
	}
	// Milo votes himself: the proxy ends for this poll.
	e.must(e.do(m, "PUT", "/api/v1/polls/"+p.ID+"/ballot", `{"choices":[{"option_id":"disagree"}]}`), 200, "override")
	e.must(e.do(n, "PUT", "/api/v1/polls/"+p.ID+"/ballot", map[string]any{"choices": []map[string]string{{"option_id": "agree"}}, "for": m.id}), 409, "vote for after the override")
	page = e.must(e.do(n, "GET", "/polls/"+p.ID+"?for="+m.id, nil), 200, "grantee's page after the override")
	if strings.Contains(page.body, `name="for"`) || strings.Contains(page.body, "Vote for Milo") {
		t.Fatalf("vote-for still offered: %.3000s", page.body)
	}
	page = e.must(e.do(m, "GET", "/polls/"+p.ID, nil), 200, "grantor's page after the override")
	if !strings.Contains(page.body, "Your proxy for this poll has ended.") {
		t.Fatalf("grantor's panel after the override: %.3000s", page.body)
	}
	// Anonymous polls: no panel, and the API refuses.
	a := e.createAPI(o, poll.TypeProposal, map[string]any{"anonymous": true}, nil)
	e.must(e.do(m, "PUT", "/api/v1/polls/"+a.ID+"/proxy", map[string]string{"grantee_id": n.id}), 409, "proxy in an anonymous poll")
	if page := e.must(e.do(m, "GET", "/polls/"+a.ID, nil), 200, "anonymous poll"); strings.Contains(page.body, `id="proxy-title"`) {
		t.Fatal("proxy panel in an anonymous poll")
	}
	// The standing proxy through the API.
	e.must(e.do(m, "PUT", "/api/v1/groups/"+e.gid+"/proxy", map[string]string{"grantee_id": n.id}), 201, "standing grant")
	held := decodeInto[map[string]any](t, e.must(e.do(n, "GET", "/api/v1/groups/"+e.gid+"/proxy", nil), 200, "held"))
	if l, _ := held["held"].([]any); len(l) < 1 {
		t.Fatalf("held %v", held)
	}
	e.must(e.do(m, "DELETE", "/api/v1/groups/"+e.gid+"/proxy", nil), 204, "revoke standing")
	e.must(e.do(m, "DELETE", "/api/v1/groups/"+e.gid+"/proxy", nil), 404, "revoke again")
}
