package decision

import (
	"context"
	"slices"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// The voter set (poll.InVoterSet is its one definition): every figure and
// list below follows it. Who is a member is read from the group's
// membership items, who is a guest of a poll's thread from the discussion
// core (Threads.ThreadGuests), who was chosen from the poll's VOTER# items.

// exist reports which of keys exist, in BatchGetItem calls of up to 100.
func (s *Service) exist(ctx context.Context, keys []key) (map[key]bool, error) {
	out := make(map[key]bool, len(keys))
	for chunk := range slices.Chunk(keys, 100) {
		items, err := s.getMany(ctx, chunk...)
		if err != nil {
			return nil, err
		}
		for k := range items {
			out[k] = true
		}
	}
	return out, nil
}

// relations reads how each of uids stands to a poll of group gid in thread
// tid (tid "" for none) with specified voters in partition pid ("" to skip
// them): members, thread guests, chosen voters.
func (s *Service) relations(ctx context.Context, gid, tid, pid string, uids []string) (map[string]poll.Relation, error) {
	var keys []key
	for _, uid := range uids {
		if !ids.Valid(uid) {
			continue
		}
		keys = append(keys, memberKey(gid, uid))
		if tid != "" {
			keys = append(keys, guestKey(tid, uid))
		}
		if pid != "" {
			keys = append(keys, key{tabledef.PollPK(pid), voterSK(uid)})
		}
	}
	found, err := s.exist(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string]poll.Relation, len(uids))
	for _, uid := range uids {
		out[uid] = poll.Relation{
			Member:      found[memberKey(gid, uid)],
			ThreadGuest: tid != "" && found[guestKey(tid, uid)],
			Chosen:      pid != "" && found[key{tabledef.PollPK(pid), voterSK(uid)}],
		}
	}
	return out, nil
}

// guestVoters lists the guests of p's thread who are in its voter set
// without being members (they are counted on top of the group's members):
// none unless the poll invites its thread's guests. Cost: one query over
// the thread's guests (at most discussion.MaxGuests) and their memberships.
func (s *Service) guestVoters(ctx context.Context, p *pollItem, d poll.Definition) ([]string, error) {
	if !d.Settings.ThreadGuestsMayVote || d.Settings.SpecifiedVotersOnly || p.ThreadID == "" || s.threads == nil {
		return nil, nil
	}
	guests, err := s.threads.ThreadGuests(ctx, p.ThreadID)
	if err != nil {
		return nil, err
	}
	rel, err := s.relations(ctx, p.GroupID, "", "", guests)
	if err != nil {
		return nil, err
	}
	out := guests[:0:0]
	for _, uid := range guests {
		if !rel[uid].Member {
			out = append(out, uid)
		}
	}
	return out, nil
}

// eligible is the size of the voter set: the chosen voters (VoterCount:
// VOTER# items are kept only for members and thread guests), or the
// group's member count plus the thread's guests who are not members when
// the poll invites them.
func (s *Service) eligible(ctx context.Context, p *pollItem, d poll.Definition, memberCount int64) (int64, error) {
	if d.Settings.SpecifiedVotersOnly {
		return p.VoterCount, nil
	}
	guests, err := s.guestVoters(ctx, p, d)
	if err != nil {
		return 0, err
	}
	return memberCount + int64(len(guests)), nil
}

// members lists the user ids of group gid's members (a query over the
// group's partition: for admin actions, notices and the close, never on
// the vote path).
func (s *Service) members(ctx context.Context, gid string) ([]string, error) {
	return s.groups.MemberIDs(ctx, gid)
}

// userIDs lists the UserID of every item of partition pk whose sort key
// starts with prefix.
func (s *Service) userIDs(ctx context.Context, pk, prefix string) ([]string, error) {
	var rows []struct {
		UserID string `dynamo:"UserID"`
	}
	q := s.st.Table().Get(tabledef.PK, pk).Range(tabledef.SK, dynamo.BeginsWith, prefix)
	if err := q.Project("UserID").All(ctx, &rows); err != nil {
		return nil, store.Classify(err)
	}
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.UserID)
	}
	return out, nil
}

// voterSet returns the user ids of the voter set: the specified voters, or
// the group's members and the invited thread guests.
func (s *Service) voterSet(ctx context.Context, p *pollItem, d poll.Definition) ([]string, error) {
	if d.Settings.SpecifiedVotersOnly {
		return s.userIDs(ctx, tabledef.PollPK(p.ID), prefixVoter)
	}
	out, err := s.members(ctx, p.GroupID)
	if err != nil {
		return nil, err
	}
	guests, err := s.guestVoters(ctx, p, d)
	if err != nil {
		return nil, err
	}
	return append(out, guests...), nil
}
