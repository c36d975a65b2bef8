package discussion

import (
	"context"
	"sort"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/text"
)

// getComment reads a visible comment of thread tid (tombstones included).
func (s *Service) getComment(ctx context.Context, tid, cid string) (*timelineItem, error) {
	if len(cid) != 24 || !ids.Valid(cid) {
		return nil, ErrNoComment
	}
	var c timelineItem
	if err := s.st.Get(ctx, tabledef.ThreadPK(tid), itemSK(cid), &c); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return nil, ErrNoComment
		}
		return nil, err
	}
	if c.Kind != KindComment || c.Removed {
		return nil, ErrNoComment
	}
	return &c, nil
}

func commentTarget(t *threadItem, c *timelineItem, uid string) authz.Target {
	return authz.Target{Kind: "comment", ID: c.ID, ThreadID: t.ID, Author: uid != "" && uid == c.ActorID}
}

// CommentInput is a new comment; ParentID makes it a reply.
type CommentInput struct {
	ParentID string
	Body     string // Markdown
	// itemID, when set (mail.go), is the timeline id to create: a repeated
	// delivery of the same email then cannot post twice.
	itemID string
}

// Comment posts a comment or reply (policy: thread.comment). Closed threads
// refuse it with ErrClosed (409). Replies deeper than MaxDepth attach to
// the deepest allowed ancestor. The people it @mentions and the author of
// the comment replied to are notified in the same transaction (only if
// they may see the thread and their level wants it); people who follow the
// thread or group loudly are notified after it.
func (s *Service) Comment(ctx context.Context, tid string, in CommentInput) (Item, error) {
	a := authz.ActorFrom(ctx)
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return Item{}, err
	}
	if err := s.authorize(ctx, t.GroupID, authz.ThreadComment, threadTarget(t, a.UserID)); err != nil {
		return Item{}, err
	}
	if t.Closed {
		return Item{}, ErrClosed
	}
	var fe domain.FieldErrors
	body := text.CheckBlock(&fe, "body", in.Body, 1, MaxBody)
	if err := fe.Err(); err != nil {
		return Item{}, err
	}
	it := &timelineItem{ID: in.itemID, Kind: KindComment, ActorID: a.UserID, ActorName: s.actorName(ctx, a.UserID), Body: body, Depth: 1}
	var parent *timelineItem
	if in.ParentID != "" {
		if parent, err = s.getComment(ctx, tid, in.ParentID); err != nil {
			return Item{}, err
		}
		anc := append(append([]string{}, parent.Ancestors...), parent.ID)
		depth := min(parent.Depth+1, s.maxDepth)
		if depth < 2 { // maxDepth 1: no nesting at all
			anc, depth = nil, 1
		} else {
			anc = anc[:depth-1]
		}
		it.Depth, it.Ancestors = depth, anc
		if len(anc) > 0 {
			it.ParentID = anc[len(anc)-1]
		}
	}

	// @group: the whole group, through the fan-out job, when the author
	// may announce; otherwise plain text and a notice.
	everyone, notice, err := s.groupMention(ctx, t.GroupID, body)
	if err != nil {
		return Item{}, err
	}
	// The people it @mentions are resolved and told by its fan-out job,
	// off the request path (mentions.go); the stored HTML links them then.
	mention, mentions, err := s.mentionPhase(ctx, t.ID, s.mentionKeys(body), 1)
	if err != nil {
		return Item{}, err
	}
	it.GroupMentioned = everyone
	it.HTML, it.RenderV = s.render(body, nil)
	now := s.now().UTC()
	var direct []notify.Notification
	build := func(kind notify.Kind) func(string) notify.Notification {
		return func(uid string) notify.Notification {
			return notify.Notification{UserID: uid, Kind: kind, ActorID: a.UserID, ActorName: it.ActorName, GroupID: t.GroupID,
				ThreadID: t.ID, Title: t.Title, Excerpt: s.r.Excerpt(body, 140), CreatedAt: now}
		}
	}
	told := map[string]bool{a.UserID: true}
	if parent != nil && !told[parent.ActorID] && parent.ActorID != "" {
		ns, err := s.recipients(ctx, t, []string{parent.ActorID}, notify.Reply.Reach(), build(notify.Reply), nil)
		if err != nil {
			return Item{}, err
		}
		for _, n := range ns {
			told[n.UserID] = true
		}
		direct = append(direct, ns...)
	}

	var ferr error
	err = s.appendItem(ctx, t, appendSpec{item: it, comment: true, ops: func(tx *store.Tx) {
		if it.ParentID != "" {
			tx.Update(s.st.Update(t.PK, itemSK(it.ParentID)).Add("ReplyCount", 1).
				If("attribute_exists($) AND (attribute_not_exists($) OR $ = ?)", tabledef.PK, "Removed", "Removed", false), ErrParentGone)
		}
		// The author has seen their own comment.
		tx.Update(s.seenOwn(a.UserID, tid), nil)
		for i := range direct {
			direct[i].CommentID = it.ID
			s.notify.AddToTx(tx, direct[i])
		}
		// Loud followers hear of it off the request path (one job item).
		j := s.commentFanout(t, it, told, build(notify.Comment)(""), everyone)
		if mentions {
			j.Phases = append([]notify.Phase{mention}, j.Phases...)
		}
		ferr = s.notify.AddFanoutToTx(tx, j)
	}}, now)
	if err == nil {
		err = ferr
	}
	if err != nil {
		return Item{}, err
	}
	v := s.itemView(it, a.UserID, it.ID, nil)
	if notice != "" {
		v.Notices = []string{notice}
	}
	if everyone {
		s.log.InfoContext(ctx, "group mentioned", "thread_id", t.ID, "comment_id", it.ID)
	}
	return v, nil
}

