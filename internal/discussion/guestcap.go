package discussion

// The bound on a thread's guests. Every read of them (the guest list,
// mention resolution, notifications) stops at MaxGuests, so the writes
// that add one refuse to go past it: a guest past the bound would silently
// miss what the others are told.
//
// The thread item keeps GuestCount, and a guest grant is only ever written
// in one transaction with `ADD GuestCount 1` conditioned on
// `GuestCount < MaxGuests` (AddGuest, AcceptGuestInvitation), so two adds
// racing for the last place cannot both win. Removing a guest deletes the
// grant and decrements the count in one transaction too.
//
// The count is never below the number of grants (it may be above it: the
// erasure of a guest's account deletes their grants in the group core
// without touching the thread, and a removal that races the count's first
// write is not subtracted). Threads from before the count have none; it is
// not taken as 0, which would let a thread that already has 200 guests
// take 200 more: the first add counts the grants (one bounded query of
// their ids, MaxGuests+1) and writes the count only if there still is none.
// No grant can be added while there is none (the add's condition fails on
// a missing count), so the number written is exact or, at worst, high.
// When a thread looks full, the grants are counted again and a count that
// is too high is lowered (conditioned on being unchanged), so a high count
// costs a query, never a place.

import (
	"context"
	"errors"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/tabledef"
)

const guestCountAttr = "GuestCount"

// Errors of adding guests.
var (
	// ErrTooManyGuests: the thread has MaxGuests guests already.
	ErrTooManyGuests = domain.Errorf(domain.Conflict,
		"this thread already has %d guests, the most it can have: remove a guest before adding another", MaxGuests)
	// ErrAlreadyGuest: the person is a guest of the thread already (their
	// grant is not written, nor counted, twice).
	ErrAlreadyGuest = domain.Errorf(domain.Conflict, "that person is already a guest of this thread")
	// errGuestSlot: the count's condition failed inside a transaction (the
	// thread filled up, was deleted or has no count yet); never returned.
	errGuestSlot = errors.New("discussion: guest count moved")
	// errNotGuest, errGuestUncounted: a removal's conditions; never returned.
	errNotGuest       = errors.New("discussion: not a guest")
	errGuestUncounted = errors.New("discussion: guest count absent")
)

// guestSlot is the update that takes one place among the thread's guests:
// it fails (errGuestSlot) unless the live thread has a count below the
// bound. It rides in the transaction that writes the grant.
func (s *Service) guestSlot(tid string) *dynamo.Update {
	return s.st.Update(tabledef.ThreadPK(tid), threadSK).Add(guestCountAttr, 1).
		If("attribute_exists($) AND $ = ? AND $ < ?", tabledef.PK, "Deleted", false, guestCountAttr, MaxGuests)
}

// withGuestSlot runs add, a transaction that writes a grant with
// guestSlot, once the thread has a count with room: it writes the count
// of a thread that has none, and answers ErrTooManyGuests for a full one.
// t is the thread as the caller just read it (consistently); a transaction
// that lost the last place to another reads it again, and then sees the
// thread full.
func (s *Service) withGuestSlot(ctx context.Context, t *threadItem, add func() error) error {
	for try := range 4 {
		if try > 0 {
			var err error
			if t, err = s.getThread(ctx, t.ID); err != nil {
				return err
			}
		}
		if err := s.readyGuestCount(ctx, t); err != nil {
			return err
		}
		if err := add(); !errors.Is(err, errGuestSlot) {
			return err
		}
	}
	return ErrTooManyGuests
}

// readyGuestCount makes sure thread t (as just read) has a guest count
// below MaxGuests: it writes a missing one and lowers one that is too
// high, or answers ErrTooManyGuests.
func (s *Service) readyGuestCount(ctx context.Context, t *threadItem) error {
	if t.GuestCount != nil && *t.GuestCount < MaxGuests {
		return nil
	}
	tid := t.ID
	ids, err := s.policy.ThreadGuestIDs(ctx, tid, MaxGuests+1)
	if err != nil {
		return err
	}
	n := int64(len(ids))
	up := s.st.Update(tabledef.ThreadPK(tid), threadSK).Set(guestCountAttr, n)
	switch {
	case t.GuestCount == nil:
		up.If("attribute_exists($) AND attribute_not_exists($)", tabledef.PK, guestCountAttr)
	case n < *t.GuestCount:
		up.If("$ = ?", guestCountAttr, *t.GuestCount)
	default:
		return ErrTooManyGuests
	}
	// A failed condition means another request wrote the count first: the
	// caller's transaction checks it again either way.
	if err := s.st.Tx().Update(up, errGuestSlot).Run(ctx, ""); err != nil && !errors.Is(err, errGuestSlot) {
		return err
	}
	if n >= MaxGuests {
		return ErrTooManyGuests
	}
	return nil
}

// deleteGuestGrant withdraws uid's grant to thread t and gives its place
// back, in one transaction; a person who is no guest is no error.
func (s *Service) deleteGuestGrant(ctx context.Context, t *threadItem, uid string) error {
	gk := group.GuestKey(t.ID, uid)
	if t.GuestCount != nil {
		del := s.st.DeleteOp(gk.PK, gk.SK).If("attribute_exists($)", tabledef.PK)
		dec := s.st.Update(tabledef.ThreadPK(t.ID), threadSK).Add(guestCountAttr, -1).
			If("attribute_exists($) AND $ > ?", guestCountAttr, guestCountAttr, 0)
		err := s.st.Tx().Delete(del, errNotGuest).Update(dec, errGuestUncounted).Run(ctx, "")
		switch {
		case err == nil, errors.Is(err, errNotGuest):
			return nil
		case !errors.Is(err, errGuestUncounted):
			return err
		}
		// A count of 0 with a grant left cannot be, but the grant still goes.
	}
	// No count yet: the grant alone goes; a count written later counts
	// what is left.
	return s.st.Delete(ctx, gk.PK, gk.SK)
}
