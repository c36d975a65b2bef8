package notify

import (
	"context"
	"errors"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// errGoneOrZero: the notification is gone already, or the unread count is 0.
var errGoneOrZero = errors.New("notification gone or count zero")

// EraseGroupNotifications is one step of erasing an erased group's
// notifications from one member's list (#16): it reads up to limit of
// uid's notifications after cursor after (empty: from the start) and
// deletes those about any of gids (the group and its subgroups), an unread
// one with the unread count lowered in the same transaction. It returns
// where to go on ("" once the list is done) and how many it deleted. A
// step repeated after a crash deletes nothing twice and lowers no count
// twice (each delete is conditional on the item).
func (s *Service) EraseGroupNotifications(ctx context.Context, uid string, gids []string, after string, limit int) (string, int, error) {
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	var c counterItem
	if err := s.st.Get(ctx, tabledef.UserPK(uid), countSK, &c); err != nil && domain.ErrorCode(err) != domain.NotFound {
		return "", 0, err
	}
	q := s.st.Table().Get(tabledef.PK, tabledef.UserPK(uid)).Range(tabledef.SK, dynamo.BeginsWith, notifPrefix).Limit(limit)
	if after != "" {
		q = q.StartFrom(dynamo.PagingKey{
			tabledef.PK: &types.AttributeValueMemberS{Value: tabledef.UserPK(uid)},
			tabledef.SK: &types.AttributeValueMemberS{Value: after},
		})
	}
	var ns []notifItem
	lek, err := q.AllWithLastEvaluatedKey(ctx, &ns)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return "", 0, store.Classify(err)
	}
	deleted := 0
	for _, n := range ns {
		if !slices.Contains(gids, n.GroupID) {
			continue
		}
		ok, err := s.eraseNote(ctx, uid, n, c.ReadThrough)
		if err != nil {
			return "", deleted, err
		}
		if ok {
			deleted++
		}
	}
	var next string
	if v, ok := lek[tabledef.SK].(*types.AttributeValueMemberS); ok && len(ns) > 0 {
		next = v.Value
	}
	return next, deleted, nil
}

// eraseNote deletes notification n of uid, an unread one with the unread
// count lowered in the same transaction (readThrough: the count's mark-all-
// read position). It reports whether it deleted the item; a repeat finds it
// gone and changes nothing.
func (s *Service) eraseNote(ctx context.Context, uid string, n notifItem, readThrough string) (bool, error) {
	cond := s.st.DeleteOp(tabledef.UserPK(uid), n.SK).If("attribute_exists($)", tabledef.PK)
	if n.ReadAt == 0 && n.ID > readThrough {
		err := s.st.Tx().Delete(cond, errGoneOrZero).
			Update(s.st.Update(tabledef.UserPK(uid), countSK).Add("Count", -1).If("$ > ?", "Count", 0), errGoneOrZero).
			Run(ctx, "")
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, errGoneOrZero) {
			return false, err
		}
		cond = s.st.DeleteOp(tabledef.UserPK(uid), n.SK).If("attribute_exists($)", tabledef.PK) // the count is 0 already (or the item gone)
	}
	if err := cond.Run(ctx); err != nil {
		if dynamo.IsCondCheckFailed(err) {
			return false, nil
		}
		return false, store.Classify(err)
	}
	return true, nil
}
