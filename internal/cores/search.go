package cores

import (
	"context"
	"sync"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
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

// CanSee implements search.Visibility.
func (v *visibility) CanSee(ctx context.Context, hits []search.Hit) ([]bool, error) {
	// What to ask, once each.
	var asks []func() error
	seen := map[string]bool{}
	for _, h := range hits {
		if h.ThreadID != "" && !seen["t"+h.ThreadID] && h.Kind != search.KindPoll && h.Kind != search.KindReason && h.Kind != search.KindOutcome {
			seen["t"+h.ThreadID] = true
			tid := h.ThreadID
			asks = append(asks, func() error { return v.thread(ctx, tid) })
		}
		if h.PollID != "" && !seen["p"+h.PollID] {
			seen["p"+h.PollID] = true
			pid := h.PollID
			asks = append(asks, func() error { return v.poll(ctx, pid) })
		}
		if h.AuthorID != "" && !seen["u"+h.AuthorID] {
			seen["u"+h.AuthorID] = true
			uid := h.AuthorID
			asks = append(asks, func() error { return v.person(ctx, uid) })
		}
	}
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

// ask records fn's answer about key in m, asking once per search.
func ask[V any](v *visibility, m map[string]V, key string, fn func() (V, error)) error {
	v.mu.Lock()
	_, done := m[key]
	v.mu.Unlock()
	if done {
		return nil
	}
	ans, err := fn()
	if err != nil {
		return err
	}
	v.mu.Lock()
	m[key] = ans
	v.mu.Unlock()
	return nil
}

func (v *visibility) thread(ctx context.Context, tid string) error {
	return ask(v, v.threads, tid, func() (bool, error) {
		_, err := v.s.Discussions.Thread(ctx, tid)
		if err != nil && !domain.Denied(err) {
			return false, err
		}
		return err == nil, nil
	})
}

func (v *visibility) poll(ctx context.Context, pid string) error {
	return ask(v, v.polls, pid, func() ([2]bool, error) {
		p, reasons, err := v.s.Decisions.Viewable(ctx, pid)
		return [2]bool{p, reasons}, err
	})
}

func (v *visibility) person(ctx context.Context, uid string) error {
	return ask(v, v.people, uid, func() (bool, error) {
		_, err := v.s.Accounts.User(ctx, uid)
		if err != nil && domain.ErrorCode(err) != domain.NotFound {
			return false, err
		}
		return err == nil, nil
	})
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
