package group

import (
	"context"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// MemberRole is a membership as the fan-out of notifications reads it.
type MemberRole struct {
	UserID string     `dynamo:"UserID"`
	Role   authz.Role `dynamo:"Role"`
}

// MemberPage reads up to limit members of group gid after user id after
// ("" from the start), in user-id order: one query of the group's
// partition (system read for the notification fan-out, no authorization).
// next is the last user id of the page, "" when there are no more.
func (s *Service) MemberPage(ctx context.Context, gid, after string, limit int) ([]MemberRole, string, error) {
	q := s.st.Table().Get(tabledef.PK, tabledef.GroupPK(gid)).Range(tabledef.SK, dynamo.BeginsWith, memberSK("")).
		Project("UserID", "Role").Limit(limit)
	if after != "" {
		q = q.StartFrom(memberPagingKey(gid, after))
	}
	var rows []MemberRole
	last, err := q.AllWithLastEvaluatedKey(ctx, &rows)
	if err != nil {
		return nil, "", store.Classify(err)
	}
	next := ""
	if last != nil && len(rows) > 0 {
		next = rows[len(rows)-1].UserID
	}
	return rows, next, nil
}
