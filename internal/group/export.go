package group

import (
	"context"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
)

// ExportMembership is one of a person's memberships in their personal
// export (#16): the group, the role and how and when they joined.
type ExportMembership struct {
	GroupID   string     `json:"group_id"`
	GroupName string     `json:"group_name"`
	Role      authz.Role `json:"role"`
	JoinedAt  time.Time  `json:"joined_at"`
	Via       string     `json:"via"`
}

// ExportEntity names the row's file in the archive.
func (ExportMembership) ExportEntity() string { return "memberships" }

// ExportUser returns uid's memberships (at most 1,000, the bound the
// account core's deletion guard reads too) with their groups' names. One
// step: no cursor. Called by the export machinery for the export's owner.
func (s *Service) ExportUser(ctx context.Context, uid string) ([]any, error) {
	ms, err := s.membershipsOf(ctx, uid, maxAdminOf)
	if err != nil {
		return nil, err
	}
	rows := make([]any, 0, len(ms))
	for _, m := range ms {
		name := ""
		g, err := s.getGroup(ctx, m.GroupID)
		switch {
		case err == nil:
			name = g.Name
		case domain.ErrorCode(err) != domain.NotFound:
			return nil, err
		}
		rows = append(rows, ExportMembership{GroupID: m.GroupID, GroupName: name, Role: m.Role, JoinedAt: m.JoinedAt, Via: m.Via})
	}
	return rows, nil
}
