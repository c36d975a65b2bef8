package decision

import (
	"context"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/poll"
)

// ErrNoProxyBallot: there is no ballot of the grantor's to withdraw.
var ErrNoProxyBallot = domain.Errorf(domain.Conflict, "this member has no vote to withdraw in this poll")

// WithdrawFor withdraws the ballot the grantor's proxy may cast: the
// actor holds grantor's proxy for poll pid (the rules of casting,
// loadProxied) and grantor is undecided again. Only a ballot cast with a
// proxy is withdrawn this way (by whoever holds the proxy now): one the
// grantor cast themselves ended the proxy (ErrGrantorVoted). The proxy
// stays: the holder may vote for the grantor again, and the grantor's own
// vote still overrides. One transaction: the ballot delete as read, the
// tally delta, the conditions of a proxy vote and the audit entry
// (audit.ProxyWithdrawn).
//
// Errors: Unauthorized, NotFound (poll invisible), Forbidden
// (ErrNoProxy, proxy voting off, ErrGrantorNotEligible), Conflict
// (ErrProxyAnonymous, ErrNoProxyBallot, ErrGrantorVoted, ErrProxyChain, ErrPollClosed,
// ErrBusy).
func (s *Service) WithdrawFor(ctx context.Context, pid, grantor string) error {
	for attempt := 0; attempt < s.attempts; attempt++ {
		if attempt > 0 {
			backoff(ctx, attempt)
		}
		err := s.withdrawForOnce(ctx, pid, grantor)
		if err != nil && retryable(err) {
			continue
		}
		return err
	}
	return ErrBusy
}

func (s *Service) withdrawForOnce(ctx context.Context, pid, grantor string) error {
	a := authz.ActorFrom(ctx)
	if !a.Authenticated() || !ids.Valid(a.UserID) {
		if !ids.Valid(pid) {
			return authz.ErrHidden
		}
		return authz.ErrSignIn
	}
	if grantor == a.UserID {
		return s.withdrawOnce(ctx, pid, "")
	}
	l, grant, err := s.loadProxied(ctx, pid, grantor)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	if err := checkOpen(l, now); err != nil {
		return err
	}
	raw, ok := l.item(ballotSK(grantor))
	if !ok {
		return ErrNoProxyBallot
	}
	var old ballotItem
	if err := unmarshal(raw, &old); err != nil {
		return err
	}
	if old.ProxyID == "" {
		return ErrGrantorVoted
	}
	prev := old.ballot()
	p := l.p
	tx := s.st.Tx()
	s.deleteBallot(tx, p.ID, grantor, old.Version, old.CastID)
	if err := s.count(tx, p, l.def, poll.Delta(l.def.Type, &prev, nil), &now); err != nil {
		return err
	}
	proxyChecks(tx, l, grant, grantor, a.UserID)
	if err := s.record(ctx, tx, p.GroupID, audit.ProxyWithdrawn, grantor, map[string]string{"poll": p.ID}); err != nil {
		return err
	}
	s.raced("proxy-withdraw")
	return tx.Run(ctx, "")
}
