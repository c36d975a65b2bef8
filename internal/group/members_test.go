package group_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/metering"
)

// A page of members reads its people in one batch and costs the same
// DynamoDB calls on the first page of a big group as in a small one.
func TestMembersPageReadsItsPeopleAtOnce(t *testing.T) {
	f := newFixture(t)
	admin, _ := f.user("Admin")
	g := f.create(admin, "Many", authz.Open)
	small := f.create(admin, "Few", authz.Open)

	const joiners = 130
	var wg sync.WaitGroup
	errs := make(chan error, joiners)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < joiners; i += 8 {
				ctx, _ := f.user(fmt.Sprintf("Member%03d", i))
				if _, err := f.svc.Join(ctx, g.ID); err != nil {
					errs <- err
					return
				}
				if i == 0 {
					if _, err := f.svc.Join(ctx, small.ID); err != nil {
						errs <- err
						return
					}
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	member, _ := f.user("Member000")

	calls := func(ctx context.Context, gid string) (int, int, []group.Member) {
		t.Helper()
		f.people.ResetCounts()
		mctx, m := metering.NewContext(ctx)
		page, err := f.svc.Members(mctx, gid, "", 100)
		f.must(err)
		return m.Snapshot().DynamoDBCalls, f.people.Batches(), page.Items
	}
	bigCalls, bigBatches, items := calls(admin, g.ID)
	smallCalls, smallBatches, few := calls(admin, small.ID)
	t.Logf("first page: %d DynamoDB calls in a group of %d, %d in a group of %d", bigCalls, joiners+1, smallCalls, len(few))
	if bigBatches != 1 || smallBatches != 1 {
		t.Errorf("people read in %d and %d batches, want one per page", bigBatches, smallBatches)
	}
	if bigCalls != smallCalls || bigCalls > 2 {
		t.Errorf("a page costs %d calls in the big group and %d in the small one; want the same, at most 2 besides the people", bigCalls, smallCalls)
	}
	if len(items) != 100 || len(few) != 2 {
		t.Fatalf("pages of %d and %d members, want 100 and 2", len(items), len(few))
	}
	for _, m := range items {
		if m.Name == "" || m.Email == "" {
			t.Fatalf("admin sees member %+v without name or address", m)
		}
	}
	// A member sees names but no addresses.
	_, _, seen := calls(member, g.ID)
	for _, m := range seen {
		if m.Name == "" || m.Email != "" {
			t.Fatalf("member sees %+v: want a name and no address", m)
		}
	}
}
