package discussion_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/tag"
)

func ptr[T any](v T) *T { return &v }

// tags is a tag service of its own on the fixture's store, with this
// core's threads in its care (as cores wires one service for every core).
func (f *fixture) tags() *tag.Service {
	tags := tag.New(tag.Config{Store: f.st, Policy: f.groups})
	tags.Own(tag.Thread, f.svc)
	return tags
}

func threadIDs(t *testing.T, f *fixture, ctx context.Context, gid, tagID string, limit int) []string {
	t.Helper()
	var out []string
	cursor := ""
	for pages := 0; ; pages++ {
		p, err := f.svc.TaggedThreads(ctx, gid, tagID, cursor, limit)
		f.must(err)
		for _, th := range p.Items {
			if !slices.ContainsFunc(th.Tags, func(x tag.Tag) bool { return x.ID == tagID }) {
				t.Fatalf("thread %s listed for tag %s does not show it: %+v", th.ID, tagID, th.Tags)
			}
			out = append(out, th.ID)
		}
		if p.Next == "" {
			return out
		}
		cursor = p.Next
		if pages > 50 {
			t.Fatal("too many pages")
		}
	}
}

// TestTagsFilterExactly: a tag's filter returns every thread with the tag
// and none without, across pages; removing a tag from a thread, deleting a
// thread and deleting the tag all show at once; renames show everywhere.
func TestTagsFilterExactly(t *testing.T) {
	f := newFixture(t)
	ada, _ := f.user("Ada")
	ben, _ := f.user("Ben")
	gid := f.group(ada, authz.Closed, ben)
	tags := f.tags()
	urgent, err := tags.Create(ada, gid, tag.Input{Name: ptr("Urgent"), Colour: ptr("red")})
	f.must(err)
	budget, err := tags.Create(ada, gid, tag.Input{Name: ptr("Budget"), Colour: ptr("green")})
	f.must(err)

	var want []string
	var all []string
	for i := range 13 {
		th := f.thread(ben, gid, "Thread "+strconv.Itoa(i))
		all = append(all, th.ID)
		var set []string
		if i%3 != 1 {
			set = append(set, urgent.ID)
			want = append(want, th.ID)
		}
		if i%2 == 0 {
			set = append(set, budget.ID)
		}
		got, err := f.svc.SetThreadTags(ben, th.ID, set) // the author may tag
		f.must(err)
		if len(got.Tags) != len(set) {
			t.Fatalf("thread %d shows %d tags, want %d", i, len(got.Tags), len(set))
		}
	}
	slices.Reverse(want) // newest started first
	if got := threadIDs(t, f, ben, gid, urgent.ID, 4); !slices.Equal(got, want) {
		t.Fatalf("urgent filter:\n got %v\nwant %v", got, want)
	}

	// Untag one, delete another: both leave the filter.
	_, err = f.svc.SetThreadTags(ben, want[0], nil)
	f.must(err)
	f.must(f.svc.Delete(ada, want[1]))
	if got := threadIDs(t, f, ben, gid, urgent.ID, 4); !slices.Equal(got, want[2:]) {
		t.Fatalf("after untag and delete:\n got %v\nwant %v", got, want[2:])
	}

	// A rename shows on the thread at once.
	_, err = tags.Update(ada, gid, urgent.ID, tag.Input{Name: ptr("Soon")})
	f.must(err)
	th, err := f.svc.Thread(ben, want[2])
	f.must(err)
	if len(th.Tags) == 0 || th.Tags[len(th.Tags)-1].Name != "Soon" {
		t.Fatalf("renamed tag not shown: %+v", th.Tags)
	}
	// The group's list shows the tags too.
	page, err := f.svc.Threads(ben, gid, "", 50)
	f.must(err)
	tagged := 0
	for _, x := range page.Items {
		if len(x.Tags) > 0 {
			tagged++
		}
	}
	if tagged == 0 {
		t.Fatal("the group's list shows no tags")
	}

	// Deleting a tag: gone from items and its filter at once, then its
	// index and references are purged in bounded batches.
	f.must(tags.Delete(ada, gid, budget.ID))
	th, err = f.svc.Thread(ben, all[0])
	f.must(err)
	if slices.ContainsFunc(th.Tags, func(x tag.Tag) bool { return x.ID == budget.ID }) {
		t.Fatal("a deleted tag still shows")
	}
	if _, err := f.svc.TaggedThreads(ben, gid, budget.ID, "", 10); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("filter by a deleted tag: %v, want not found", err)
	}
	r, err := tags.PurgeDeleted(context.Background(), 10)
	f.must(err)
	// Seven threads had it; the one untagged above lost it then.
	if r.Removed != 6 {
		t.Fatalf("purge removed %d references, want 6", r.Removed)
	}
	r, err = tags.PurgeDeleted(context.Background(), 10)
	f.must(err)
	if r.Tags != 1 || r.Removed != 0 {
		t.Fatalf("second purge: %+v, want the marker gone", r)
	}
}

