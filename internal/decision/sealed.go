package decision

import (
	"context"
	"time"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
)

// Sealed closed polls: once a poll closes (by its closing time, early by
// a poll admin, or by the scheduler), its ballots, their reasons and its
// results stand as they were:
//
//   - Vote and Withdraw check the status at the clock (checkOpen) and their
//     transaction is conditioned on the poll being open (count): a closing
//     time passing between the read and the write cancels it.
//   - Withdrawals of people who left (withdrawFor) only touch open polls.
//   - Removing a specified voter (RemoveVoter) withdraws their ballot only
//     while the poll is open (openAt), by the clock as well as the status.
//   - Only a group admin reopens a poll (authz.PollReopen), recorded in the
//     group's audit log, with a "reopened by" item in the poll's thread.
//
// The outcome, written once the poll is closed, may still be edited by
// the poll's admins; every edit keeps the text it replaced (outcome
// history, outcomehistory.go).

// ErrReopenAdminOnly: a closed poll is reopened by a group admin only.
var ErrReopenAdminOnly = domain.Errorf(domain.Forbidden, "only the group's admins can reopen a closed poll")

// authorizeReopen: whoever may see the poll and is an admin of its group
// (authz.PollReopen).
func (s *Service) authorizeReopen(ctx context.Context, l *loaded) error {
	if err := s.authorizeView(ctx, l); err != nil {
		return err
	}
	if !l.ac.a.Authenticated() {
		return authz.ErrSignIn
	}
	if s.authorize(ctx, l.ac, l.p, authz.PollReopen) != nil {
		return ErrReopenAdminOnly
	}
	return nil
}

// recordReopen adds the audit entry of a reopening to tx.
func (s *Service) recordReopen(ctx context.Context, tx *store.Tx, p *pollItem, closingAt time.Time) error {
	return s.audit.Record(ctx, tx, p.GroupID, audit.PollReopened, audit.Target{Kind: "poll", ID: p.ID},
		map[string]string{"closing_at": closingAt.UTC().Format(time.RFC3339)})
}

// openAt is the condition, on the poll item, that the poll takes ballot
// changes at now: published, not closed by status nor by its closing time
// (drafts have no ballots; their ClosingAtMs is 0).
func openAt(now time.Time) (string, []any) {
	return "$ = ? AND $ > ?", []any{"Status", string(poll.StatusOpen), "ClosingAtMs", now.UnixMilli()}
}
