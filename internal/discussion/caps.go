package discussion

import (
	"context"

	"github.com/quorum-app/quorum/internal/authz"
)

// ThreadCaps is what the viewer may do in a thread, as booleans for the
// thread page's controls. The one policy (authz) decides each; the
// operations themselves are still authorized when they are asked for.
type ThreadCaps struct {
	SignedIn, Comment, Edit, Moderate, Pin, AddGuests, Tag bool
	// Move: admin of the thread's group (the target is asked on the move
	// page); Fork: a thread moderator.
	Move, Fork bool
	facts      authz.GroupFacts
	actor      authz.Actor
}

// Caps asks the policy what the actor of ctx may do in thread t: one read
// of the group's facts (and, for someone who is not a member, whether they
// are a guest of the thread), then every control from those facts.
func (s *Service) Caps(ctx context.Context, t Thread) ThreadCaps {
	a := authz.ActorFrom(ctx)
	c := ThreadCaps{SignedIn: a.Authenticated(), actor: a}
	if !a.Authenticated() {
		return c
	}
	f, err := s.policy.Facts(ctx, t.GroupID)
	if err != nil {
		return c
	}
	target := authz.Target{Kind: "thread", ID: t.ID, ThreadID: t.ID, Author: t.AuthorID == a.UserID}
	if f.Role == authz.RoleNone {
		// Perhaps a guest of this thread: the policy reads their grants.
		if s.policy.Authorize(ctx, t.GroupID, authz.ThreadComment, target) == nil {
			f.Guest = append(f.Guest, authz.GuestGrant{Kind: "thread", ID: t.ID})
		}
	}
	f.Target = target
	can := func(as ...authz.Action) bool {
		for _, x := range as {
			if authz.Can(a, x, f) {
				return true
			}
		}
		return false
	}
	c.facts = f
	c.Comment = can(authz.ThreadComment)
	c.Edit = can(authz.ThreadEditOwn, authz.ContentAdminEdit)
	c.Moderate = can(authz.ThreadEditOwn, authz.GroupEditSettings)
	c.Pin = can(authz.GroupEditSettings)
	c.AddGuests = can(authz.GroupAddGuests)
	c.Tag = can(authz.ThreadEditOwn, authz.ContentAdminEdit, authz.GroupManageTags)
	c.Move = can(authz.ThreadMove)
	c.Fork = can(authz.ThreadFork)
	return c
}

// ForComment reports what the viewer may do with one comment of the
// thread: edit it (their own, or a content admin) and delete it.
func (c ThreadCaps) ForComment(it Item) (edit, del bool) {
	if !c.SignedIn || it.Deleted || it.Kind != KindComment {
		return false, false
	}
	f := c.facts
	f.Target = authz.Target{Kind: "comment", ID: it.ID, ThreadID: f.Target.ThreadID, Author: it.ActorID == c.actor.UserID}
	edit = authz.Can(c.actor, authz.CommentEditOwn, f) || authz.Can(c.actor, authz.ContentAdminEdit, f)
	del = authz.Can(c.actor, authz.CommentDelete, f)
	return edit, del
}
