package notify

import (
	"context"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Notifications of people who had left a group before its erasure (#16).
// The group erasure visits its members' lists (EraseGroupNotifications);
// people who left earlier are no longer members, and notifications are
// not indexed by group, so a step of a scan of the people's partitions
// finds the rest.

const (
	// leftScanPage bounds the items one step of the scan evaluates (one
	// Scan request, at most 1 MB).
	leftScanPage = 1000
	leftScanSK   = "SCAN"
	// leftScanSteps bounds the pages one call scans (about 10 MB read,
	// 1.3k RCU eventually consistent, a second or so).
	leftScanSteps = 10
)

func leftScanPK(gid string) string { return "NOTIFSCAN#" + gid }

// GroupSweep erases the notifications about an erased group left in
// anyone's list (recovery.GroupOwned: one step a call).
type GroupSweep struct{ s *Service }

// GroupSweep returns the erased groups' notification sweep.
func (s *Service) GroupSweep() GroupSweep { return GroupSweep{s: s} }

// EraseGroup does one step of the sweep for group gid: up to leftScanSteps
// pages of a scan
// of USER# items for notifications about gid, each deleted (an unread one
// with its owner's unread count lowered in the same transaction). Progress
// is kept in NOTIFSCAN#<gid> / SCAN (kind erase_scan) until the scan has
// passed the end of the table; done then. Idempotent: a repeated step finds
// the notifications gone.
func (g GroupSweep) EraseGroup(ctx context.Context, gid string) (bool, error) {
	for range leftScanSteps {
		if done, err := g.step(ctx, gid); err != nil || done {
			return done, err
		}
	}
	return false, nil
}

func (g GroupSweep) step(ctx context.Context, gid string) (bool, error) {
	s := g.s
	reads := map[string]string{} // owner -> mark-all-read position, read once a step
	return store.SweepStep(ctx, s.st, store.Sweep{
		Prefix: tabledef.UserPrefix, Filter: "$ = ? AND $ = ?", Args: []any{"Type", "notification", "GroupID", gid},
		ProgressPK: leftScanPK(gid), ProgressSK: leftScanSK, Expires: s.now().Add(30 * 24 * time.Hour), Page: leftScanPage,
	}, func(ctx context.Context, n notifItem) error {
		uid := strings.TrimPrefix(n.PK, tabledef.UserPrefix)
		through, ok := reads[uid]
		if !ok {
			var c counterItem
			if err := s.st.Get(ctx, tabledef.UserPK(uid), countSK, &c); err != nil && domain.ErrorCode(err) != domain.NotFound {
				return err
			}
			through, reads[uid] = c.ReadThrough, c.ReadThrough
		}
		_, err := s.eraseNote(ctx, uid, n, through)
		return err
	})
}
