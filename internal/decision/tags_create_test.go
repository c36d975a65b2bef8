package decision_test

import (
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/tag"
)

// TestCreatePollWithTags: tags chosen when creating a poll are on it and
// in the tag's filter at once (the creating transaction writes the index);
// ids of another group or more than ten are refused and create nothing.
func TestCreatePollWithTags(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Closed, "ada", "ben")
	other := f.group(authz.Closed, "ada")
	tags := tag.New(tag.Config{Store: f.st, Policy: f.groups})
	x, err := tags.Create(f.as("ada"), gid, tag.Input{Name: sptr("Budget"), Colour: sptr("teal")})
	f.must(err)
	y, err := tags.Create(f.as("ada"), other, tag.Input{Name: sptr("Elsewhere"), Colour: sptr("red")})
	f.must(err)

	p, err := f.svc.Create(f.as("ben"), decision.CreateInput{GroupID: gid, Definition: f.definition(poll.TypeProposal, nil),
		Tags: []string{x.ID, x.ID}})
	f.must(err)
	if len(p.Tags) != 1 || p.Tags[0].Name != "Budget" {
		t.Fatalf("created poll shows %+v", p.Tags)
	}
	page, err := f.svc.TaggedPolls(f.as("ada"), gid, x.ID, "", 10)
	f.must(err)
	if len(page.Items) != 1 || page.Items[0].ID != p.ID {
		t.Fatalf("filter lists %+v", page.Items)
	}
	// A draft may carry tags too (its author sees it in the filter).
	d, err := f.svc.Create(f.as("ben"), decision.CreateInput{GroupID: gid,
		Definition: f.definition(poll.TypePoll, func(d *poll.Definition) { d.Settings.ClosingAt = nil }), Tags: []string{x.ID}})
	f.must(err)
	if len(d.Tags) != 1 {
		t.Fatalf("draft shows %+v", d.Tags)
	}
	// Untagging removes the index item written at creation.
	_, err = f.svc.SetPollTags(f.as("ben"), p.ID, nil)
	f.must(err)
	page, err = f.svc.TaggedPolls(f.as("ben"), gid, x.ID, "", 10)
	f.must(err)
	if len(page.Items) != 1 || page.Items[0].ID != d.ID {
		t.Fatalf("after untagging, filter lists %+v", page.Items)
	}

	before, err := f.svc.List(f.as("ben"), gid, "", 50)
	f.must(err)
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = x.ID
	}
	for name, ids := range map[string][]string{"foreign": {y.ID}, "eleven": eleven} {
		_, err := f.svc.Create(f.as("ben"), decision.CreateInput{GroupID: gid, Definition: f.definition(poll.TypeProposal, nil), Tags: ids})
		if domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("%s: %v, want invalid", name, err)
		}
	}
	after, err := f.svc.List(f.as("ben"), gid, "", 50)
	f.must(err)
	if len(after.Items) != len(before.Items) {
		t.Fatalf("refused creates made polls: %d then %d", len(before.Items), len(after.Items))
	}
}
