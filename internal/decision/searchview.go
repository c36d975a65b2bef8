package decision

import (
	"context"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
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
