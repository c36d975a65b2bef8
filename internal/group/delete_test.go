package group_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
)

// countingEraser counts the erasure batches; done after three.
type countingEraser struct {
	mu    sync.Mutex
	calls int
}

func (c *countingEraser) EraseGroup(context.Context, string) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	return c.calls >= 3, nil
}

// The grace period's rules on memdb: a deleted group (and its subgroup)
// is hidden from members but not from admins, leaves members' lists and
// no longer needs its last admin; only admins restore it, and nothing is
// erased before PurgeAt; after it, the eraser runs in steps, restoring
// stops, and the tombstone remains.
func TestDeletedGroupGracePeriod(t *testing.T) {
	f := newFixture(t)
	ada, adaP := f.user("Ada")
	bob, _ := f.user("Bob")
	g := f.create(ada, "Reading circle", authz.Closed)
	sub, err := f.svc.Create(ada, group.CreateInput{Name: "Poetry", Privacy: "closed", ParentID: g.ID})
	f.must(err)
	link, err := f.svc.JoinLink(ada, g.ID)
	f.must(err)
	_, err = f.svc.JoinViaLink(bob, link[strings.LastIndex(link, "/join/")+len("/join/"):])
	f.must(err)
	if names, _ := f.svc.SoleAdminOf(context.Background(), adaP.ID); len(names) == 0 {
		t.Fatal("ada should be the sole admin before")
	}
	if _, err := f.svc.Delete(bob, g.ID, "Reading circle"); code(err) != domain.Forbidden {
		t.Fatalf("member deletes: %v", err)
	}
	if _, err := f.svc.Delete(ada, g.ID, "reading circle"); code(err) != domain.Invalid {
		t.Fatalf("name must match exactly: %v", err)
	}
	d, err := f.svc.Delete(ada, g.ID, "Reading circle")
	f.must(err)
	if d.PurgeAt == nil || d.PurgeAt.Sub(*d.DeletingAt) != group.DefaultDeleteGrace {
		t.Fatalf("deleted: %+v", d)
	}
	if _, err := f.svc.Delete(ada, g.ID, "Reading circle"); code(err) != domain.Conflict {
		t.Fatalf("deleted twice: %v", err)
	}
	for _, id := range []string{g.ID, sub.ID} {
		if _, err := f.svc.Get(bob, id); code(err) != domain.NotFound {
			t.Fatalf("member sees %s: %v", id, err)
		}
		if _, err := f.svc.Get(ada, id); err != nil {
			t.Fatalf("admin: %v", err)
		}
	}
	mine, err := f.svc.Mine(bob, "", 50)
	f.must(err)
	if len(mine.Items) != 0 {
		t.Fatalf("bob's list: %+v", mine.Items)
	}
	if names, _ := f.svc.SoleAdminOf(context.Background(), adaP.ID); len(names) != 1 || names[0] != "Poetry" {
		t.Fatalf("sole admin of %v (only the subgroup, not deleted itself, should count)", names)
	}
	if _, err := f.svc.Restore(bob, g.ID); code(err) != domain.NotFound {
		t.Fatalf("member restores: %v", err)
	}
	_, err = f.svc.Restore(ada, g.ID)
	f.must(err)
	if _, err := f.svc.Get(bob, g.ID); err != nil {
		t.Fatalf("restored: %v", err)
	}
	if _, err := f.svc.Restore(ada, g.ID); code(err) != domain.Conflict {
		t.Fatalf("restore twice: %v", err)
	}

	_, err = f.svc.Delete(ada, g.ID, "Reading circle")
	f.must(err)
	er := &countingEraser{}
	f.svc.SetEraser(er)
	ctx := context.Background()
	r, err := f.svc.RunDeletions(ctx, time.Now(), 10)
	f.must(err)
	if r.Steps != 0 || er.calls != 0 {
		t.Fatalf("erased within the grace period: %+v", r)
	}
	later := time.Now().Add(group.DefaultDeleteGrace + time.Hour)
	r, err = f.svc.RunDeletions(ctx, later, 2) // two steps: not done yet
	f.must(err)
	if r.Steps != 2 || r.Erased != 0 {
		t.Fatalf("first run: %+v", r)
	}
	if _, err := f.svc.Restore(ada, g.ID); code(err) != domain.Conflict {
		t.Fatalf("restore while erasing: %v", err)
	}
	r, err = f.svc.RunDeletions(ctx, later, 2)
	f.must(err)
	if r.Erased != 1 || er.calls != 3 {
		t.Fatalf("second run: %+v, %d calls", r, er.calls)
	}
	gone, at, err := f.svc.Deleted(ctx, g.ID)
	f.must(err)
	if !gone || at.IsZero() {
		t.Fatalf("tombstone: %v %v", gone, at)
	}
}
