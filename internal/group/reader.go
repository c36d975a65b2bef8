package group

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// The group core owns the group item (GROUP#<gid> / GROUP) and the
// memberships (GROUP#<gid> / MEMBER#<uid>): other cores never read or
// write them by hand, they ask here (docs/architecture.md, "Where does new
// code go"). Each consumer declares the small interface it needs
// (decision.Members, discussion.Policy, inbox.Members); *Service
// implements them all.
//
// Some reads must stay inside a caller's own BatchGetItem or transaction
// (a vote is 1 transaction + at most 2 reads whatever the group's size):
// for those the caller takes the keys from GroupKey and MembershipKey,
// reads them with its own items, and hands what came back to DecodeRow and
// DecodeMembership; conditions on a membership are added to the caller's
// transaction by RequireMember and RequireNotMember. The layout stays here.

// Key is the primary key of one of the group core's items.
type Key struct{ PK, SK string }

// GroupKey is the key of group gid's item.
func GroupKey(gid string) Key { return Key{tabledef.GroupPK(gid), groupSK} }

// MembershipKey is the key of uid's membership of group gid.
func MembershipKey(gid, uid string) Key { return Key{tabledef.GroupPK(gid), memberSK(uid)} }

// MembershipOf parses a membership's key: the group and user ids, false
// for any other item.
func MembershipOf(pk, sk string) (gid, uid string, ok bool) {
	if !strings.HasPrefix(pk, tabledef.GroupPrefix) || !strings.HasPrefix(sk, memberSK("")) {
		return "", "", false
	}
	return pk[len(tabledef.GroupPrefix):], sk[len(memberSK("")):], true
}

// Row is what other cores read of a group item: the policy's facts and the
// member count.
type Row struct {
	ID          string        `dynamo:"ID"`
	Name        string        `dynamo:"Name"`
	Privacy     authz.Privacy `dynamo:"Privacy"`
	ParentID    string        `dynamo:"ParentID"`
	Flags       StoredFlags   `dynamo:"Flags"`
	MemberCount int64         `dynamo:"MemberCount"`
}

// DecodeRow reads a group item read at GroupKey.
func DecodeRow(it dynamo.Item) (Row, error) {
	var r Row
	if err := dynamo.UnmarshalItem(it, &r); err != nil {
		return Row{}, domain.Wrap(domain.Internal, err, "stored item is unreadable")
	}
	return r, nil
}

// DecodeMembership reads a membership item read at MembershipKey; ok is
// false for a membership without a valid role.
func DecodeMembership(it dynamo.Item) (m MemberRole, ok bool, err error) {
	if err := dynamo.UnmarshalItem(it, &m); err != nil {
		return MemberRole{}, false, domain.Wrap(domain.Internal, err, "stored item is unreadable")
	}
	return m, m.Role.Valid(), nil
}

// RequireMember adds to tx the condition that uid is a member of gid;
// the transaction fails with onFail when not.
func RequireMember(tx *store.Tx, gid, uid string, onFail error) {
	tx.Check(tabledef.GroupPK(gid), memberSK(uid), "attribute_exists($)", onFail, tabledef.PK)
}

// RequireNotMember adds to tx the condition that uid is not a member of
// gid; the transaction fails with onFail when they are.
func RequireNotMember(tx *store.Tx, gid, uid string, onFail error) {
	tx.Check(tabledef.GroupPK(gid), memberSK(uid), "attribute_not_exists($)", onFail, tabledef.PK)
}

// Roles returns the role in group gid of each of uids who is a member
// (system read, no authorization): one consistent BatchGetItem per 100
// people whatever the size of the group (callers bound uids: an audience,
// a poll's chosen voters). Invalid ids are not members.
func (s *Service) Roles(ctx context.Context, gid string, uids []string) (map[string]authz.Role, error) {
	var keys []dynamo.Keyed
	for _, uid := range uids {
		if ids.Valid(uid) {
			keys = append(keys, dynamo.Keys{tabledef.GroupPK(gid), memberSK(uid)})
		}
	}
	out := make(map[string]authz.Role, len(keys))
	for chunk := range slices.Chunk(keys, 100) {
		var rows []MemberRole
		err := s.st.Table().Batch(tabledef.PK, tabledef.SK).Get(chunk...).Project("UserID", "Role").Consistent(true).All(ctx, &rows)
		if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
			return nil, store.Classify(err)
		}
		for _, r := range rows {
			if r.UserID != "" && r.Role.Valid() {
				out[r.UserID] = r.Role
			}
		}
	}
	return out, nil
}

