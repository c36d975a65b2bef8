package group

// What the group core does when a person deletes their account (#16): the
// account core asks SoleAdminOf first and refuses while it names groups,
// then calls EraseMember until it reports done.

import (
	"context"
	"errors"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// eraseBatch bounds the memberships one EraseMember call removes (each is
// its own transaction).
const eraseBatch = 25

// maxAdminOf bounds the memberships SoleAdminOf reads.
const maxAdminOf = 1000

// membershipsOf reads up to limit of uid's memberships (GSI1 USER#<uid> MEMBER#).
func (s *Service) membershipsOf(ctx context.Context, uid string, limit int) ([]memberItem, error) {
	var ms []memberItem
	err := s.st.Table().Get(tabledef.GSI1PK, tabledef.UserPK(uid)).Index(tabledef.GSI1).
		Range(tabledef.GSI1SK, dynamo.BeginsWith, memberSK("")).Limit(limit).All(ctx, &ms)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return nil, store.Classify(err)
	}
	return ms, nil
}

// SoleAdminOf names the groups uid is the only admin of (deleting their
// account would leave those groups without one). Not an operation of the
// person: the account core calls it for the signed-in owner.
func (s *Service) SoleAdminOf(ctx context.Context, uid string) ([]string, error) {
	ms, err := s.membershipsOf(ctx, uid, maxAdminOf)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, m := range ms {
		if m.Role != authz.RoleAdmin {
			continue
		}
		g, err := s.getGroup(ctx, m.GroupID)
		if domain.ErrorCode(err) == domain.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		if g.AdminCount <= 1 && g.DeletingAt == nil { // a deleted group needs no admin any more
			names = append(names, g.Name)
		}
	}
	return names, nil
}

// EraseMember removes up to one batch of a deleted account's memberships,
// each with an entry "member deleted their account" in the group's record
// of actions (no actor, no target id: nothing personal). It reports done
// when none are left. The ballots of the person stay (results never change
// after the fact), so the member-left hook does not run.
func (s *Service) EraseMember(ctx context.Context, uid string) (bool, error) {
	ms, err := s.membershipsOf(ctx, uid, eraseBatch)
	if err != nil || len(ms) == 0 {
		return err == nil, err
	}
	// The entry is the system's, not the (deleted) person's.
	sys := authz.WithActor(ctx, authz.Actor{})
	for i := range ms {
		m := &ms[i]
		if m.UserID != uid {
			continue
		}
		tx := s.removeTx(m)
		if err := s.audit.Record(sys, tx, m.GroupID, audit.AccountDeleted, audit.Target{Kind: "member"}, nil); err != nil {
			return false, err
		}
		if err := tx.Run(ctx, ""); err != nil {
			return false, err
		}
		s.log.InfoContext(ctx, "member account deleted", "group_id", m.GroupID)
	}
	return false, nil
}

// EraseRequests does one step of deleting deleted account uid's requests to
// join groups (with the message they wrote to the admins). Requests are not
// indexed by person: a step of a scan of GROUP# items (store.SweepStep,
// 1,000 items evaluated), done when the scan has passed the end.
func (s *Service) EraseRequests(ctx context.Context, uid string) (bool, error) {
	return store.SweepStep(ctx, s.st, store.Sweep{
		Prefix: tabledef.GroupPrefix, Filter: "$ = ? AND $ = ?", Args: []any{"Type", "membership_request", "UserID", uid},
		ProgressPK: tabledef.UserPK(uid), ProgressSK: "ERASESCAN#requests", Expires: s.now().Add(30 * 24 * time.Hour), Page: 1000,
	}, func(ctx context.Context, r requestItem) error {
		return s.st.Delete(ctx, r.PK, r.SK)
	})
}