// TestTagRules: only admins manage tags; only those who may edit a thread
// tag it; names, colours and counts are bounded; tags are per group.
func TestTagRules(t *testing.T) {
	f := newFixture(t)
	ada, _ := f.user("Ada")
	ben, _ := f.user("Ben")
	cy, _ := f.user("Cy")
	gid := f.group(ada, authz.Closed, ben, cy)
	other := f.group(cy, authz.Closed)
	tags := f.tags()
	if _, err := tags.Create(ben, gid, tag.Input{Name: ptr("x"), Colour: ptr("red")}); domain.ErrorCode(err) != domain.Forbidden {
		t.Fatalf("member creates a tag: %v", err)
	}
	if _, err := tags.Create(ada, gid, tag.Input{Name: ptr("this name is far too long for a tag"), Colour: ptr("red")}); domain.ErrorCode(err) != domain.Invalid {
		t.Fatalf("long name: %v", err)
	}
	if _, err := tags.Create(ada, gid, tag.Input{Name: ptr("ok"), Colour: ptr("#ff0000")}); domain.ErrorCode(err) != domain.Invalid {
		t.Fatalf("colour outside the palette: %v", err)
	}
	x, err := tags.Create(ada, gid, tag.Input{Name: ptr("Ideas"), Colour: ptr("blue")})
	f.must(err)
	if _, err := tags.Create(ada, gid, tag.Input{Name: ptr("ideas"), Colour: ptr("red")}); domain.ErrorCode(err) != domain.Invalid {
		t.Fatalf("duplicate name: %v", err)
	}
	for i := 1; i < tag.MaxPerGroup; i++ {
		_, err := tags.Create(ada, gid, tag.Input{Name: ptr("t" + strconv.Itoa(i)), Colour: ptr("grey")})
		f.must(err)
	}
	if _, err := tags.Create(ada, gid, tag.Input{Name: ptr("one more"), Colour: ptr("grey")}); domain.ErrorCode(err) != domain.Invalid {
		t.Fatalf("51st tag: %v", err)
	}
	th := f.thread(ben, gid, "Ben's")
	if _, err := f.svc.SetThreadTags(cy, th.ID, []string{x.ID}); domain.ErrorCode(err) != domain.Forbidden {
		t.Fatalf("another member tags Ben's thread: %v", err)
	}
	if _, err := f.svc.SetThreadTags(ada, th.ID, []string{x.ID}); err != nil {
		t.Fatalf("admin tags: %v", err)
	}
	y, err := tags.Create(cy, other, tag.Input{Name: ptr("Elsewhere"), Colour: ptr("pink")})
	f.must(err)
	if _, err := f.svc.SetThreadTags(ben, th.ID, []string{y.ID}); domain.ErrorCode(err) != domain.Invalid {
		t.Fatalf("another group's tag: %v", err)
	}
	if _, err := f.svc.TaggedThreads(cy, other, x.ID, "", 10); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("filter a group by another group's tag: %v", err)
	}
	outsider, _ := f.user("Dee")
	if _, err := f.svc.TaggedThreads(outsider, gid, x.ID, "", 10); err == nil {
		t.Fatal("an outsider lists a closed group's tagged threads")
	}
	if _, err := tags.List(outsider, gid); err == nil {
		t.Fatal("an outsider lists a closed group's tags")
	}
}
