package decision

import (
	"cmp"
	"context"
	"errors"
	"slices"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Poll cards: what a thread page shows of each poll in its timeline, read
// for all of them at once. The rules are the ones of Get, Mine, Results,
// GetOutcome and Ballots (the same helpers run on the same items); only the
// reads are batched.

// MaxCards bounds the polls one Cards call reads.
const MaxCards = 10

// MaxStances bounds the reasons a card carries; stanceScan bounds the
// ballots read per poll to find them (and the voters a card names: one
// query page).
const (
	MaxStances = 5
	stanceScan = store.MaxPageSize
)

// Card is one poll as the viewer sees it on a thread page.
type Card struct {
	Poll Poll
	// Mine is the viewer's ballot (zero for a visitor who is not signed in).
	Mine MyBallot
	// Results are the figures or a Hidden notice (the one gate).
	Results ResultsView
	// Outcome is the published outcome, if any.
	Outcome *Outcome
	// Stances are the latest ballots with a reason (at most the stances
	// asked for, newest first), when the viewer may read the poll's ballots
	// and its results are not hidden from them. Anonymous polls' carry no
	// user id. StancesNote says why there are none when the policy refuses.
	Stances     []BallotView
	StancesNote bool
	// Voters are the user ids of the poll's voters read with the stances
	// (at most stanceScan, whether or not they gave a reason), under the
	// same rule: none in an anonymous poll (its voters are never named,
	// not even by their presence), none while its results are hidden from
	// the viewer or the policy refuses them the ballots. The thread page
	// shows them among the thread's participants; the poll's Decided
	// count tells how many more there are.
	Voters []string
	// Proxies are the members the viewer may vote for here with their
	// proxy (open polls of groups that allow proxy voting; proxy.go).
	Proxies []HeldProxy
	// Reactions are the reactions on the poll itself (reactions.go; none
	// on drafts), read in the cards' batch.
	Reactions []Reaction
}

// Cards returns the cards of polls pids (at most MaxCards, in the order
// given) that the viewer may see; polls they may not see (other people's
// drafts, missing or invisible polls) are left out. stances is the number
// of reasons per card (0: none, at most MaxStances).
//
// Cost: one BatchGetItem for every poll's items (poll, tally and shards,
// frozen results, outcome, reactions on the poll, the viewer's ballot and
// voter entries; a second
// one past 100 keys), one for each distinct group (a thread's polls share
// one), and with stances one Query per card whose ballots the viewer may
// read (at most stanceScan ballots: the reasons and the voters named).
// Polls whose eligible count needs the thread's guests (guests may vote)
// add those reads.
func (s *Service) Cards(ctx context.Context, pids []string, stances int) ([]Card, error) {
	a := authz.ActorFrom(ctx)
	var valid []string
	for _, pid := range pids {
		if ids.Valid(pid) && !slices.Contains(valid, pid) {
			valid = append(valid, pid)
		}
	}
	if len(valid) > MaxCards {
		valid = valid[:MaxCards]
	}
	stances = min(max(stances, 0), MaxStances)
	if len(valid) == 0 {
		return nil, nil
	}
	var keys []key
	viewer := viewerKeys(a)
	if len(viewer) > 0 {
		viewer = append(viewer, voterSK(a.UserID))
	}
	for _, pid := range valid {
		for _, sk := range append(append([]string{skPoll, skResults, skOutcome, reactionsSK(ReactPoll)}, tallyKeys()...), viewer...) {
			keys = append(keys, key{tabledef.PollPK(pid), sk})
		}
	}
	items := make(map[key]dynamo.Item, len(keys))
	for chunk := range slices.Chunk(keys, 100) {
		got, err := s.getMany(ctx, chunk...)
		if err != nil {
			return nil, err
		}
		for k, v := range got {
			items[k] = v
		}
	}
	groups := map[string]*access{}
	held := map[string][]proxyItem{} // the viewer's proxies, by group
	out := make([]Card, 0, len(valid))
	for _, pid := range valid {
		p, d, err := pollOf(items, pid)
		if errors.Is(err, authz.ErrHidden) {
			continue
		}
		if err != nil {
			return nil, err
		}
		ac, ok := groups[p.GroupID]
		if !ok {
			if ac, err = s.access(ctx, a, p.GroupID, nil); err != nil && !hidden(err) {
				return nil, err
			}
			groups[p.GroupID] = ac
		}
		if ac == nil {
			continue
		}
		l := &loaded{p: p, def: d, items: items, ac: ac}
		if err := s.authorizeView(ctx, l); err != nil {
			if hidden(err) {
				continue
			}
			return nil, err
		}
		c := Card{Poll: s.present(p, d)}
		s.withDetails(&c.Poll)
		if a.Authenticated() && ids.Valid(a.UserID) {
			if c.Mine, err = s.mineOf(ctx, l); err != nil {
				return nil, err
			}
		}
		if c.Results, err = s.resultsOf(ctx, l); err != nil {
			return nil, err
		}
		if c.Proxies, err = s.cardProxies(ctx, l, held); err != nil {
			return nil, err
		}
		if c.Outcome, err = s.outcomeOf(l); err != nil {
			return nil, err
		}
		c.Reactions = []Reaction{}
		if it, ok := l.item(reactionsSK(ReactPoll)); ok && p.Status != string(poll.StatusDraft) {
			c.Reactions = reactionsOf(it, a)
		}
		if stances > 0 && c.Results.Hidden == nil {
			h, err := s.ballotsGate(ctx, l)
			switch {
			case hidden(err):
				c.StancesNote = true
			case err != nil:
				return nil, err
			case h == nil:
				if c.Stances, c.Voters, err = s.latestStances(ctx, l, stances); err != nil {
					return nil, err
				}
			}
		}
		out = append(out, c)
	}
	ps := make([]Poll, len(out))
	for i := range out {
		ps[i] = out[i].Poll
	}
	if err := s.showTags(ctx, ps); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Poll = ps[i]
	}
	return out, nil
}

