package decision

import (
	"context"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Moving a thread to another group (discussion.MoveThread) takes its polls
// along: the discussion core finds them here, page by page, and adds their
// moves to the transaction that switches the thread, so a thread and its
// polls are in the same group at every moment (docs/data-model.md, 22b).

// MoveScanPage is how many of a group's polls one step of a move reads.
const MoveScanPage = 200

// ErrPollMoved: a poll of the thread changed group meanwhile; the move
// collects its polls again.
var ErrPollMoved = domain.Errorf(domain.Conflict, "a poll of this thread changed meanwhile; try again")

// PollsOfThread returns the ids of group gid's polls that belong to thread
// tid among one page of the group's polls (GSI1 POLLS#<gid>, at most
// MoveScanPage read), and the cursor of the next page ("" when done).
// Trusted: no authorization (the discussion core has done its own).
func (s *Service) PollsOfThread(ctx context.Context, gid, tid, cursor string) ([]string, string, error) {
	if !ids.Valid(gid) || !ids.Valid(tid) {
		return nil, "", domain.Errorf(domain.Invalid, "bad identifiers")
	}
	// SearchLimit bounds what one step reads (Limit alone counts matches,
	// and would page through the whole group for a filter that rarely hits).
	q := s.st.Table().Get(tabledef.GSI1PK, pollsOfGroup(gid)).Index(tabledef.GSI1).Filter("$ = ?", "ThreadID", tid).
		SearchLimit(MoveScanPage)
	page, err := store.QueryPage[pollItem](ctx, s.st, q, "move-polls:"+gid+":"+tid, cursor, MoveScanPage)
	if err != nil {
		return nil, "", err
	}
	out := make([]string, 0, len(page.Items))
	for _, p := range page.Items {
		if p.ThreadID == tid {
			out = append(out, p.ID)
		}
	}
	return out, page.Next, nil
}

// MovePolls adds to tx the move of each poll of thread tid from group from
// to group to: its GroupID and its place in the group's list (GSI1), and
// Version (the search indexer files it under the new group). Each update
// is conditioned on the poll still being in from and in tid.
func (s *Service) MovePolls(tx *store.Tx, tid string, pids []string, from, to string) {
	for _, pid := range pids {
		tx.Update(s.st.Update(tabledef.PollPK(pid), skPoll).Set("GroupID", to).Set(tabledef.GSI1PK, pollsOfGroup(to)).
			Add(tabledef.Version, 1).If("$ = ? AND $ = ?", "GroupID", from, "ThreadID", tid), ErrPollMoved)
	}
}

// RefileSearchBatch is how many of a poll's items one step of
// RefilePollSearch reads.
const RefileSearchBatch = 50

// refileItem is the part of a ballot, sealed ballot or outcome that says
// whether search holds it (a reason or a statement).
type refileItem struct {
	PK        string `dynamo:"PK"`
	SK        string `dynamo:"SK"`
	Reason    string `dynamo:"Reason"`
	Statement string `dynamo:"Statement"`
}

// RefilePollSearch adds to tx, for one page (at most RefileSearchBatch
// items) of poll pid's ballots, sealed ballots and outcome that search
// holds (a reason, a statement), a bump of their Version and group to:
// the search indexer files a document again when its item's Version grows,
// and prefers the group written on the item to its poll's document, which
// the indexer may not have moved yet (records are applied in parallel). It
// returns the cursor of the next page ("" when the poll is done). A cursor
// is opaque: "" starts with the named ballots and the outcome (SK from
// BALLOT# to OUTCOME), then the sealed ballots. Trusted: no authorization
// (the discussion core's move has done its own).
func (s *Service) RefilePollSearch(ctx context.Context, tx *store.Tx, pid, to, cursor string) (string, error) {
	if !ids.Valid(pid) || !ids.Valid(to) {
		return "", domain.Errorf(domain.Invalid, "bad identifiers")
	}
	part, rest, _ := strings.Cut(cursor, ":")
	if part == "" {
		part = "b"
	}
	q := s.st.Table().Get(tabledef.PK, tabledef.PollPK(pid)).Project(tabledef.PK, tabledef.SK, "Reason", "Statement")
	switch part {
	case "b":
		q.Range(tabledef.SK, dynamo.Between, prefixBallot, skOutcome)
	case "s":
		q.Range(tabledef.SK, dynamo.BeginsWith, prefixSealed)
	default:
		return "", domain.Errorf(domain.Invalid, "bad cursor")
	}
	page, err := store.QueryPage[refileItem](ctx, s.st, q, "refile-search:"+part+":"+pid, rest, RefileSearchBatch)
	if err != nil {
		return "", err
	}
	for _, it := range page.Items {
		held := (it.SK == skOutcome && it.Statement != "") ||
			((strings.HasPrefix(it.SK, prefixBallot) || strings.HasPrefix(it.SK, prefixSealed)) && it.Reason != "")
		if !held {
			continue
		}
		tx.Update(s.st.Update(it.PK, it.SK).Add(tabledef.Version, 1).Set("GroupID", to).
			If("attribute_exists($)", tabledef.PK), nil)
	}
	switch {
	case page.Next != "":
		return part + ":" + page.Next, nil
	case part == "b":
		return "s:", nil
	}
	return "", nil
}

// MoveBallotsPage is how many ballots (or chosen-voter entries) of a poll
// one step of WithdrawMoved reads.
const MoveBallotsPage = 100

// Cursors of WithdrawMoved: which kind of entry it is reading, then the
// page's own cursor.
const (
	moveCursorBallots = "b:"
	moveCursorVoters  = "v:"
)

// keyOnly reads an entry's keys (its SK names the person).
type keyOnly struct {
	store.Item
}

// WithdrawMoved applies, to poll pid of a thread that moved to another
// group, the rule of someone leaving a group (MemberLeft): people no
// longer in its voter set, because they are not members of its new group
// (nor guests of its thread, where those vote, nor chosen where chosen
// voters count), lose their ballot and their chosen-voter entry while the
// poll is open; anonymous ballots stay counted (nothing links them to
// anyone). Closed polls never change. One bounded step: a page of at most
// MoveBallotsPage ballots (then of voter entries), one BatchGetItem of
// the people's memberships and a withdrawal (withdrawFor) for each
// non-member; it returns the cursor of the next step ("" when the poll is
// done). Idempotent. Trusted: no authorization (the move job runs it).
func (s *Service) WithdrawMoved(ctx context.Context, pid, cursor string) (string, int, error) {
	if !ids.Valid(pid) {
		return "", 0, domain.Errorf(domain.Invalid, "bad identifiers")
	}
	var p pollItem
	err := s.st.Get(ctx, tabledef.PollPK(pid), skPoll, &p)
	if domain.ErrorCode(err) == domain.NotFound {
		return "", 0, nil
	}
	if err != nil {
		return "", 0, err
	}
	if p.Status != string(poll.StatusOpen) {
		return "", 0, nil
	}
	prefix, scope := prefixBallot, moveCursorBallots
	inner := cursor
	switch {
	case cursor == "":
	case len(cursor) >= 2 && cursor[:2] == moveCursorBallots:
		inner = cursor[2:]
	case len(cursor) >= 2 && cursor[:2] == moveCursorVoters:
		prefix, scope, inner = prefixVoter, moveCursorVoters, cursor[2:]
	default:
		return "", 0, domain.Errorf(domain.Invalid, "bad cursor")
	}
	q := s.st.Table().Get(tabledef.PK, tabledef.PollPK(pid)).Range(tabledef.SK, dynamo.BeginsWith, prefix).Project(tabledef.PK, tabledef.SK)
	page, err := store.QueryPage[keyOnly](ctx, s.st, q, "move-ballots:"+pid+":"+scope, inner, MoveBallotsPage)
	if err != nil {
		return "", 0, err
	}
	uids := make([]string, 0, len(page.Items))
	keys := make([]key, 0, len(page.Items))
	for _, it := range page.Items {
		uid := strings.TrimPrefix(it.SK, prefix)
		if ids.Valid(uid) {
			uids = append(uids, uid)
			keys = append(keys, memberKey(p.GroupID, uid))
		}
	}
	members := map[key]dynamo.Item{}
	if len(keys) > 0 {
		if members, err = s.getMany(ctx, keys...); err != nil {
			return "", 0, err
		}
	}
	n := 0
	for i, uid := range uids {
		if _, ok := members[keys[i]]; ok {
			continue
		}
		done, err := s.withdrawFor(ctx, &p, uid, "", time.Time{}, true)
		if err != nil {
			return "", n, err
		}
		if done {
			n++
		}
	}
	switch {
	case page.Next != "":
		return scope + page.Next, n, nil
	case scope == moveCursorBallots:
		return moveCursorVoters, n, nil
	}
	return "", n, nil
}
