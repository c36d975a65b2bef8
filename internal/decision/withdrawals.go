package decision

import (
	"context"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Pending withdrawals (docs/data-model.md pattern 38a): when someone leaves
// a poll's voter set (poll.InVoterSet) by leaving the group or by losing
// their guest grant to the poll's thread, their ballots in its open polls
// must be withdrawn. MemberLeft and GuestRemoved record the duty first, as
// an item on the GSI2 queue WITHDRAW, then do it; the item is removed only
// once every open poll of the group (or of the thread) is done.
// If the withdrawal fails (storage unavailable, a lost race eight times),
// the item stays and Tick retries it until it succeeds. Withdrawing is
// idempotent (a ballot that is gone is not withdrawn twice), and a retry
// only touches ballots written before the person left, so one cast after
// rejoining is kept.

const queueWithdraw = "WITHDRAW"

// withdrawalItem: PK=WITHDRAW#<gid>#<uid> (a member left) or
// WITHDRAW#<gid>#<uid>#<tid> (a guest of thread tid was removed)
// SK=WITHDRAW; GSI2PK=WITHDRAW GSI2SK=<left at>#<gid>#<uid> while pending.
type withdrawalItem struct {
	store.Item
	GroupID string `dynamo:"GroupID"`
	UserID  string `dynamo:"UserID"`
	// ThreadID is set when the person lost a guest grant to this thread
	// (only its polls are concerned); empty when they left the group.
	ThreadID string    `dynamo:"ThreadID,omitempty"`
	LeftAt   time.Time `dynamo:"LeftAt"`
	Attempts int       `dynamo:"Attempts,omitempty"`
}

func withdrawalPK(gid, uid, tid string) string {
	if tid == "" {
		return "WITHDRAW#" + gid + "#" + uid
	}
	return "WITHDRAW#" + gid + "#" + uid + "#" + tid
}

const skWithdrawal = "WITHDRAW"

// MaxWithdrawalsPerTick bounds the pending withdrawals one Tick retries.
const MaxWithdrawalsPerTick = 100

// MemberLeft is the group service's OnMemberLeft hook (system operation):
// it records the pending withdrawal of uid's ballots in group gid, then
// withdraws them (WithdrawMember) and clears the record. On failure the
// record stays for Tick, and the error is returned for the caller's log.
func (s *Service) MemberLeft(ctx context.Context, gid, uid string) error {
	return s.left(ctx, gid, "", uid)
}

// GuestRemoved is the discussion service's OnGuestRemoved hook (system
// operation): uid lost their guest grant to thread tid of group gid, and
// with it their place in the voter set of the thread's polls that invite
// its guests (or chose them as voters), unless they are members. Their
// ballots there are withdrawn exactly as for a member who leaves
// (MemberLeft): recorded, done, retried by Tick on failure.
func (s *Service) GuestRemoved(ctx context.Context, gid, tid, uid string) error {
	if !ids.Valid(tid) {
		return domain.Errorf(domain.Invalid, "invalid id")
	}
	return s.left(ctx, gid, tid, uid)
}

// left records and does the withdrawal duty of uid leaving group gid (tid
// "") or the guests of its thread tid.
func (s *Service) left(ctx context.Context, gid, tid, uid string) error {
	if !ids.Valid(gid) || !ids.Valid(uid) {
		_, err := s.withdrawMember(ctx, gid, tid, uid, time.Time{}) // the same validation error
		return err
	}
	if tid == "" {
		// The proxies they gave and held end (proxy.go); the vote checks
		// memberships, so a failure here leaves them inert, not usable.
		if err := s.endProxiesOf(ctx, gid, uid); err != nil {
			s.log.ErrorContext(ctx, "proxies of a member who left could not be ended", "group_id", gid, "err", err)
		}
	}
	leftAt := s.now().UTC()
	w := &withdrawalItem{Item: store.Item{PK: withdrawalPK(gid, uid, tid), SK: skWithdrawal, Type: "pending_withdrawal", Version: 1,
		GSI2PK: queueWithdraw, GSI2SK: timeKey(leftAt) + "#" + gid + "#" + uid}, GroupID: gid, UserID: uid, ThreadID: tid, LeftAt: leftAt}
	recorded := s.st.Table().Put(w).Run(ctx) == nil
	if _, err := s.withdrawMember(ctx, gid, tid, uid, time.Time{}); err != nil {
		if !recorded {
			s.log.ErrorContext(ctx, "withdrawal after leaving could not be queued", "group_id", gid)
		}
		return err
	}
	if recorded {
		return s.clearWithdrawal(ctx, w)
	}
	return nil
}

// clearWithdrawal removes a done withdrawal, unless a newer leave replaced it.
func (s *Service) clearWithdrawal(ctx context.Context, w *withdrawalItem) error {
	err := s.st.Table().Delete(tabledef.PK, w.PK).Range(tabledef.SK, w.SK).If("$ = ?", "LeftAt", w.LeftAt).Run(ctx)
	if err != nil && !dynamo.IsCondCheckFailed(err) {
		return store.Classify(err)
	}
	return nil
}

// retryWithdrawals works through the WITHDRAW queue (oldest first).
// It returns how many were completed and how many failed again.
func (s *Service) retryWithdrawals(ctx context.Context) (done, failed int, err error) {
	var pending []withdrawalItem
	err = s.st.Table().Get(tabledef.GSI2PK, queueWithdraw).Index(tabledef.GSI2).Limit(MaxWithdrawalsPerTick).All(ctx, &pending)
	if err != nil {
		return 0, 0, store.Classify(err)
	}
	for i := range pending {
		w := &pending[i]
		if _, err := s.withdrawMember(ctx, w.GroupID, w.ThreadID, w.UserID, w.LeftAt); err != nil {
			failed++
			s.log.ErrorContext(ctx, "pending withdrawal failed again", "group_id", w.GroupID, "attempts", w.Attempts+1, "err", err)
			_ = s.st.Update(w.PK, w.SK).Add("Attempts", 1).If("$ = ?", "LeftAt", w.LeftAt).Run(ctx)
			continue
		}
		if err := s.clearWithdrawal(ctx, w); err != nil {
			failed++
			continue
		}
		done++
	}
	return done, failed, nil
}

// addedBefore reports whether a VOTER# item was added at or before
// before (always, when before is zero).
func (s *Service) addedBefore(raw dynamo.Item, before time.Time) bool {
	if before.IsZero() {
		return true
	}
	var v voterItem
	if err := unmarshal(raw, &v); err != nil {
		return true
	}
	return !v.AddedAt.After(before)
}
