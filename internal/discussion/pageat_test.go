package discussion_test

import (
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
)

// A link to a comment beyond the first page of its thread opens a page
// holding it (with a few items before it and a way back to the start);
// one on the first page opens the first page.
func TestPageAtOpensThePageHoldingTheItem(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice")
	bob, _ := f.user("Bob")
	gid := f.group(alice, authz.Closed, bob)
	th := f.thread(alice, gid, "A long thread")
	var ids []string
	for i := 0; i < 12; i++ {
		ids = append(ids, f.comment(alice, th.ID, "", "comment").ID)
	}
	const limit = 4
	has := func(p discussion.ThreadPage, id string) int {
		for i, it := range p.Items {
			if it.ID == id {
				return i
			}
		}
		return -1
	}
	first, err := f.svc.Page(bob, th.ID, "", limit)
	f.must(err)
	if first.Earlier || has(first, ids[9]) >= 0 {
		t.Fatalf("the first page: earlier %v, holds the tenth comment %v", first.Earlier, has(first, ids[9]))
	}
	for _, n := range []int{9, 11, 5} {
		p, err := f.svc.PageAt(bob, th.ID, ids[n], limit)
		f.must(err)
		if at := has(p, ids[n]); at != discussion.PageAtContext || !p.Earlier {
			t.Errorf("comment %d: at index %d of its page (want %d), earlier %v", n, at, discussion.PageAtContext, p.Earlier)
		}
		if n == 11 && p.Next != "" {
			t.Errorf("the page of the last comment has a next page")
		}
	}
	for _, id := range []string{ids[1], "ffffffffffffffffffffffff", "nonsense", ""} {
		p, err := f.svc.PageAt(bob, th.ID, id, limit)
		f.must(err)
		if p.Earlier || len(p.Items) == 0 || p.Items[0].ID != first.Items[0].ID {
			t.Errorf("PageAt %q: not the first page", id)
		}
	}
	// The policy still decides: an outsider gets the same refusal as Page.
	carol, _ := f.user("Carol")
	if _, err := f.svc.PageAt(carol, th.ID, ids[9], limit); err == nil {
		t.Error("an outsider read a closed group's thread")
	}
}
