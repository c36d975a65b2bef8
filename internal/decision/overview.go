package decision

import (
	"context"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Reads for the pages around a thread: a group's decisions with their
// outcomes (the group page) and the open polls waiting for the actor's vote
// across their groups (the dashboard). Both are bounded whatever the size
// of the groups.

// Decision is a poll with its outcome, if one was published.
type Decision struct {
	Poll
	Outcome *Outcome `json:"outcome,omitempty"`
}

// MaxDecisionsPage bounds a page of Decisions.
const MaxDecisionsPage = 50

// Decisions returns a page of the group's polls, newest first (as List),
// each with its outcome: List's calls plus one BatchGetItem of the closed
// polls' outcomes.
func (s *Service) Decisions(ctx context.Context, gid, cursor string, limit int) (store.Page[Decision], error) {
	if limit <= 0 || limit > MaxDecisionsPage {
		limit = MaxDecisionsPage
	}
	page, err := s.List(ctx, gid, cursor, limit)
	if err != nil {
		return store.Page[Decision]{}, err
	}
	return s.withOutcomes(ctx, page)
}

// withOutcomes adds their outcomes to a page of polls (one BatchGetItem of
// the closed ones').
func (s *Service) withOutcomes(ctx context.Context, page store.Page[Poll]) (store.Page[Decision], error) {
	out := store.Page[Decision]{Items: make([]Decision, 0, len(page.Items)), Next: page.Next}
	var keys []key
	for _, p := range page.Items {
		out.Items = append(out.Items, Decision{Poll: p})
		if p.Status == poll.StatusClosed {
			keys = append(keys, key{tabledef.PollPK(p.ID), skOutcome})
		}
	}
	if len(keys) == 0 {
		return out, nil
	}
	items, err := s.getMany(ctx, keys...)
	if err != nil {
		return store.Page[Decision]{}, err
	}
	for i := range out.Items {
		raw, ok := items[key{tabledef.PollPK(out.Items[i].ID), skOutcome}]
		if !ok {
			continue
		}
		var o outcomeItem
		if err := unmarshal(raw, &o); err != nil {
			return store.Page[Decision]{}, err
		}
		v := o.view(s.r)
		out.Items[i].Outcome = &v
	}
	return out, nil
}

// Bounds of Waiting: the groups it looks at and the newest polls of each.
const (
	MaxWaitingGroups   = 20
	MaxWaitingPerGroup = 10
)

// Waiting returns the open polls of the groups gids (the first
// MaxWaitingGroups) that the actor may vote in and has not voted in, the
// one closing soonest first. Only the MaxWaitingPerGroup newest polls of
// each group are looked at (pattern 41), so an open poll older than ten
// newer ones is left out. Groups the actor is not a member of are skipped;
// so are polls the policy does not let them vote in and polls with a list
// of voters they are not on.
//
// The polls of the threads the actor is a guest of count too (a guest
// votes where the poll lets its thread's guests vote, or chose them): the
// newest polls of those threads' groups are looked at the same way, and
// only the polls of those threads kept; the groups count in
// MaxWaitingGroups (members' groups first).
//
// Cost: one Query of the actor's guest grants, one BatchGetItem of the
// groups and the actor's memberships, one Query per group of which they
// are a member or in which they are a guest of a thread, and one
// BatchGetItem (split by 100 keys) of their ballots, participation
// records and voter entries in the open polls, and the tag definitions of
// groups whose waiting polls are tagged: at most 1 + 1 + 20 + 3 + 20
// calls, whatever the size of the groups.
func (s *Service) Waiting(ctx context.Context, gids []string) ([]Poll, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.RequireUser(a); err != nil {
		return nil, err
	}
	if !ids.Valid(a.UserID) {
		return nil, authz.ErrSignIn
	}
	var keys []key
	seen := map[string]bool{}
	for _, gid := range gids {
		if len(seen) == MaxWaitingGroups {
			break
		}
		if ids.Valid(gid) && !seen[gid] {
			seen[gid] = true
			keys = append(keys, groupKey(gid), memberKey(gid, a.UserID))
		}
	}
	guestOf, err := s.guestThreads(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	for _, gid := range slices.Sorted(maps.Keys(guestOf)) {
		if len(seen) < MaxWaitingGroups && !seen[gid] {
			seen[gid] = true
			keys = append(keys, groupKey(gid), memberKey(gid, a.UserID))
		}
	}
	if len(keys) == 0 {
		return []Poll{}, nil
	}
	items, err := s.getMany(ctx, keys...)
	if err != nil {
		return nil, err
	}
	type candidate struct {
		p  pollItem
		d  poll.Definition
		ac *access
		// guest: the actor is not a member; a guest of the poll's thread.
		guest bool
	}
	var open []candidate
	now := s.now()
	for i := 0; i < len(keys); i += 2 {
		gid := keys[i].pk[len(tabledef.GroupPrefix):]
		g, gok := items[keys[i]]
		m, mok := items[keys[i+1]]
		if !gok {
			continue
		}
		if !mok {
			// Not a member: the polls of the threads they are a guest of.
			threads := guestOf[gid]
			if len(threads) == 0 {
				continue
			}
			ps, ds, err := s.openNewest(ctx, gid, now)
			if err != nil {
				return nil, err
			}
			for i, p := range ps {
				if threads[p.ThreadID] {
					open = append(open, candidate{p: p, d: ds[i], ac: &access{a: a}, guest: true})
				}
			}
			continue
		}
		row, err := group.DecodeRow(g)
		if err != nil {
			return nil, err
		}
		mr, valid, err := group.DecodeMembership(m)
		if err != nil {
			return nil, err
		}
		if !valid {
			continue
		}
		ac := &access{a: a, group: row, member: &mr}
		ps, ds, err := s.openNewest(ctx, gid, now)
		if err != nil {
			return nil, err
		}
		for i := range ps {
			if s.authorize(ctx, ac, &ps[i], authz.PollVote) == nil {
				open = append(open, candidate{p: ps[i], d: ds[i], ac: ac})
			}
		}
	}
	var mine []key
	for _, c := range open {
		mine = append(mine, key{tabledef.PollPK(c.p.ID), ballotSK(a.UserID)}, key{tabledef.PollPK(c.p.ID), votedSK(a.UserID)})
		if c.d.Settings.SpecifiedVotersOnly {
			mine = append(mine, key{tabledef.PollPK(c.p.ID), voterSK(a.UserID)})
		}
	}
	have := map[key]dynamo.Item{}
	if len(mine) > 0 {
		if have, err = s.getMany(ctx, mine...); err != nil {
			return nil, err
		}
	}
	out := []Poll{}
	for i := range open {
		c := &open[i]
		pk := tabledef.PollPK(c.p.ID)
		_, ballot := have[key{pk, ballotSK(a.UserID)}]
		_, voted := have[key{pk, votedSK(a.UserID)}]
		_, chosen := have[key{pk, voterSK(a.UserID)}]
		rel := poll.Relation{Member: !c.guest, ThreadGuest: c.guest, Chosen: chosen}
		if ballot || voted || !poll.InVoterSet(c.d.Settings, rel) {
			continue
		}
		// A guest's vote is the policy's to allow, as one of the voters.
		if c.guest && s.authorizeVoter(ctx, c.ac, &c.p, authz.PollVote, true) != nil {
			continue
		}
		out = append(out, s.present(&c.p, c.d))
	}
	// Their tags: one GetItem of the definitions per group with a tagged
	// poll waiting (none when no poll is tagged).
	if err := s.showTags(ctx, out); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return closesAt(out[i]).Before(closesAt(out[j])) })
	return out, nil
}

