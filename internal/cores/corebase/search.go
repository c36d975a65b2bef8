package corebase

import (
	"context"
	"sync"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/search"
)

// Search answers searches for the actor of the request (server.Searcher):
// the scope comes from the group policy (group.ReadScope), the hits from
// the index, and each hit is then shown only if the owning core says the
// actor may see it now (the thread, the poll, the reasons by the results
// rule) and its author's account still exists. The index never decides
// visibility on its own (docs/search.md).
type Search struct {
	Index       *search.Index
	Groups      *group.Service
	Discussions *discussion.Service
	Decisions   *decision.Service
	Accounts    *account.Service
}

// Search runs q for the actor of ctx. A single group filter narrows the
// scope to that group (which may be an open group the actor is not a member
// of); several are checked against the actor's scope by the index.
func (s *Search) Search(ctx context.Context, q search.Query) (search.Results, error) {
	only := ""
	if len(q.Filters.Groups) == 1 {
		only = q.Filters.Groups[0]
	}
	// The policy's facts of each group are read once for the whole search:
	// the scope and every hit of every page walked ask about the same groups.
	ctx = group.WithRequestCache(ctx)
	rs, err := s.Groups.ReadScope(ctx, only)
	if err != nil {
		return search.Results{}, err
	}
	scope := search.Scope{UserID: authz.ActorFrom(ctx).UserID, Groups: rs.Groups}
	for _, g := range rs.Guest {
		gr := search.Grant{GroupID: g.GroupID, ID: g.ID}
		if g.Kind == "poll" {
			scope.Polls = append(scope.Polls, gr)
		} else {
			scope.Threads = append(scope.Threads, gr)
		}
	}
	return s.Index.Search(ctx, scope, q, &visibility{s: s, threads: map[string]bool{}, polls: map[string][2]bool{}, people: map[string]bool{}})
}

// visibility asks the cores about each hit, once per thread, poll and
// author within a search (a page asks about at most a few dozen).
type visibility struct {
	s       *Search
	mu      sync.Mutex
	threads map[string]bool
	polls   map[string][2]bool // poll visible, reasons visible
	people  map[string]bool
}

const visibilityWorkers = 8

// CanSee implements search.Visibility. The threads of the hits are read
// in one batch, their authors in another, each poll once; the policy's
// facts of each group are read once per search (group.WithRequestCache):
// the cost of a page does not grow with how many results match.
func (v *visibility) CanSee(ctx context.Context, hits []search.Hit) ([]bool, error) {
	v.mu.Lock()
	var tids, pids, uids []string
	var asks []func() error
	seen := map[string]bool{}
	for _, h := range hits {
		if h.ThreadID != "" && !seen["t"+h.ThreadID] && h.Kind != search.KindPoll && h.Kind != search.KindReason && h.Kind != search.KindOutcome {
			seen["t"+h.ThreadID] = true
			if _, known := v.threads[h.ThreadID]; !known {
				tids = append(tids, h.ThreadID)
			}
		}
		if h.PollID != "" && !seen["p"+h.PollID] {
			seen["p"+h.PollID] = true
			if _, known := v.polls[h.PollID]; !known {
				pids = append(pids, h.PollID)
			}
		}
		if h.AuthorID != "" && !seen["u"+h.AuthorID] {
			seen["u"+h.AuthorID] = true
			if _, known := v.people[h.AuthorID]; !known {
				uids = append(uids, h.AuthorID)
			}
		}
	}
	v.mu.Unlock()
	asks = append(asks, batches(v, v.threads, tids, discussion.MaxVisibleThreads, func(ids []string) (map[string]bool, error) {
		return v.s.Discussions.VisibleThreads(ctx, ids)
	})...)
	asks = append(asks, batches(v, v.polls, pids, decision.MaxViewablePolls, func(ids []string) (map[string][2]bool, error) {
		return v.s.Decisions.ViewablePolls(ctx, ids)
	})...)
	asks = append(asks, batches(v, v.people, uids, account.MaxUsersExist, func(ids []string) (map[string]bool, error) {
		return v.s.Accounts.UsersExist(ctx, ids)
	})...)
	if err := runLimited(asks, visibilityWorkers); err != nil {
		return nil, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make([]bool, len(hits))
	for i, h := range hits {
		ok := true
		switch h.Kind {
		case search.KindThread, search.KindComment:
			ok = v.threads[h.ThreadID]
		case search.KindPoll, search.KindOutcome:
			ok = v.polls[h.PollID][0]
		case search.KindReason:
			p := v.polls[h.PollID]
			ok = p[0] && p[1]
		default:
			ok = false
		}
		if h.AuthorID != "" && !v.people[h.AuthorID] {
			ok = false // an erased or removed account's words are not shown
		}
		out[i] = ok
	}
	return out, nil
}

// batches returns the questions about ids, at most size per call of ask,
// each recording its answers in m.
func batches[V any](v *visibility, m map[string]V, ids []string, size int, ask func([]string) (map[string]V, error)) []func() error {
	var out []func() error
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), size)]
		ids = ids[len(chunk):]
		out = append(out, func() error {
			answers, err := ask(chunk)
			v.mu.Lock()
			defer v.mu.Unlock()
			for k, a := range answers {
				m[k] = a
			}
			return err
		})
	}
	return out
}

// runLimited calls fns with at most n at a time and returns the first error.
func runLimited(fns []func() error, n int) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		sem   = make(chan struct{}, n)
	)
	for _, fn := range fns {
		wg.Add(1)
		sem <- struct{}{}
		go func(fn func() error) {
			defer wg.Done()
			defer func() { <-sem }()
			if err := fn(); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}(fn)
	}
	wg.Wait()
	return first
}
