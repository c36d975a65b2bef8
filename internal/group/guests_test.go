package group_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/store"
)

// The guest grants are the group core's: what the discussion core writes
// with NewThreadGuest is what the reads, the policy and RequireGuest find,
// a move re-files it, and erasure deletes it.
func TestGuestGrants(t *testing.T) {
	f := newFixture(t)
	alice, a := f.user("Alice")
	_, b := f.user("Bob")
	carol, c := f.user("Carol")
	g := f.create(alice, "Guests "+f.tag, authz.Secret)
	g2 := f.create(alice, "Elsewhere "+f.tag, authz.Secret)
	ctx := context.Background()
	tid, other := ids.New(), ids.New()
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	f.must(f.st.Create(ctx, group.NewThreadGuest(g.ID, tid, c.ID, a.ID, at), nil))
	f.must(f.st.Create(ctx, group.NewThreadGuest(g.ID, tid, b.ID, a.ID, at.Add(time.Minute)), nil))

	guests, err := f.svc.ThreadGuests(ctx, tid, 10)
	f.must(err)
	if len(guests) != 2 {
		t.Fatalf("ThreadGuests = %+v, want Bob and Carol", guests)
	}
	for _, gu := range guests {
		if gu.GroupID != g.ID || gu.AddedBy != a.ID || (gu.UserID != b.ID && gu.UserID != c.ID) || gu.AddedAt.IsZero() {
			t.Errorf("ThreadGuests row %+v", gu)
		}
	}
	idsOf, err := f.svc.ThreadGuestIDs(ctx, tid, 10)
	f.must(err)
	slices.Sort(idsOf)
	want := []string{b.ID, c.ID}
	slices.Sort(want)
	if !slices.Equal(idsOf, want) {
		t.Errorf("ThreadGuestIDs = %v, want %v", idsOf, want)
	}
	if one, err := f.svc.ThreadGuestIDs(ctx, tid, 1); err != nil || len(one) != 1 {
		t.Errorf("ThreadGuestIDs limit 1 = %v, %v", one, err)
	}
	page, err := f.svc.ThreadGuestPage(ctx, tid, "", 1)
	f.must(err)
	if len(page.Items) != 1 || page.Next == "" {
		t.Fatalf("first page = %+v, want one guest and a cursor", page)
	}
	rest, err := f.svc.ThreadGuestPage(ctx, tid, page.Next, 1)
	f.must(err)
	if len(rest.Items) != 1 || rest.Items[0].UserID == page.Items[0].UserID {
		t.Errorf("second page = %+v after %+v", rest, page)
	}
	grants, err := f.svc.GuestGrantsOf(ctx, c.ID, 10)
	f.must(err)
	if want := []group.GuestOf{{GroupID: g.ID, Kind: "thread", ID: tid}}; !slices.Equal(grants, want) {
		t.Errorf("GuestGrantsOf(carol) = %+v, want %+v", grants, want)
	}
	if none, err := f.svc.GuestGrantsOf(ctx, "not an id!", 10); err != nil || len(none) != 0 {
		t.Errorf("GuestGrantsOf(invalid) = %v, %v", none, err)
	}

	// The policy sees the grant: Carol may view that thread of the secret
	// group, not another one.
	if err := f.svc.Authorize(carol, g.ID, authz.ThreadView, authz.Target{Kind: "thread", ID: tid}); err != nil {
		t.Errorf("guest viewing her thread: %v", err)
	}
	if err := f.svc.Authorize(carol, g.ID, authz.ThreadView, authz.Target{Kind: "thread", ID: other}); !domain.Denied(err) {
		t.Errorf("guest viewing another thread: %v, want denied", err)
	}

	// Inside a caller's transaction.
	errNo := errors.New("not a guest")
	probeTx := func(i int) *store.Tx {
		return f.st.Tx().Put(&probe{store.Item{PK: "GUESTTEST#" + f.tag, SK: string(rune('a' + i)), Type: "probe"}})
	}
	tx := probeTx(0)
	group.RequireGuest(tx, tid, c.ID, errNo)
	f.must(tx.Run(ctx, ""))
	tx = probeTx(1)
	group.RequireGuest(tx, other, c.ID, errNo)
	if err := tx.Run(ctx, ""); !errors.Is(err, errNo) {
		t.Errorf("RequireGuest(other thread) = %v, want %v", err, errNo)
	}
	k := group.GuestKey(tid, c.ID)
	var raw store.Item
	f.must(f.st.Get(ctx, k.PK, k.SK, &raw))

	// A thread's move re-files the grant under the new group.
	tx = probeTx(2)
	group.RefileThreadGuest(f.st, tx, tid, c.ID, g.ID, g2.ID)
	f.must(tx.Run(ctx, ""))
	grants, err = f.svc.GuestGrantsOf(ctx, c.ID, 10)
	f.must(err)
	if want := []group.GuestOf{{GroupID: g2.ID, Kind: "thread", ID: tid}}; !slices.Equal(grants, want) {
		t.Errorf("after the move GuestGrantsOf(carol) = %+v, want %+v", grants, want)
	}
	if err := f.svc.Authorize(carol, g.ID, authz.ThreadView, authz.Target{Kind: "thread", ID: tid}); !domain.Denied(err) {
		t.Errorf("guest in the old group after the move: %v, want denied", err)
	}

	// Erasure deletes the grants a batch at a time, then reports done.
	done, err := f.svc.EraseGuestGrants(ctx, c.ID)
	f.must(err)
	if done {
		t.Error("EraseGuestGrants reported done while deleting a grant")
	}
	if done, err = f.svc.EraseGuestGrants(ctx, c.ID); err != nil || !done {
		t.Errorf("EraseGuestGrants again = %v, %v; want done", done, err)
	}
	if left, err := f.svc.ThreadGuestIDs(ctx, tid, 10); err != nil || !slices.Equal(left, []string{b.ID}) {
		t.Errorf("after erasure the thread's guests = %v, %v; want only Bob", left, err)
	}
}

// Mail to <handle>@<domain> is routed by GroupIDByHandle whatever the
// group's visibility.
func TestGroupIDByHandle(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice")
	g := f.create(alice, "Handled "+f.tag, authz.Secret)
	ctx := context.Background()
	gid, ok, err := f.svc.GroupIDByHandle(ctx, g.Handle)
	if err != nil || !ok || gid != g.ID {
		t.Errorf("GroupIDByHandle(%q) = %q, %v, %v; want %q", g.Handle, gid, ok, err, g.ID)
	}
	if gid, ok, err := f.svc.GroupIDByHandle(ctx, "nobody-"+f.tag); err != nil || ok || gid != "" {
		t.Errorf("GroupIDByHandle(unknown) = %q, %v, %v; want nothing", gid, ok, err)
	}
}
