package discussion_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/testcloud"
)

// The bound on a thread's guests (guestcap.go), on memdb and on DynamoDB
// Local: a thread from before the guest count (its grants written without
// one) is counted on first use, two adds racing for the last place get one
// place, a re-add and a removal of a non-guest count nothing, and a count
// left too high by grants deleted behind the thread's back is lowered.
func TestGuestBound(t *testing.T) {
	t.Run("memdb", func(t *testing.T) { testGuestBound(t, newFixture(t)) })
	t.Run("real", func(t *testing.T) { testGuestBound(t, newFixtureOn(t, testcloud.New(t))) })
}

// oldGuests writes n guest grants to thread tid as the code before the
// count did (no count on the thread) and returns their user ids.
func (f *fixture) oldGuests(gid, tid string, n int) []string {
	f.t.Helper()
	var uids []string
	now := time.Now().UTC()
	for start := 0; start < n; start += 25 {
		var items []any
		for i := start; i < min(start+25, n); i++ {
			uid := fmt.Sprintf("g%s%05d", strings.ToLower(f.tag), i)
			uids = append(uids, uid)
			items = append(items, group.NewThreadGuest(gid, tid, uid, "someone", now))
		}
		_, err := f.st.Table().Batch(tabledef.PK, tabledef.SK).Write().Put(items...).Run(context.Background())
		f.must(err)
	}
	return uids
}

func testGuestBound(t *testing.T, f *fixture) {
	alice, _ := f.user("Alice")
	gid := f.group(alice, authz.Closed)
	th := f.thread(alice, gid, "Open day")
	old := f.oldGuests(gid, th.ID, discussion.MaxGuests-2)
	_, u1 := f.user("Una")
	_, u2 := f.user("Ugo")
	_, u3 := f.user("Ute")
	_, u4 := f.user("Uri")

	// 198 uncounted guests: the first add counts them and takes place 199.
	f.must(f.svc.AddGuest(alice, th.ID, u1))
	// A re-add is refused as such and takes no place.
	if err := f.svc.AddGuest(alice, th.ID, u1); err != discussion.ErrAlreadyGuest {
		t.Fatalf("re-add: %v", err)
	}
	// Two adds race for the last place: each has seen 199 before either
	// writes (they wait for each other at their transaction, through the
	// store's guard hook). One gets it, the other is told the thread is
	// full (409, the catalog's message).
	racers := []string{u2, u3}
	var arrived sync.WaitGroup
	arrived.Add(len(racers))
	both := make(chan struct{})
	go func() { arrived.Wait(); close(both) }()
	race := store.WithTxGuard(alice, func(*store.Tx) {
		arrived.Done()
		select {
		case <-both:
		case <-time.After(10 * time.Second):
			t.Error("the racing adds did not both reach their transaction")
		}
	})
	var wg sync.WaitGroup
	errs := make([]error, len(racers))
	for i, uid := range racers {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = f.svc.AddGuest(race, th.ID, uid) }()
	}
	wg.Wait()
	won, lost := "", ""
	for i, err := range errs {
		switch {
		case err == nil && won == "":
			won = racers[i]
		case err == discussion.ErrTooManyGuests:
			lost = racers[i]
		default:
			t.Fatalf("racing adds at %d: %v", discussion.MaxGuests-1, errs)
		}
	}
	if won == "" || code(discussion.ErrTooManyGuests) != domain.Conflict ||
		!strings.Contains(domain.ErrorMessage(discussion.ErrTooManyGuests), "200 guests") {
		t.Fatalf("racing adds: %v", errs)
	}
	guests, err := f.svc.Guests(alice, th.ID)
	f.must(err)
	if len(guests) != discussion.MaxGuests {
		t.Fatalf("%d guests", len(guests))
	}
	ids, err := f.svc.GuestIDs(context.Background(), th.ID)
	f.must(err)
	if len(ids) != discussion.MaxGuests {
		t.Fatalf("%d guest ids", len(ids))
	}
	// Full: a re-add still says "already a guest", a new one is refused.
	if err := f.svc.AddGuest(alice, th.ID, won); err != discussion.ErrAlreadyGuest {
		t.Fatalf("re-add when full: %v", err)
	}
	if err := f.svc.AddGuest(alice, th.ID, u4); err != discussion.ErrTooManyGuests {
		t.Fatalf("add when full: %v", err)
	}
	// Removing someone who is no guest gives no place back...
	f.must(f.svc.RemoveGuest(alice, th.ID, lost))
	if err := f.svc.AddGuest(alice, th.ID, u4); err != discussion.ErrTooManyGuests {
		t.Fatalf("add after removing a non-guest: %v", err)
	}
	// ...removing a guest does, once.
	f.must(f.svc.RemoveGuest(alice, th.ID, u1))
	f.must(f.svc.RemoveGuest(alice, th.ID, u1))
	f.must(f.svc.AddGuest(alice, th.ID, lost))
	if err := f.svc.AddGuest(alice, th.ID, u4); err != discussion.ErrTooManyGuests {
		t.Fatalf("add after one removal and one add: %v", err)
	}
	// A grant deleted without the thread (an account's erasure) leaves the
	// count high: a full-looking thread counts again and has a place.
	gk := group.GuestKey(th.ID, old[0])
	f.must(f.st.Delete(context.Background(), gk.PK, gk.SK))
	f.must(f.svc.AddGuest(alice, th.ID, u4))
	if err := f.svc.AddGuest(alice, th.ID, u1); err != discussion.ErrTooManyGuests {
		t.Fatalf("add after the recount: %v", err)
	}
}

