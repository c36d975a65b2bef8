package decision

import (
	"context"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/poll"
)

// What the viewer may do with a poll, as booleans for the pages' controls
// (the poll page, the thread's poll cards, the edit and tag forms). The
// one policy (authz) decides each; the operations themselves are still
// authorized when they are asked for. Each is one question to the policy,
// asked only where a page shows the control.

// CanAdmin: the actor of ctx is one of p's admins (authz.PollAdmin: its
// author while still a member or guest, and the group's admins).
func (s *Service) CanAdmin(ctx context.Context, p Poll) bool {
	return s.can(ctx, p, authz.PollAdmin)
}

// CanReopen: the actor of ctx may reopen p once it is closed
// (authz.PollReopen).
func (s *Service) CanReopen(ctx context.Context, p Poll) bool {
	return s.can(ctx, p, authz.PollReopen)
}

// CanReact: the actor of ctx may react in p (whoever may comment in its
// thread); nobody reacts in a draft.
func (s *Service) CanReact(ctx context.Context, p Poll) bool {
	return p.Status != poll.StatusDraft && s.can(ctx, p, authz.ThreadComment)
}

func (s *Service) can(ctx context.Context, p Poll, action authz.Action) bool {
	a := authz.ActorFrom(ctx)
	if !a.Authenticated() {
		return false
	}
	target := authz.Target{Kind: "poll", ID: p.ID, ThreadID: p.ThreadID, Author: a.UserID == p.AuthorID}
	return s.groups.Authorize(ctx, p.GroupID, action, target) == nil
}
