package group

import (
	"context"
	"slices"

	"github.com/quorum-app/quorum/internal/store"
)

// A person's groups and guest grants are asked for more than once by one
// page: the dashboard's recent threads (internal/discussion) and its polls
// waiting for a vote (the page's list of groups and internal/decision's
// Waiting) each need them, with their own bounds. Within a read-only
// request (store.Memo) each list is read once per person, with the larger
// bound, and every caller takes the first of it it needs; a write empties
// the memo, and without a read cache every call reads.
const (
	// MaxDashboardGroups bounds the groups of a person a dashboard reads
	// (the recent threads look at 50, the waiting polls at the first 20).
	MaxDashboardGroups = 50
	// MaxDashboardGrants bounds the guest grants of a person a dashboard
	// reads (the waiting polls look at 20 groups × 10 polls, the recent
	// threads at 50).
	MaxDashboardGrants = 200
)

// myMemberships is the first page of MaxDashboardGroups of uid's
// memberships (GSI1 USER#<uid> / MEMBER#, one Query), once per read-only
// request. The page's cursor is Mine's, so Mine may serve it.
func (s *Service) myMemberships(ctx context.Context, uid string) (store.Page[memberItem], error) {
	return store.Memo(ctx, "group.memberships/"+uid, func() (store.Page[memberItem], error) {
		return store.QueryPage[memberItem](ctx, s.st, s.membershipsQuery(uid), "groups-of:"+uid, "", MaxDashboardGroups)
	})
}

// GuestGrantsOf lists up to limit of uid's guest grants in every group
// (system read, one query of GSI1 USER#<uid> / GUEST#). Within a
// read-only request it is read once per person: up to MaxDashboardGrants
// grants, of which each caller gets the first limit (a larger limit, or no
// read cache, reads on its own). A grant alone decides nothing: callers ask
// the policy about what it names.
func (s *Service) GuestGrantsOf(ctx context.Context, uid string, limit int) ([]GuestOf, error) {
	if limit > MaxDashboardGrants || !store.ReadCacheOn(ctx) {
		return s.guestGrantsOf(ctx, uid, limit)
	}
	all, err := store.Memo(ctx, "group.grants-of/"+uid, func() ([]GuestOf, error) {
		return s.guestGrantsOf(ctx, uid, MaxDashboardGrants)
	})
	if err != nil {
		return nil, err
	}
	return slices.Clone(all[:min(max(limit, 0), len(all))]), nil
}
