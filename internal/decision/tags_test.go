package decision_test

import (
	"slices"
	"strconv"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/tag"
)

func sptr(s string) *string { return &s }

// TestPollTagsFilterExactly: a tag's filter lists every poll with the tag
// and none without, across pages, newest first; other people's drafts stay
// out; poll admins tag, other members may not; deleting a draft removes it.
func TestPollTagsFilterExactly(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Closed, "ada", "ben", "cy")
	tags := tag.New(tag.Config{Store: f.st, Policy: f.groups})
	x, err := tags.Create(f.as("ada"), gid, tag.Input{Name: sptr("Budget"), Colour: sptr("teal")})
	f.must(err)
	want := map[string]bool{}
	var order []string
	for i := range 9 {
		p := f.create(f.as("ben"), gid, f.definition(poll.TypePoll, func(d *poll.Definition) { d.Title = "P" + strconv.Itoa(i) }))
		if i%2 == 0 {
			got, err := f.svc.SetPollTags(f.as("ben"), p.ID, []string{x.ID})
			f.must(err)
			if len(got.Tags) != 1 || got.Tags[0].Name != "Budget" {
				t.Fatalf("tagged poll shows %+v", got.Tags)
			}
			want[p.ID] = true
			order = append(order, p.ID)
		}
	}
	if _, err := f.svc.SetPollTags(f.as("cy"), order[0], nil); domain.ErrorCode(err) != domain.Forbidden {
		t.Fatalf("another member untags Ben's poll: %v", err)
	}
	// Cy's draft, tagged, is not listed for Ben.
	draft := f.create(f.as("cy"), gid, f.definition(poll.TypePoll, func(d *poll.Definition) { d.Settings.ClosingAt = nil }))
	_, err = f.svc.SetPollTags(f.as("cy"), draft.ID, []string{x.ID})
	f.must(err)

	list := func(who string) []string {
		var got []string
		cursor := ""
		for {
			page, err := f.svc.TaggedDecisions(f.as(who), gid, x.ID, cursor, 2)
			f.must(err)
			for _, d := range page.Items {
				got = append(got, d.ID)
			}
			if page.Next == "" {
				return got
			}
			cursor = page.Next
		}
	}
	got := list("ben")
	if len(got) != len(want) {
		t.Fatalf("filter lists %d polls, want %d: %v", len(got), len(want), got)
	}
	for _, id := range got {
		if !want[id] {
			t.Fatalf("filter lists %s, which does not have the tag", id)
		}
	}
	if got := list("cy"); !slices.Contains(got, draft.ID) || len(got) != len(want)+1 {
		t.Fatalf("Cy's list misses her draft: %v", got)
	}
	f.must(f.svc.DeleteDraft(f.as("cy"), draft.ID))
	if got := list("cy"); slices.Contains(got, draft.ID) {
		t.Fatal("a deleted draft is still listed")
	}
	// The group's lists show the tag.
	page, err := f.svc.List(f.as("ben"), gid, "", 50)
	f.must(err)
	n := 0
	for _, p := range page.Items {
		if len(p.Tags) > 0 {
			n++
		}
	}
	if n != len(want) {
		t.Fatalf("List shows tags on %d polls, want %d", n, len(want))
	}
	// Untagging leaves the filter.
	_, err = f.svc.SetPollTags(f.as("ada"), order[0], []string{})
	f.must(err)
	if got := list("ben"); slices.Contains(got, order[0]) || len(got) != len(want)-1 {
		t.Fatalf("untagged poll still listed: %v", got)
	}
}