// commentFanout is the job that tells the loud followers of comment it's
// thread, then of its group (notify.Following), who may view the thread
// and were not told by the comment's transaction (told: its author and
// the author replied to). n is the notification's template. The caller
// puts the phase of its @mentions first (mentionPhase), so the people it
// mentions hear of it as a mention.
//
// everyone (an @group the author may send) first tells the whole group,
// as a mention (groupMentionPhase); the followers then hear only if it
// did not reach them.
func (s *Service) commentFanout(t *threadItem, it *timelineItem, told map[string]bool, n notify.Notification, everyone bool) notify.Fanout {
	n.CommentID = it.ID
	skip := make([]string, 0, len(told))
	for uid := range told {
		skip = append(skip, uid)
	}
	sort.Strings(skip)
	var phases []notify.Phase
	if everyone {
		phases = append(phases, groupMentionPhase())
	}
	phases = append(phases,
		notify.Phase{Kind: notify.Comment, Reach: notify.Following, Scope: notify.ThreadScope(t.ID)},
		notify.Phase{Kind: notify.Comment, Reach: notify.Following, Scope: notify.GroupScope(t.GroupID)})
	return notify.Fanout{Notification: n, View: true, Skip: skip, Phases: phases}
}

// EditComment changes a comment's text (author: comment.edit.own, or an
// admin: content.admin.edit), keeping the previous text in its history.
func (s *Service) EditComment(ctx context.Context, tid, cid, body string, version int64) (Item, error) {
	a := authz.ActorFrom(ctx)
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return Item{}, err
	}
	c, err := s.getComment(ctx, tid, cid)
	if err != nil {
		// Invisible threads answer like missing ones.
		if aerr := s.authorize(ctx, t.GroupID, authz.ThreadView, threadTarget(t, a.UserID)); aerr != nil {
			return Item{}, aerr
		}
		return Item{}, err
	}
	if err := s.authorizeAny(ctx, t.GroupID, commentTarget(t, c, a.UserID), authz.CommentEditOwn, authz.ContentAdminEdit); err != nil {
		return Item{}, err
	}
	if c.Deleted {
		return Item{}, ErrNoComment
	}
	var fe domain.FieldErrors
	body = text.CheckBlock(&fe, "body", body, 1, MaxBody)
	if version <= 0 {
		fe.Add("version", "is required: send the version you read")
	}
	if err := fe.Err(); err != nil {
		return Item{}, err
	}
	if version != c.Version {
		return Item{}, ErrChanged
	}
	if body == c.Body {
		return s.itemView(c, a.UserID, c.ID, nil), nil
	}
	now := s.now().UTC()
	name := s.actorName(ctx, a.UserID)
	// Its @mentions are resolved again by the edit's fan-out job, off the
	// request path; those it mentioned before are not told again.
	mention, mentions, err := s.mentionPhase(ctx, tid, s.mentionKeys(body), c.Version+1)
	if err != nil {
		return Item{}, err
	}
	// An @group the edit adds tells the whole group (once per comment).
	everyone, notice, err := s.groupMentionAdded(ctx, t.GroupID, c.Body, body, c.GroupMentioned)
	if err != nil {
		return Item{}, err
	}
	html, rv := s.render(body, nil)
	u := s.st.Update(c.PK, c.SK).Set("Body", body).Set("HTML", html).Set("RenderV", rv).Set("EditedAt", now).Add(tabledef.Version, 1)
	if everyone {
		u.Set("GroupMentioned", true)
	}
	u.Remove("Mentions") // recorded again by the job (MentionsResolved)
	tx := s.st.Tx().
		Update(u.If("$ = ? AND (attribute_not_exists($) OR $ = ?)", tabledef.Version, version, "Deleted", "Deleted", false), ErrChanged).
		Put(s.history(commentRef(tid, cid), a.UserID, name, now,
			map[string]string{"body": c.Body}, map[string]string{"body": body}))
	skip := append([]string{a.UserID}, c.Mentions...)
	n := notify.Notification{Kind: notify.Mention, ActorID: a.UserID, ActorName: name, GroupID: t.GroupID,
		ThreadID: t.ID, CommentID: c.ID, Title: t.Title, Excerpt: s.r.Excerpt(body, 140), CreatedAt: now}
	if err := s.notify.AddFanoutToTx(tx, editFanout(n, skip, mention, mentions, everyone)); err != nil {
		return Item{}, err
	}
	if c.ActorID != a.UserID {
		if err := s.record(ctx, tx, t.GroupID, audit.ContentEdited, "comment", cid, map[string]string{"thread": tid, "author": c.ActorID}); err != nil {
			return Item{}, err
		}
	}
	if err := tx.Run(ctx, ""); err != nil {
		return Item{}, err
	}
	c.Body, c.HTML, c.RenderV, c.EditedAt, c.Version, c.Mentions = body, html, rv, now, c.Version+1, nil
	c.GroupMentioned = c.GroupMentioned || everyone
	if everyone {
		s.log.InfoContext(ctx, "group mentioned", "thread_id", t.ID, "comment_id", c.ID, "edit", true)
	}
	v := s.itemView(c, a.UserID, c.ID, nil)
	if notice != "" {
		v.Notices = []string{notice}
	}
	return v, nil
}

