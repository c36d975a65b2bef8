package group

import (
	"context"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// MaxReadScope bounds the groups and guest grants one ReadScope returns
// (search.MaxScope): more asks the searcher to pick a group.
const MaxReadScope = 100

// GuestOf is a thread or poll of a group the actor is a guest of.
type GuestOf struct {
	GroupID string
	Kind    string // "thread" or "poll"
	ID      string
}

// ReadScope is what the actor may read across groups, as the policy says
// now: the groups whose content they may view, and the threads and polls
// they are a guest of elsewhere. Search reads nothing outside it.
type ReadScope struct {
	Groups []string
	Guest  []GuestOf
}

// ReadScope computes the actor's read scope. With only set, it is that
// group alone (any group whose content the actor may view, an open group
// too), or the actor's guest grants in it; a group they may not see at all
// is the policy's error (ErrHidden: not found). Without it, the groups the
// actor is a member of and the subgroups whose parent's members may see
// threads, plus every guest grant; at most MaxReadScope of each.
func (s *Service) ReadScope(ctx context.Context, only string) (ReadScope, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.RequireUser(a); err != nil {
		return ReadScope{}, err
	}
	var out ReadScope
	if only != "" {
		err := s.Authorize(ctx, only, authz.GroupViewContent, authz.Target{})
		if err == nil {
			out.Groups = []string{only}
			return out, nil
		}
		grants, gerr := s.guestGrants(ctx, only, a.UserID)
		if gerr != nil {
			return ReadScope{}, gerr
		}
		if len(grants) == 0 {
			return ReadScope{}, err
		}
		for _, g := range grants {
			out.Guest = append(out.Guest, GuestOf{GroupID: only, Kind: g.Kind, ID: g.ID})
		}
		return out, nil
	}
	var ms []memberItem
	err := s.st.Table().Get(tabledef.GSI1PK, tabledef.UserPK(a.UserID)).Index(tabledef.GSI1).
		Range(tabledef.GSI1SK, dynamo.BeginsWith, memberSK("")).Limit(MaxReadScope).All(ctx, &ms)
	if err != nil {
		return ReadScope{}, store.Classify(err)
	}
	have := map[string]bool{}
	add := func(gid string) error {
		if have[gid] || len(out.Groups) >= MaxReadScope {
			return nil
		}
		have[gid] = true
		switch err := s.Authorize(ctx, gid, authz.GroupViewContent, authz.Target{}); {
		case err == nil:
			out.Groups = append(out.Groups, gid)
		case domain.Denied(err):
		default:
			return err
		}
		return nil
	}
	for _, m := range ms {
		if err := add(m.GroupID); err != nil {
			return ReadScope{}, err
		}
	}
	// Subgroups of the member's groups that let their parent's members in.
	for _, m := range ms {
		var subs []groupItem
		err := s.st.Table().Get(tabledef.GSI1PK, "SUBGROUPS#"+m.GroupID).Index(tabledef.GSI1).Limit(MaxReadScope).All(ctx, &subs)
		if err != nil {
			return ReadScope{}, store.Classify(err)
		}
		for i := range subs {
			if err := add(subs[i].ID); err != nil {
				return ReadScope{}, err
			}
		}
	}
	grants, err := s.GuestGrantsOf(ctx, a.UserID, MaxReadScope)
	if err != nil {
		return ReadScope{}, err
	}
	for _, g := range grants {
		if have[g.GroupID] && contains(out.Groups, g.GroupID) {
			continue // the group's content is in scope already
		}
		out.Guest = append(out.Guest, g)
	}
	return out, nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
