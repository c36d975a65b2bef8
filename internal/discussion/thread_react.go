package discussion

import (
	"context"

	"github.com/guregu/dynamo/v2"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/reaction"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Reactions on a thread itself (its title and description), with the
// comments' allow-list and rule: whoever may comment may react
// (authz.ThreadComment). They are stored as the comments' are, one string
// set of user ids per kind (reaction.Attr) on the thread's own item: the
// thread page reads that item anyway, so showing them costs no read. ADD and
// DELETE change only those sets (no version), so a reaction never races an
// edit of the thread.

// ReactThread adds (on) or removes the actor's reaction name on thread tid.
// Errors: NotFound (no such thread), Forbidden/Unauthorized (may not
// comment), Invalid (name).
func (s *Service) ReactThread(ctx context.Context, tid, name string, on bool) error {
	a := authz.ActorFrom(ctx)
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return err
	}
	if err := s.authorize(ctx, t.GroupID, authz.ThreadComment, threadTarget(t, a.UserID)); err != nil {
		return err
	}
	if !reaction.Valid(name) {
		return ErrBadReaction
	}
	u := s.st.Update(t.PK, t.SK)
	if on {
		u.AddStringsToSet(reaction.Attr(name), a.UserID)
	} else {
		u.DeleteStringsFromSet(reaction.Attr(name), a.UserID)
	}
	err = u.If("attribute_exists($) AND $ = ? AND (attribute_not_exists($) OR $ = ?)",
		tabledef.PK, "Deleted", false, "Forking", "Forking", false).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return ErrNoThread
	}
	return store.Classify(err)
}

// reactionsView is what viewer uid sees of a set of reactions, in the
// allow-list's order (an empty slice, not nil, when there are none).
func reactionsView(rs *reactionSets, uid string) []Reaction {
	out := []Reaction{}
	for _, name := range ReactionNames {
		users := rs.get(name)
		if len(users) == 0 {
			continue
		}
		re := Reaction{Name: name, Emoji: Reactions[name], Count: len(users), Users: users}
		for _, u := range users {
			if u == uid {
				re.Mine = true
			}
		}
		out = append(out, re)
	}
	return out
}
