package server_test

import (
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/poll"
)

// TestPollPageAsksThePolicyWhoAdministers: the poll page shows its admin
// controls to exactly those the decision core lets act (authz.PollAdmin).
// An author who left an open group can still read the poll, but is no
// longer one of its admins: no "Manage this poll", no edit form, and the
// core refuses the action too.
func TestPollPageAsksThePolicyWhoAdministers(t *testing.T) {
	e, olga, milo, nina := newPollEnv(t)
	g, err := e.a.Groups.Create(olga.ctx, group.CreateInput{Name: "Open poll group " + e.tag, Privacy: "open"})
	if err != nil {
		t.Fatal(err)
	}
	e.gid = g.ID
	for _, p := range []*pollPerson{milo, nina} {
		if _, err := e.a.Groups.Join(p.ctx, g.ID); err != nil {
			t.Fatal(err)
		}
	}
	p := e.createAPI(milo, poll.TypeProposal, nil, nil)
	const manage = "Manage this poll"
	page := func(who *pollPerson) string {
		return e.must(e.do(who, "GET", "/polls/"+p.ID, nil), 200, "poll page").body
	}
	if !strings.Contains(page(milo), manage) || !strings.Contains(page(olga), manage) {
		t.Fatal("the author (a member) and the group admin should see the poll's admin controls")
	}
	if strings.Contains(page(nina), manage) {
		t.Fatal("a member who is not the author sees the admin controls")
	}
	e.must(e.do(milo, "GET", "/polls/"+p.ID+"/edit", nil), 200, "the author's edit form")

	if err := e.a.Groups.Leave(milo.ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(page(milo), manage) {
		t.Error("an author who left the group still sees the poll's admin controls")
	}
	e.must(e.do(milo, "GET", "/polls/"+p.ID+"/edit", nil), 403, "the edit form of an author who left")
	e.must(e.do(milo, "POST", "/api/v1/polls/"+p.ID+"/close", map[string]any{}), 403, "closing by an author who left")
	if !strings.Contains(page(olga), manage) {
		t.Error("the group admin lost the poll's admin controls")
	}
}
