package discussion_test

import (
	"slices"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/tag"
)

// TestStartThreadWithTags: tags chosen when starting a thread are on it
// and in the tag's filter at once (written in the creating transaction);
// ids of another group, more than ten, or an author who may not tag their
// threads are refused and start nothing.
func TestStartThreadWithTags(t *testing.T) {
	f := newFixture(t)
	ada, _ := f.user("Ada")
	ben, _ := f.user("Ben")
	gid := f.group(ada, authz.Closed, ben)
	other := f.group(ada, authz.Closed)
	tags := f.tags()
	urgent, err := tags.Create(ada, gid, tag.Input{Name: ptr("Urgent"), Colour: ptr("red")})
	f.must(err)
	budget, err := tags.Create(ada, gid, tag.Input{Name: ptr("Budget"), Colour: ptr("green")})
	f.must(err)
	foreign, err := tags.Create(ada, other, tag.Input{Name: ptr("Elsewhere"), Colour: ptr("blue")})
	f.must(err)

	if !f.svc.CanTagNewThread(ben, gid) {
		t.Fatal("a member who may edit their threads cannot tag a new one")
	}
	th, err := f.svc.StartThread(ben, discussion.StartInput{GroupID: gid, Title: "Tagged from the start",
		Tags: []string{urgent.ID, budget.ID, urgent.ID}})
	f.must(err)
	if len(th.Tags) != 2 || th.Tags[0].Name != "Budget" || th.Tags[1].Name != "Urgent" {
		t.Fatalf("started thread shows tags %+v", th.Tags)
	}
	got, err := f.svc.Thread(ben, th.ID)
	f.must(err)
	if len(got.Tags) != 2 {
		t.Fatalf("read back: %+v", got.Tags)
	}
	for _, x := range []tag.Tag{urgent, budget} {
		if ids := threadIDs(t, f, ben, gid, x.ID, 10); !slices.Equal(ids, []string{th.ID}) {
			t.Fatalf("filter %s lists %v", x.Name, ids)
		}
	}
	// Untagging later removes the index item written at creation.
	_, err = f.svc.SetThreadTags(ben, th.ID, []string{budget.ID})
	f.must(err)
	if ids := threadIDs(t, f, ben, gid, urgent.ID, 10); len(ids) != 0 {
		t.Fatalf("untagged thread still in the filter: %v", ids)
	}

	before, err := f.svc.Threads(ben, gid, "", 50)
	f.must(err)
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = urgent.ID
	}
	for name, ids := range map[string][]string{"foreign tag": {foreign.ID}, "unknown id": {"nosuchtag"}, "eleven": eleven} {
		_, err := f.svc.StartThread(ben, discussion.StartInput{GroupID: gid, Title: "Bad " + name, Tags: ids})
		if domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("%s: %v, want invalid", name, err)
		}
	}

	// A group that does not let members edit their threads: they start
	// threads but do not tag them; its admins do.
	g, err := f.groups.Get(ada, gid)
	f.must(err)
	off := false
	_, err = f.groups.Update(ada, gid, group.UpdateInput{Version: g.Version, Permissions: &group.FlagsPatch{MembersCanEditOwnThreads: &off}})
	f.must(err)
	if f.svc.CanTagNewThread(ben, gid) {
		t.Fatal("the form offers tags to a member who may not tag")
	}
	if _, err := f.svc.StartThread(ben, discussion.StartInput{GroupID: gid, Title: "Not mine to tag", Tags: []string{urgent.ID}}); domain.ErrorCode(err) != domain.Forbidden {
		t.Fatalf("member tags a new thread without the right: %v", err)
	}
	after, err := f.svc.Threads(ben, gid, "", 50)
	f.must(err)
	if len(after.Items) != len(before.Items) {
		t.Fatalf("refused starts created threads: %d before, %d after", len(before.Items), len(after.Items))
	}
	if !f.svc.CanTagNewThread(ada, gid) {
		t.Fatal("an admin cannot tag a new thread")
	}
	_, err = f.svc.StartThread(ada, discussion.StartInput{GroupID: gid, Title: "Admin's", Tags: []string{urgent.ID}})
	f.must(err)
}