// closesAt is when an open poll closes (far away when it has no date).
func closesAt(p Poll) time.Time {
	if c := p.Definition.Settings.ClosingAt; c != nil {
		return *c
	}
	return time.Unix(1<<40, 0)
}

// newestPolls are the MaxWaitingPerGroup newest polls of group gid (one
// Query, pattern 41).
func (s *Service) newestPolls(ctx context.Context, gid string) ([]pollItem, error) {
	var ps []pollItem
	err := s.st.Table().Get(tabledef.GSI1PK, pollsOfGroup(gid)).Index(tabledef.GSI1).Order(dynamo.Descending).
		Limit(MaxWaitingPerGroup).All(ctx, &ps)
	if err != nil {
		return nil, store.Classify(err)
	}
	return ps, nil
}

// openNewest are those of group gid's newest polls (newestPolls) that are
// open at now, with their definitions, in the same order.
func (s *Service) openNewest(ctx context.Context, gid string, now time.Time) ([]pollItem, []poll.Definition, error) {
	ps, err := s.newestPolls(ctx, gid)
	if err != nil {
		return nil, nil, err
	}
	var open []pollItem
	var defs []poll.Definition
	for _, p := range ps {
		if p.Status != string(poll.StatusOpen) {
			continue
		}
		d, err := p.def()
		if err != nil {
			return nil, nil, err
		}
		if poll.StatusOf(d.Settings, p.state(0), now) == poll.StatusOpen {
			open, defs = append(open, p), append(defs, d)
		}
	}
	return open, defs, nil
}

// guestThreads are the threads uid is a guest of, by group: their guest
// grants (the group core's, GSI1 USER#<uid> / GUEST#<gid>#thread#<tid>),
// at most MaxWaitingGroups*MaxWaitingPerGroup of them in one Query, shared
// with the dashboard's threads (group.GuestGrantsOf). The grant alone
// decides nothing: the policy is asked for each poll.
func (s *Service) guestThreads(ctx context.Context, uid string) (map[string]map[string]bool, error) {
	grants, err := s.groups.GuestGrantsOf(ctx, uid, MaxWaitingGroups*MaxWaitingPerGroup)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]bool{}
	for _, g := range grants {
		if g.Kind != "thread" {
			continue
		}
		if out[g.GroupID] == nil {
			out[g.GroupID] = map[string]bool{}
		}
		out[g.GroupID][g.ID] = true
	}
	return out, nil
}
