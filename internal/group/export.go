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

// Group export (#16, admins): the group and its members, for the export's
// owner (ctx's actor: the policy is asked again at every step, so an admin
// who lost the role mid-way gets no more).

// ExportGroupInfo is the group's own row of a group export.
type ExportGroupInfo struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	Handle      string        `json:"handle"`
	Description string        `json:"description"`
	Privacy     authz.Privacy `json:"privacy"`
	ParentID    string        `json:"parent_id,omitempty"`
	Permissions authz.Flags   `json:"permissions"`
	CreatedAt   time.Time     `json:"created_at"`
}

// ExportEntity names the row's file in the archive.
func (ExportGroupInfo) ExportEntity() string { return "group" }

// ExportMember is a member in a group export: name and role, never the
// address.
type ExportMember struct {
	UserID   string     `json:"user_id"`
	Name     string     `json:"name"`
	Role     authz.Role `json:"role"`
	JoinedAt time.Time  `json:"joined_at"`
}

// ExportEntity names the row's file in the archive.
func (ExportMember) ExportEntity() string { return "members" }

// exportMembersPage bounds the members one step reads.
const exportMembersPage = 100

// ExportGroup does one step of group gid's export from cursor ("" first):
// the group (first step) and a page of members; the next cursor is ""
// after the last page.
func (s *Service) ExportGroup(ctx context.Context, gid, cursor string) ([]any, string, error) {
	if err := s.Authorize(ctx, gid, authz.GroupExport, authz.Target{Kind: "group", ID: gid}); err != nil {
		return nil, "", err
	}
	var rows []any
	if cursor == "" {
		g, err := s.Get(ctx, gid)
		if err != nil {
			return nil, "", err
		}
		rows = append(rows, ExportGroupInfo{ID: g.ID, Name: g.Name, Handle: g.Handle, Description: g.Description,
			Privacy: g.Privacy, ParentID: g.ParentID, Permissions: g.Permissions, CreatedAt: g.CreatedAt})
	}
	page, err := s.Members(ctx, gid, cursor, exportMembersPage)
	if err != nil {
		return nil, "", err
	}
	for _, m := range page.Items {
		rows = append(rows, ExportMember{UserID: m.UserID, Name: m.Name, Role: m.Role, JoinedAt: m.JoinedAt})
	}
	return rows, page.Next, nil
}