// A thread with more guests than the bound from before it (an old thread)
// takes none until enough are removed.
func TestGuestBoundOverfullOldThread(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice")
	gid := f.group(alice, authz.Closed)
	th := f.thread(alice, gid, "Crowded")
	old := f.oldGuests(gid, th.ID, discussion.MaxGuests+3)
	_, u := f.user("Una")
	if err := f.svc.AddGuest(alice, th.ID, u); err != discussion.ErrTooManyGuests {
		t.Fatalf("add to an overfull thread: %v", err)
	}
	for _, uid := range old[:3] {
		f.must(f.svc.RemoveGuest(alice, th.ID, uid))
	}
	// The count was the bounded read (201): three removals leave it at 198.
	f.must(f.svc.AddGuest(alice, th.ID, u))
}

// Accepting an invitation takes a place too: refused when the thread is
// full, the invitation stays unused.
func TestGuestBoundInvitation(t *testing.T) {
	f := newFixture(t)
	svc := f.mailService(nil)
	alice, _ := f.user("Alice")
	gid := f.group(alice, authz.Closed)
	th := f.thread(alice, gid, "Full house")
	f.oldGuests(gid, th.ID, discussion.MaxGuests-1)
	addr := f.addressOf("Late")
	_, err := svc.SendGuestInvitation(alice, th.ID, addr)
	f.must(err)
	_, token := f.invitationMail(addr, "")
	_, last := f.user("Last")
	f.must(svc.AddGuest(alice, th.ID, last))
	late, _ := f.user("Late")
	if _, err := svc.AcceptGuestInvitation(late, token); err != discussion.ErrTooManyGuests {
		t.Fatalf("accept when full: %v", err)
	}
	// Inviting an address with an account adds at once: refused too.
	if _, err := svc.InviteGuestByEmail(alice, th.ID, addr); err != discussion.ErrTooManyGuests {
		t.Fatalf("invite an account when full: %v", err)
	}
	// No new invitation is sent either.
	if _, err := svc.SendGuestInvitation(alice, th.ID, f.addressOf("Later")); err != discussion.ErrTooManyGuests {
		t.Fatalf("invite when full: %v", err)
	}
	guests, err := svc.Guests(alice, th.ID)
	f.must(err)
	f.must(svc.RemoveGuest(alice, th.ID, guests[0].UserID))
	if _, err := svc.AcceptGuestInvitation(late, token); err != nil {
		t.Fatalf("accept after a removal: %v", err)
	}
	if _, err := svc.Thread(late, th.ID); err != nil {
		t.Fatalf("the new guest reads: %v", err)
	}
}
