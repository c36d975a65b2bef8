package decision

import (
	"context"
	"errors"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Viewable reports what of poll pid the actor of ctx may see, for search
// results: the poll itself (its title, details, options and outcome) and
// the reasons given with votes, which follow the results rule
// (poll.ResultsVisible through gate: hidden until the viewer votes or the
// poll closes). A poll the actor may not see is (false, false, nil).
// Cost: one BatchGetItem of the poll and the viewer's ballot, plus the
// group policy's reads.
func (s *Service) Viewable(ctx context.Context, pid string) (poll, reasons bool, err error) {
	l, err := s.load(ctx, pid, viewerKeys(authz.ActorFrom(ctx))...)
	if err != nil {
		if domain.Denied(err) {
			return false, false, nil
		}
		return false, false, err
	}
	if err := s.authorizeView(ctx, l); err != nil {
		if domain.Denied(err) {
			return false, false, nil
		}
		return false, false, err
	}
	_, hidden := s.gate(l, l.viewerVoted(), s.now())
	return true, hidden == nil, nil
}

// MaxViewablePolls bounds the polls ViewablePolls answers about.
const MaxViewablePolls = 100

// ViewablePolls is Viewable for many polls at once (a page of search
// results): one BatchGetItem of the polls and the viewer's ballots (split
// in batches of 100 keys), the access facts of each distinct group once,
// and the policy. The answer for each poll is {poll visible, reasons
// visible}.
func (s *Service) ViewablePolls(ctx context.Context, pids []string) (map[string][2]bool, error) {
	a := authz.ActorFrom(ctx)
	out := make(map[string][2]bool, len(pids))
	var keys []key
	for _, pid := range pids {
		if _, dup := out[pid]; dup {
			continue
		}
		out[pid] = [2]bool{}
		if !ids.Valid(pid) {
			continue
		}
		keys = append(keys, key{tabledef.PollPK(pid), skPoll})
		for _, sk := range viewerKeys(a) {
			keys = append(keys, key{tabledef.PollPK(pid), sk})
		}
	}
	if len(out) > MaxViewablePolls {
		return nil, domain.Validation(domain.FieldError{Field: "polls", Message: "at most 100 at a time"})
	}
	if len(keys) == 0 {
		return out, nil
	}
	items, err := s.getMany(ctx, keys...)
	if err != nil {
		return nil, err
	}
	groups := map[string]*access{}
	for pid := range out {
		p, d, err := pollOf(items, pid)
		if errors.Is(err, authz.ErrHidden) {
			continue // no such poll
		}
		if err != nil {
			return nil, err
		}
		ac, seen := groups[p.GroupID]
		if !seen {
			if ac, err = s.access(ctx, a, p.GroupID, nil); err != nil && !domain.Denied(err) {
				return nil, err
			}
			groups[p.GroupID] = ac
		}
		if ac == nil {
			continue // the group is gone
		}
		l := &loaded{p: p, def: d, items: items, ac: ac}
		if err := s.authorizeView(ctx, l); err != nil {
			if domain.Denied(err) {
				continue
			}
			return nil, err
		}
		_, hidden := s.gate(l, l.viewerVoted(), s.now())
		out[pid] = [2]bool{true, hidden == nil}
	}
	return out, nil
}