// hidden: the viewer may not see it (an answer, not a failure).
func hidden(err error) bool {
	switch domain.ErrorCode(err) {
	case domain.NotFound, domain.Forbidden, domain.Unauthorized:
		return true
	}
	return false
}

// latestStances reads up to stanceScan ballots of a loaded poll and keeps
// the n latest with a reason, and the ids of the voters it read. Sealed
// ballots (anonymous polls) carry no time nor identity: the first n with a
// reason, in key order (the order of random receipt hashes, unrelated to
// who voted when), and no voters.
func (s *Service) latestStances(ctx context.Context, l *loaded, n int) ([]BallotView, []string, error) {
	pid := l.p.ID
	var out []BallotView
	if l.def.Settings.Anonymous {
		q := s.st.Table().Get(tabledef.PK, tabledef.PollPK(pid)).Range(tabledef.SK, dynamo.BeginsWith, prefixSealed)
		page, err := store.QueryPage[sealedItem](ctx, s.st, q, "sealed:"+pid, "", stanceScan)
		if err != nil {
			return nil, nil, err
		}
		for _, b := range page.Items {
			if b.Reason != "" && len(out) < n {
				out = append(out, BallotView{Choices: b.Choices, NoneOfTheAbove: b.NoneOfTheAbove, Reason: b.Reason})
			}
		}
		return out, nil, nil
	}
	q := s.st.Table().Get(tabledef.PK, tabledef.PollPK(pid)).Range(tabledef.SK, dynamo.BeginsWith, prefixBallot)
	page, err := store.QueryPage[ballotItem](ctx, s.st, q, "ballots:"+pid, "", stanceScan)
	if err != nil {
		return nil, nil, err
	}
	voters := make([]string, 0, len(page.Items))
	for i := range page.Items {
		if ids.Valid(page.Items[i].UserID) {
			voters = append(voters, page.Items[i].UserID)
		}
		if page.Items[i].Reason != "" {
			out = append(out, page.Items[i].view())
		}
	}
	slices.SortStableFunc(out, func(x, y BallotView) int { return cmp.Compare(y.UpdatedAt.UnixNano(), x.UpdatedAt.UnixNano()) })
	if len(out) > n {
		out = out[:n]
	}
	return out, voters, nil
}