// IsMember reports whether uid is a member of gid (system read).
func (s *Service) IsMember(ctx context.Context, gid, uid string) (bool, error) {
	if !ids.Valid(uid) {
		return false, nil
	}
	roles, err := s.Roles(ctx, gid, []string{uid})
	return roles[uid] != "", err
}

// MemberIDs lists the user ids of all of group gid's members (system read:
// admin actions, notices and a poll's close; never on a hot path). It
// pages through the group's partition in queries of up to 1 MB.
func (s *Service) MemberIDs(ctx context.Context, gid string) ([]string, error) {
	return s.memberIDs(ctx, gid, "")
}

// Admins lists the user ids of group gid's admins (system read).
func (s *Service) Admins(ctx context.Context, gid string) ([]string, error) {
	return s.memberIDs(ctx, gid, authz.RoleAdmin)
}

func (s *Service) memberIDs(ctx context.Context, gid string, role authz.Role) ([]string, error) {
	q := s.st.Table().Get(tabledef.PK, tabledef.GroupPK(gid)).Range(tabledef.SK, dynamo.BeginsWith, memberSK(""))
	if role != "" {
		q = q.Filter("$ = ?", "Role", string(role))
	}
	var rows []MemberRole
	if err := q.Project("UserID", "Role").All(ctx, &rows); err != nil {
		return nil, store.Classify(err)
	}
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.UserID)
	}
	return out, nil
}

// GroupsOf lists the ids of up to limit groups uid is a member of (system
// read; one query of the memberships by user). Up to MaxDashboardGroups,
// the query is read once per read-only request and person, and shared with
// Mine's first page (mylists.go).
func (s *Service) GroupsOf(ctx context.Context, uid string, limit int) ([]string, error) {
	if !ids.Valid(uid) {
		return nil, nil
	}
	if limit <= MaxDashboardGroups && store.ReadCacheOn(ctx) {
		page, err := s.myMemberships(ctx, uid)
		if err != nil {
			return nil, err
		}
		out := make([]string, 0, min(max(limit, 0), len(page.Items)))
		for _, m := range page.Items[:min(max(limit, 0), len(page.Items))] {
			out = append(out, m.GroupID)
		}
		return out, nil
	}
	var rows []struct {
		GroupID string `dynamo:"GroupID"`
	}
	err := s.st.Table().Get(tabledef.GSI1PK, tabledef.UserPK(uid)).Index(tabledef.GSI1).
		Range(tabledef.GSI1SK, dynamo.BeginsWith, memberSK("")).Limit(limit).All(ctx, &rows)
	if err != nil {
		return nil, store.Classify(err)
	}
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.GroupID)
	}
	return out, nil
}

// Name returns group gid's name, "" for no such group (system read: the
// caller has authorized the viewer).
func (s *Service) Name(ctx context.Context, gid string) (string, error) {
	var g struct {
		Name string `dynamo:"Name"`
	}
	err := s.st.Table().Get(tabledef.PK, tabledef.GroupPK(gid)).Range(tabledef.SK, dynamo.Equal, groupSK).
		Project("Name").One(ctx, &g)
	if errors.Is(err, dynamo.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", store.Classify(err)
	}
	return g.Name, nil
}

// pagingKey is the key a member page starts after.
func memberPagingKey(gid, after string) dynamo.PagingKey {
	return dynamo.PagingKey{tabledef.PK: &types.AttributeValueMemberS{Value: tabledef.GroupPK(gid)},
		tabledef.SK: &types.AttributeValueMemberS{Value: memberSK(after)}}
}