// DeleteComment deletes a comment (authz.CommentDelete: its author, as
// comment.delete.own allows, or a group admin moderating). A comment
// with replies becomes a visible tombstone; one without disappears.
func (s *Service) DeleteComment(ctx context.Context, tid, cid string) error {
	a := authz.ActorFrom(ctx)
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return err
	}
	c, err := s.getComment(ctx, tid, cid)
	if err != nil {
		if aerr := s.authorize(ctx, t.GroupID, authz.ThreadView, threadTarget(t, a.UserID)); aerr != nil {
			return aerr
		}
		return err
	}
	if err := s.authorize(ctx, t.GroupID, authz.CommentDelete, commentTarget(t, c, a.UserID)); err != nil {
		return err
	}
	if c.Deleted {
		return nil
	}
	now := s.now().UTC()
	u := s.st.Update(c.PK, c.SK).Remove("Body", "HTML", "RenderV", "Files", "Mentions").Set("DeletedAt", now).Add(tabledef.Version, 1)
	tx := s.st.Tx()
	if c.ReplyCount > 0 {
		u.Set("Deleted", true).If("$ = ?", "ReplyCount", c.ReplyCount)
	} else {
		u.Set("Removed", true).If("attribute_not_exists($) OR $ = ?", "ReplyCount", "ReplyCount", 0)
		if c.ParentID != "" {
			tx.Update(s.st.Update(c.PK, itemSK(c.ParentID)).Add("ReplyCount", -1), nil)
		}
	}
	tx.Update(u, ErrChanged).Update(s.st.Update(t.PK, t.SK).Add("CommentCount", -1), nil)
	if c.ActorID != a.UserID {
		if err := s.record(ctx, tx, t.GroupID, audit.ContentDeleted, "comment", cid, map[string]string{"thread": tid, "author": c.ActorID}); err != nil {
			return err
		}
	}
	if err := tx.Run(ctx, ""); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "comment deleted", "thread_id", tid, "tombstone", c.ReplyCount > 0)
	return nil
}

// React adds (on) or removes the actor's reaction name to a comment
// (policy: thread.comment). Each person has at most one of each kind: the
// reactions are string sets of user ids, changed with ADD / DELETE.
func (s *Service) React(ctx context.Context, tid, cid, name string, on bool) error {
	a := authz.ActorFrom(ctx)
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return err
	}
	if err := s.authorize(ctx, t.GroupID, authz.ThreadComment, threadTarget(t, a.UserID)); err != nil {
		return err
	}
	if _, ok := Reactions[name]; !ok {
		return ErrBadReaction
	}
	if len(cid) != 24 || !ids.Valid(cid) {
		return ErrNoComment
	}
	u := s.st.Update(tabledef.ThreadPK(tid), itemSK(cid))
	if on {
		u.AddStringsToSet(reactionAttr(name), a.UserID)
	} else {
		u.DeleteStringsFromSet(reactionAttr(name), a.UserID)
	}
	err = u.If("attribute_exists($) AND $ = ? AND (attribute_not_exists($) OR $ = ?) AND (attribute_not_exists($) OR $ = ?)",
		tabledef.PK, "Kind", KindComment, "Removed", "Removed", false, "Deleted", "Deleted", false).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return ErrNoComment
	}
	return store.Classify(err)
}
