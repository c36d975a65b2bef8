package discussion

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/tag"
	"github.com/quorum-app/quorum/internal/text"
)

func (s *Service) actorName(ctx context.Context, uid string) string {
	if p, err := s.people.UserByID(ctx, uid); err == nil {
		return p.Name
	}
	return ""
}

// getThread reads a live thread; missing, deleted or malformed ids are ErrNoThread.
func (s *Service) getThread(ctx context.Context, tid string) (*threadItem, error) {
	if !ids.Valid(tid) {
		return nil, ErrNoThread
	}
	var t threadItem
	if err := s.st.Get(ctx, tabledef.ThreadPK(tid), threadSK, &t); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return nil, ErrNoThread
		}
		return nil, err
	}
	if t.Deleted || t.Forking {
		return nil, ErrNoThread
	}
	return &t, nil
}

func threadTarget(t *threadItem, uid string) authz.Target {
	return authz.Target{Kind: "thread", ID: t.ID, ThreadID: t.ID, Author: uid != "" && uid == t.AuthorID}
}

// authorize asks the policy; a thread of a group the actor may not see is
// ErrNoThread (NotFound), like a missing one.
func (s *Service) authorize(ctx context.Context, gid string, action authz.Action, target authz.Target) error {
	return s.policy.Authorize(ctx, gid, action, target)
}

// authorizeAny passes when any of the actions is allowed; it returns the
// first action's error otherwise (NotFound wins, so nothing leaks).
func (s *Service) authorizeAny(ctx context.Context, gid string, target authz.Target, actions ...authz.Action) error {
	var first error
	for _, a := range actions {
		err := s.authorize(ctx, gid, a, target)
		if err == nil {
			return nil
		}
		if domain.ErrorCode(err) == domain.NotFound {
			return err
		}
		if first == nil {
			first = err
		}
	}
	return first
}

func (s *Service) threadView(t *threadItem, unread int64) Thread {
	v := Thread{ID: t.ID, GroupID: t.GroupID, Title: t.Title, Description: t.Description, HTML: s.descriptionHTML(t, nil),
		AuthorID: t.AuthorID, AuthorName: t.AuthorName, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, Activity: t.Activity,
		Closed: t.Closed, Pinned: t.Pinned, Items: t.ItemCount, Comments: t.CommentCount, Unread: max(unread, 0),
		Files: t.Files, Version: t.Version}
	if !t.EditedAt.IsZero() {
		e := t.EditedAt
		v.EditedAt = &e
	}
	if v.Files == nil {
		v.Files = []FileRef{}
	}
	v.Tags = []tag.Tag{}
	// Mine is told on the thread's own reads (Thread, Page), which know
	// the viewer; lists carry the counts and who.
	v.Reactions = reactionsView(&t.reactionSets, "")
	return v
}

// StartInput starts a thread.
type StartInput struct {
	GroupID     string
	Title       string
	Description string // Markdown
	// Notify is whom to tell (notify.Resolve): nil for the default, the
	// whole group when the author may notify it, else nobody chosen.
	Notify *notify.Audience
	// Tags are ids of the group's tags to put on the thread (at most
	// tag.MaxPerItem), written with it (startTags).
	Tags []string
}

// StartThread starts a thread in a group (policy: thread.start) and tells
// the audience the author chose (see fanOutNewThread) after the thread
// exists. Notifying the whole group needs group.announce, chosen people
// people.notify, and each chosen person must be a member of the group.
func (s *Service) StartThread(ctx context.Context, in StartInput) (Thread, error) {
	a := authz.ActorFrom(ctx)
	if !ids.Valid(in.GroupID) {
		return Thread{}, authz.ErrHidden
	}
	if err := s.authorize(ctx, in.GroupID, authz.ThreadStart, authz.Target{}); err != nil {
		return Thread{}, err
	}
	var fe domain.FieldErrors
	title := text.CheckLine(&fe, "title", in.Title, 1, MaxTitle)
	desc := text.CheckBlock(&fe, "description", in.Description, 0, MaxBody)
	if err := fe.Err(); err != nil {
		return Thread{}, err
	}
	aud, err := s.audience(ctx, in.GroupID, "", in.Notify)
	if err != nil {
		return Thread{}, err
	}
	// @group in the description tells the whole group when the author
	// may announce (as choosing the whole group does); else a notice.
	everyone, notice, err := s.groupMention(ctx, in.GroupID, desc)
	if err != nil {
		return Thread{}, err
	}
	aud.Group = aud.Group || everyone
	now := s.now().UTC()
	t := &threadItem{Item: store.Item{Type: "thread"}, ID: ids.New(), GroupID: in.GroupID, Title: title, Description: desc,
		AuthorID: a.UserID, AuthorName: s.actorName(ctx, a.UserID), CreatedAt: now, UpdatedAt: now, Activity: now,
		GroupMentioned: everyone, DescV: 1}
	t.PK, t.SK = tabledef.ThreadPK(t.ID), threadSK
	t.GSI1PK, t.GSI1SK = threadsPK(t.GroupID), activityKey(now, false, t.ID)
	shown, err := s.startTags(ctx, t, in.Tags)
	if err != nil {
		return Thread{}, err
	}
	tx := s.st.Tx().Create(t, nil)
	s.tags.AddSetOps(tx, tag.Item{Kind: tag.Thread, ID: t.ID, GroupID: t.GroupID, Created: t.CreatedAt}, nil, t.Tags)
	if err := s.addNewThreadFanout(tx, t, aud); err != nil {
		return Thread{}, err
	}
	if err := tx.Run(ctx, ""); err != nil {
		t.Version = 0
		return Thread{}, err
	}
	s.log.InfoContext(ctx, "thread started", "group_id", t.GroupID, "thread_id", t.ID, "notify_group", aud.Group, "notify_people", len(aud.UserIDs))
	v := s.threadView(t, 0)
	if notice != "" {
		v.Notices = []string{notice}
	}
	v.Tags = shown
	return v, nil
}

// addNewThreadFanout adds to tx, the transaction that creates thread t,
// the job that tells of it. Who hears of what is decided off the request
// path, by the job, including whom the description's @mentions name.
func (s *Service) addNewThreadFanout(tx *store.Tx, t *threadItem, aud notify.Audience) error {
	return s.notify.AddFanoutToTx(tx, s.newThreadFanout(t, aud, s.mentionKeys(t.Description)))
}

// newThreadFanout is the job that tells of a new thread (off the request
// path, notify.Fanouts), never the author; each person hears of it once,
// by the first of:
//
//   - the people its description mentions (keys), as a mention;
//   - the people the author chose (aud.UserIDs), as an announcement
//     addressed to them (quiet and up);
//   - the other members as a new thread: announced to the group when
//     aud.Group (normal and up), otherwise only those who follow
//     everything (loud).
func (s *Service) newThreadFanout(t *threadItem, aud notify.Audience, keys []string) notify.Fanout {
	j := notify.Fanout{View: true, Skip: []string{t.AuthorID},
		Notification: notify.Notification{Kind: notify.NewThread, ActorID: t.AuthorID, ActorName: t.AuthorName,
			GroupID: t.GroupID, ThreadID: t.ID, Title: t.Title, Excerpt: s.r.Excerpt(t.Description, 140), CreatedAt: t.CreatedAt}}
	if len(keys) > 0 {
		// A new thread has no guests yet: the members only. The job records
		// whom they name on the thread (its first description, DescV 1).
		j.Phases = append(j.Phases, notify.Phase{Kind: notify.Mention, Reach: notify.Mention.Reach(), Keys: keys, Version: max(t.DescV, 1)})
	}
	if len(aud.UserIDs) > 0 {
		j.Phases = append(j.Phases, notify.Phase{Kind: notify.Announcement, Reach: notify.Addressed, UserIDs: aud.UserIDs})
	}
	reach := notify.Following
	if aud.Group {
		reach = notify.GroupWide
	}
	j.Phases = append(j.Phases, notify.Phase{Kind: notify.NewThread, Reach: reach, Members: true})
	return j
}

// recipients filters uids to those who may see thread t and whose level
// hears what reached them by reach, and builds their notifications. Members listed in known are
// decided by the policy from their role alone (a member may read the
// group's threads); anyone else is asked through Authorize with their
// identity, so a mention never reaches someone who cannot see the thread.
func (s *Service) recipients(ctx context.Context, t *threadItem, uids []string, reach notify.Reach,
	build func(string) notify.Notification, known []memberRow) ([]notify.Notification, error) {
	if len(uids) == 0 {
		return nil, nil
	}
	roles := map[string]authz.Role{}
	for _, m := range known {
		roles[m.UserID] = authz.Role(m.Role)
	}
	levels, err := s.notify.Levels(ctx, uids, t.GroupID, t.ID)
	if err != nil {
		return nil, err
	}
	var out []notify.Notification
	seen := map[string]bool{}
	for _, uid := range uids {
		if seen[uid] {
			continue
		}
		seen[uid] = true
		l := levels[uid]
		if !notify.Effective(l[0], l[1]).Hears(reach) {
			continue
		}
		recipient := authz.Actor{Kind: authz.User, UserID: uid}
		if role, ok := roles[uid]; ok && role != authz.RoleNone {
			if !authz.Can(recipient, authz.ThreadView, authz.GroupFacts{GroupID: t.GroupID, Role: role}) {
				continue
			}
		} else if err := s.authorize(authz.WithActor(ctx, recipient), t.GroupID, authz.ThreadView, threadTarget(t, uid)); err != nil {
			continue
		}
		out = append(out, build(uid))
	}
	return out, nil
}

// Thread returns one thread (policy: thread.view) with the actor's unread count.
func (s *Service) Thread(ctx context.Context, tid string) (Thread, error) {
	a := authz.ActorFrom(ctx)
	if !ids.Valid(tid) {
		return Thread{}, ErrNoThread
	}
	// The thread and the reader's read mark in one BatchGetItem (they were
	// two GetItems).
	t, r, err := s.threadAndRead(ctx, a, tid)
	if err != nil {
		return Thread{}, err
	}
	if err := s.authorize(ctx, t.GroupID, authz.ThreadView, threadTarget(t, a.UserID)); err != nil {
		return Thread{}, err
	}
	unread := t.ItemCount - r.Seen
	v := []Thread{s.threadView(t, unread)}
	v[0].Reactions = reactionsView(&t.reactionSets, a.UserID)
	if err := s.showTags(ctx, []threadItem{*t}, v); err != nil {
		return Thread{}, err
	}
	return v[0], nil
}

// MaxVisibleThreads bounds the threads VisibleThreads answers about.
const MaxVisibleThreads = 100

// VisibleThreads reports, for each thread id, whether the actor of ctx may
// view it now (it exists, is not deleted, and the policy allows
// thread.view): one BatchGetItem of the threads, then the policy for each
// (under group.WithRequestCache, the facts of each group are read once).
// It serves search, which asks about a page of results at once.
func (s *Service) VisibleThreads(ctx context.Context, tids []string) (map[string]bool, error) {
	a := authz.ActorFrom(ctx)
	out := make(map[string]bool, len(tids))
	var keys []dynamo.Keyed
	for _, tid := range tids {
		if _, dup := out[tid]; dup {
			continue
		}
		out[tid] = false
		if ids.Valid(tid) {
			keys = append(keys, dynamo.Keys{tabledef.ThreadPK(tid), threadSK})
		}
	}
	if len(keys) > MaxVisibleThreads {
		return nil, domain.Validation(domain.FieldError{Field: "threads", Message: "at most 100 at a time"})
	}
	if len(keys) == 0 {
		return out, nil
	}
	var ts []threadItem
	err := s.st.Table().Batch(tabledef.PK, tabledef.SK).Get(keys...).All(ctx, &ts)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return nil, store.Classify(err)
	}
	for i := range ts {
		t := &ts[i]
		if t.Deleted || t.Forking {
			continue
		}
		switch err := s.authorize(ctx, t.GroupID, authz.ThreadView, threadTarget(t, a.UserID)); {
		case err == nil:
			out[t.ID] = true
		case !domain.Denied(err):
			return nil, err
		}
	}
	return out, nil
}

// UpdateInput edits a thread; nil fields stay. Version is the one read.
type UpdateInput struct {
	Title       *string
	Description *string
	Version     int64
}

// canEditThread: the author (thread.edit.own) or an admin allowed to edit
// user content (content.admin.edit).
func (s *Service) canEditThread(ctx context.Context, t *threadItem) error {
	a := authz.ActorFrom(ctx)
	return s.authorizeAny(ctx, t.GroupID, threadTarget(t, a.UserID), authz.ThreadEditOwn, authz.ContentAdminEdit)
}

// UpdateThread edits title and description, keeping the previous values in
// the history and a "thread edited" item in the timeline (one transaction).
func (s *Service) UpdateThread(ctx context.Context, tid string, in UpdateInput) (Thread, error) {
	a := authz.ActorFrom(ctx)
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return Thread{}, err
	}
	if err := s.canEditThread(ctx, t); err != nil {
		return Thread{}, err
	}
	var fe domain.FieldErrors
	before, after := map[string]string{}, map[string]string{}
	title, desc := t.Title, t.Description
	if in.Title != nil {
		title = text.CheckLine(&fe, "title", *in.Title, 1, MaxTitle)
	}
	if in.Description != nil {
		desc = text.CheckBlock(&fe, "description", *in.Description, 0, MaxBody)
	}
	if in.Version <= 0 {
		fe.Add("version", "is required: send the version you read")
	}
	if err := fe.Err(); err != nil {
		return Thread{}, err
	}
	if in.Version != t.Version {
		return Thread{}, ErrChanged
	}
	if title != t.Title {
		before["title"], after["title"] = t.Title, title
	}
	if desc != t.Description {
		before["description"], after["description"] = t.Description, desc
	}
	if len(after) == 0 {
		return s.threadView(t, 0), nil
	}
	now := s.now().UTC()
	name := s.actorName(ctx, a.UserID)
	// The new description's @mentions are resolved again by the edit's
	// fan-out job, off the request path, and linked on the thread; those
	// it mentioned before (Mentions) are not told again.
	var mention notify.Phase
	var mentions, everyone bool
	var notice string
	if desc != t.Description {
		// An @group the edit adds tells the whole group (once per thread).
		if everyone, notice, err = s.groupMentionAdded(ctx, t.GroupID, t.Description, desc, t.GroupMentioned); err != nil {
			return Thread{}, err
		}
		if mention, mentions, err = s.mentionPhase(ctx, t.ID, s.mentionKeys(desc), t.DescV+1); err != nil {
			return Thread{}, err
		}
	}
	ev := &timelineItem{Kind: KindThreadEdited, ActorID: a.UserID, ActorName: name}
	var ferr error
	err = s.appendItem(ctx, t, appendSpec{item: ev,
		thread: func(u *dynamo.Update) {
			u.Set("Title", title).Set("Description", desc).Set("UpdatedAt", now).Set("EditedAt", now).
				Add(tabledef.Version, 1).If("$ = ?", tabledef.Version, in.Version)
			if desc != t.Description {
				// Linked again by the edit's job (MentionsResolved).
				u.Add("DescV", 1).Remove("DescHTML", "DescRenderV", "Mentions")
			}
			if everyone {
				u.Set("GroupMentioned", true)
			}
		},
		fail: func(*threadItem) error { return ErrChanged },
		ops: func(tx *store.Tx) {
			tx.Put(s.history(threadRef(tid), a.UserID, name, now, before, after))
			ferr = s.notify.AddFanoutToTx(tx, editFanout(notify.Notification{Kind: notify.Mention, ActorID: a.UserID,
				ActorName: name, GroupID: t.GroupID, ThreadID: t.ID, Title: title, Excerpt: s.r.Excerpt(desc, 140), CreatedAt: now},
				append([]string{a.UserID}, t.Mentions...), mention, mentions, everyone))
			if t.AuthorID != a.UserID {
				// Details are bounded and valid: Record cannot fail here.
				_ = s.record(ctx, tx, t.GroupID, audit.ContentEdited, "thread", tid, map[string]string{"author": t.AuthorID})
			}
		},
	}, now)
	if err == nil {
		err = ferr
	}
	if err != nil {
		return Thread{}, err
	}
	if everyone {
		s.log.InfoContext(ctx, "group mentioned", "thread_id", t.ID, "edit", true)
	}
	v, err := s.Thread(ctx, tid)
	if notice != "" {
		v.Notices = []string{notice}
	}
	return v, err
}

func (s *Service) history(ref, uid, name string, now time.Time, before, after map[string]string) *historyItem {
	return &historyItem{Item: store.Item{PK: historyPK(ref), SK: ids.NewSortable(now), Type: "history", Version: 1},
		Ref: ref, EditorID: uid, Editor: name, At: now, Before: before, After: after}
}

// Edit is one entry of an edit history.
type Edit struct {
	EditorID string            `json:"editor_id"`
	Editor   string            `json:"editor"`
	At       time.Time         `json:"at"`
	Before   map[string]string `json:"before"`
	After    map[string]string `json:"after"`
}

// History lists the edits of a thread (cid "") or of one of its comments,
// oldest first (policy: thread.view). Deleted comments have no history to show.
func (s *Service) History(ctx context.Context, tid, cid string) ([]Edit, error) {
	a := authz.ActorFrom(ctx)
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, t.GroupID, authz.ThreadView, threadTarget(t, a.UserID)); err != nil {
		return nil, err
	}
	ref := threadRef(tid)
	if cid != "" {
		c, err := s.getComment(ctx, tid, cid)
		if err != nil {
			return nil, err
		}
		if c.Deleted {
			return []Edit{}, nil
		}
		ref = commentRef(tid, cid)
	}
	var items []historyItem
	if err := s.st.Table().Get(tabledef.PK, historyPK(ref)).Limit(store.MaxPageSize).All(ctx, &items); err != nil {
		return nil, store.Classify(err)
	}
	out := make([]Edit, 0, len(items))
	for _, h := range items {
		out = append(out, Edit{EditorID: h.EditorID, Editor: h.Editor, At: h.At, Before: h.Before, After: h.After})
	}
	return out, nil
}

// canModerate: the author (thread.edit.own) or a group admin (the admin-only
// group.settings.edit stands for moderation until the policy has its own
// action).
func (s *Service) canModerate(ctx context.Context, t *threadItem) error {
	a := authz.ActorFrom(ctx)
	return s.authorizeAny(ctx, t.GroupID, threadTarget(t, a.UserID), authz.ThreadEditOwn, authz.GroupEditSettings)
}

// Close closes a thread to new comments (author or admin).
func (s *Service) Close(ctx context.Context, tid string) (Thread, error) {
	return s.setClosed(ctx, tid, true)
}

// Reopen reopens a closed thread (author or admin).
func (s *Service) Reopen(ctx context.Context, tid string) (Thread, error) {
	return s.setClosed(ctx, tid, false)
}

func (s *Service) setClosed(ctx context.Context, tid string, closed bool) (Thread, error) {
	a := authz.ActorFrom(ctx)
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return Thread{}, err
	}
	if err := s.canModerate(ctx, t); err != nil {
		return Thread{}, err
	}
	onFail, kind := ErrAlreadyShut, KindClosed
	if !closed {
		onFail, kind = ErrAlreadyOpen, KindReopened
	}
	if t.Closed == closed {
		return Thread{}, onFail
	}
	now := s.now().UTC()
	ev := &timelineItem{Kind: kind, ActorID: a.UserID, ActorName: s.actorName(ctx, a.UserID)}
	err = s.appendItem(ctx, t, appendSpec{item: ev,
		thread: func(u *dynamo.Update) {
			u.Set("Closed", closed).Set("UpdatedAt", now).Add(tabledef.Version, 1).If("$ = ?", "Closed", !closed)
		},
		fail: func(fresh *threadItem) error {
			if fresh.Closed == closed {
				return onFail
			}
			return ErrChanged
		},
	}, now)
	if err != nil {
		return Thread{}, err
	}
	return s.Thread(ctx, tid)
}

// Pin pins or unpins a thread (admins): pinned threads list first.
func (s *Service) Pin(ctx context.Context, tid string, pinned bool) (Thread, error) {
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return Thread{}, err
	}
	if err := s.authorize(ctx, t.GroupID, authz.GroupEditSettings, threadTarget(t, authz.ActorFrom(ctx).UserID)); err != nil {
		return Thread{}, err
	}
	if t.Pinned != pinned {
		// GSI1SK is rewritten from the activity read; the condition keeps
		// a concurrent comment's newer activity from being overwritten.
		err := s.st.Update(t.PK, t.SK).Set("Pinned", pinned).Set(tabledef.GSI1SK, activityKey(t.Activity, pinned, t.ID)).
			Add(tabledef.Version, 1).If("$ = ? AND $ = ? AND $ = ?", "Pinned", t.Pinned, "Activity", t.Activity, "Deleted", false).Run(ctx)
		if dynamo.IsCondCheckFailed(err) {
			return Thread{}, ErrChanged
		}
		if err != nil {
			return Thread{}, store.Classify(err)
		}
	}
	return s.Thread(ctx, tid)
}

// Delete soft-deletes a thread (author or admin): it disappears from
// lists and answers NotFound at once, and PurgeDue removes it and all its
// items after the grace period.
func (s *Service) Delete(ctx context.Context, tid string) error {
	a := authz.ActorFrom(ctx)
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return err
	}
	if err := s.canModerate(ctx, t); err != nil {
		return err
	}
	now := s.now().UTC()
	tx := s.st.Tx().Update(s.st.Update(t.PK, t.SK).Set("Deleted", true).Set("DeletedAt", now).Set("DeletedBy", a.UserID).
		Remove(tabledef.GSI1PK, tabledef.GSI1SK).Set(tabledef.GSI2PK, purgePK).
		Set(tabledef.GSI2SK, now.Add(s.purgeAfter).Format(activityLayout)+"#"+tid).
		Add(tabledef.Version, 1).If("$ = ?", "Deleted", false), ErrNoThread)
	if err := s.record(ctx, tx, t.GroupID, audit.ContentDeleted, "thread", tid, map[string]string{"author": t.AuthorID}); err != nil {
		return err
	}
	if err := tx.Run(ctx, ""); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "thread deleted", "thread_id", tid)
	return nil
}

// PurgeDue removes threads deleted before now minus the grace period: the
// thread, its timeline, files' metadata, guests and edit histories. It is
// for the scheduler (no actor) and returns how many threads it purged.
// The current S3 objects of its attachments are deleted first (older
// versions go by the bucket's noncurrent-version lifecycle rule).
func (s *Service) PurgeDue(ctx context.Context, now time.Time) (int, error) {
	var due []threadItem
	err := s.st.Table().Get(tabledef.GSI2PK, purgePK).Index(tabledef.GSI2).
		Range(tabledef.GSI2SK, dynamo.LessOrEqual, now.UTC().Format(activityLayout)+"#~").Limit(store.MaxPageSize).All(ctx, &due)
	if err != nil {
		return 0, store.Classify(err)
	}
	n := 0
	for _, t := range due {
		if err := s.purge(ctx, t.ID); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

type keyOnly struct {
	PK string `dynamo:"PK"`
	SK string `dynamo:"SK"`
	// Key is the S3 key of a FILE# item.
	Key string `dynamo:"Key"`
}

func (s *Service) purge(ctx context.Context, tid string) error {
	var keys []keyOnly
	if err := s.st.Table().Get(tabledef.PK, tabledef.ThreadPK(tid)).Project(tabledef.PK, tabledef.SK, "Key").All(ctx, &keys); err != nil {
		return store.Classify(err)
	}
	// Attachments' objects first: while their FILE# items remain, a failed
	// purge is retried and finds them again.
	var objects []string
	for _, k := range keys {
		if strings.HasPrefix(k.SK, "FILE#") && strings.HasPrefix(k.Key, "threads/"+tid+"/") {
			objects = append(objects, k.Key)
		}
	}
	if len(objects) > 0 {
		if s.uploads == nil {
			return domain.Errorf(domain.Unavailable, "file storage is not configured")
		}
		if err := s.uploads.Delete(ctx, objects...); err != nil {
			return err
		}
	}
	var all []dynamo.Keyed
	hist := []string{historyPK(threadRef(tid))}
	for _, k := range keys {
		if strings.HasPrefix(k.SK, itemPrefix) {
			hist = append(hist, historyPK(commentRef(tid, strings.TrimPrefix(k.SK, itemPrefix))))
		}
		if k.SK != threadSK {
			all = append(all, dynamo.Keys{k.PK, k.SK})
		}
	}
	for _, h := range hist {
		var hk []keyOnly
		if err := s.st.Table().Get(tabledef.PK, h).Project(tabledef.PK, tabledef.SK).All(ctx, &hk); err != nil {
			return store.Classify(err)
		}
		for _, k := range hk {
			all = append(all, dynamo.Keys{k.PK, k.SK})
		}
	}
	for start := 0; start < len(all); start += 25 {
		end := min(start+25, len(all))
		if _, err := s.st.Table().Batch(tabledef.PK, tabledef.SK).Write().Delete(all[start:end]...).Run(ctx); err != nil {
			return store.Classify(err)
		}
	}
	// Its tag index items, then the thread item last, so a failed purge
	// is retried.
	var t threadItem
	if err := s.st.Get(ctx, tabledef.ThreadPK(tid), threadSK, &t); err == nil {
		if err := s.tags.RemoveAll(ctx, tag.Item{Kind: tag.Thread, ID: tid, GroupID: t.GroupID, Created: t.CreatedAt}, t.Tags); err != nil {
			return err
		}
	}
	return s.st.Delete(ctx, tabledef.ThreadPK(tid), threadSK)
}

// Threads lists a group's threads, pinned first, then by last activity
// (policy: group.content.view), with the actor's unread counts.
func (s *Service) Threads(ctx context.Context, gid, cursor string, limit int) (store.Page[Thread], error) {
	a := authz.ActorFrom(ctx)
	if !ids.Valid(gid) {
		return store.Page[Thread]{}, authz.ErrHidden
	}
	if err := s.authorize(ctx, gid, authz.GroupViewContent, authz.Target{}); err != nil {
		return store.Page[Thread]{}, err
	}
	q := s.st.Table().Get(tabledef.GSI1PK, threadsPK(gid)).Index(tabledef.GSI1).Order(dynamo.Descending)
	page, err := store.QueryPage[threadItem](ctx, s.st, q, "threads:"+gid, cursor, limit)
	if err != nil {
		return store.Page[Thread]{}, err
	}
	out := store.Page[Thread]{Items: make([]Thread, 0, len(page.Items)), Next: page.Next}
	seen, err := s.seen(ctx, a, page.Items)
	if err != nil {
		return store.Page[Thread]{}, err
	}
	for i := range page.Items {
		t := &page.Items[i]
		out.Items = append(out.Items, s.threadView(t, t.ItemCount-seen[t.ID]))
	}
	if err := s.showTags(ctx, page.Items, out.Items); err != nil {
		return store.Page[Thread]{}, err
	}
	return out, nil
}

// seen reads the actor's read items of the threads in one BatchGetItem.
func (s *Service) seen(ctx context.Context, a authz.Actor, ts []threadItem) (map[string]int64, error) {
	out := map[string]int64{}
	if !a.Authenticated() || len(ts) == 0 {
		return out, nil
	}
	keys := make([]dynamo.Keyed, 0, len(ts))
	for _, t := range ts {
		keys = append(keys, dynamo.Keys{tabledef.UserPK(a.UserID), readSK(t.ID)})
	}
	var rs []readItem
	err := s.st.Table().Batch(tabledef.PK, tabledef.SK).Get(keys...).All(ctx, &rs)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return nil, store.Classify(err)
	}
	for _, r := range rs {
		out[r.ThreadID] = r.Seen
	}
	return out, nil
}

// MaxDashboardGroups bounds the groups a dashboard reads: the group core's
// bound, so the list is read once with the waiting polls'.
const MaxDashboardGroups = group.MaxDashboardGroups

// Dashboard lists the most recently active threads across the actor's
// groups and the threads they are a guest of: pattern 17, then pattern 23
// with a small limit per group, plus the guest grants (pattern 30 on GSI1)
// and one BatchGetItem of those threads, merged by activity.
func (s *Service) Dashboard(ctx context.Context, limit int) ([]Thread, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.RequireUser(a); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 50 {
		limit = 20
	}
	gids, err := s.policy.GroupsOf(ctx, a.UserID, MaxDashboardGroups)
	if err != nil {
		return nil, err
	}
	var all []threadItem
	for _, gid := range gids {
		if err := s.authorize(ctx, gid, authz.GroupViewContent, authz.Target{}); err != nil {
			continue
		}
		var ts []threadItem
		err := s.st.Table().Get(tabledef.GSI1PK, threadsPK(gid)).Index(tabledef.GSI1).Order(dynamo.Descending).
			Limit(limit).All(ctx, &ts)
		if err != nil {
			return nil, store.Classify(err)
		}
		all = append(all, ts...)
	}
	guestOf, err := s.guestThreads(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, t := range all {
		have[t.ID] = true
	}
	for _, t := range guestOf {
		if !have[t.ID] {
			have[t.ID] = true
			all = append(all, t)
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Activity.After(all[j].Activity) })
	if len(all) > limit {
		all = all[:limit]
	}
	seen, err := s.seen(ctx, a, all)
	if err != nil {
		return nil, err
	}
	out := make([]Thread, 0, len(all))
	for i := range all {
		out = append(out, s.threadView(&all[i], all[i].ItemCount-seen[all[i].ID]))
	}
	if err := s.showTags(ctx, all, out); err != nil {
		return nil, err
	}
	return out, nil
}

// guestThreads reads the live threads uid is a guest of (their grants on
// GSI1: USER#<uid> / GUEST#..., then one BatchGetItem of the threads), each
// still checked with the policy.
func (s *Service) guestThreads(ctx context.Context, uid string) ([]threadItem, error) {
	grants, err := s.policy.GuestGrantsOf(ctx, uid, MaxDashboardGroups)
	if err != nil {
		return nil, err
	}
	var keys []dynamo.Keyed
	for _, g := range grants {
		if g.Kind == "thread" {
			keys = append(keys, dynamo.Keys{tabledef.ThreadPK(g.ID), threadSK})
		}
	}
	if len(keys) == 0 {
		return nil, nil
	}
	var ts []threadItem
	err = s.st.Table().Batch(tabledef.PK, tabledef.SK).Get(keys...).All(ctx, &ts)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return nil, store.Classify(err)
	}
	out := ts[:0]
	for i := range ts {
		t := &ts[i]
		if t.Deleted || s.authorize(ctx, t.GroupID, authz.ThreadView, threadTarget(t, uid)) != nil {
			continue
		}
		out = append(out, *t)
	}
	return out, nil
}

// AddGuest gives a person who is not a member access to this one thread
// (policy: group.guests.add). The grant is pattern 30, read by the group
// policy's facts.
func (s *Service) AddGuest(ctx context.Context, tid, uid string) error {
	a := authz.ActorFrom(ctx)
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return err
	}
	if err := s.authorize(ctx, t.GroupID, authz.GroupAddGuests, threadTarget(t, a.UserID)); err != nil {
		return err
	}
	if !ids.Valid(uid) {
		return domain.Validation(domain.FieldError{Field: "user", Message: "is not a known person"})
	}
	if _, err := s.people.UserByID(ctx, uid); err != nil {
		return domain.Validation(domain.FieldError{Field: "user", Message: "is not a known person"})
	}
	var existing store.Item
	gk := group.GuestKey(tid, uid)
	switch err := s.st.Get(ctx, gk.PK, gk.SK, &existing); domain.ErrorCode(err) {
	case "":
		return ErrAlreadyGuest
	case domain.NotFound:
	default:
		return err
	}
	g := group.NewThreadGuest(t.GroupID, tid, uid, a.UserID, s.now().UTC())
	return s.withGuestSlot(ctx, t, func() error {
		return s.st.Tx().Create(g, ErrAlreadyGuest).Update(s.guestSlot(tid), errGuestSlot).Run(ctx, "")
	})
}

// InviteGuest adds the account registered with email as a guest; an
// address without an account is emailed an invitation to the thread
// (InviteGuestByEmail, guests.go).
func (s *Service) InviteGuest(ctx context.Context, tid, email string) error {
	_, err := s.InviteGuestByEmail(ctx, tid, email)
	return err
}

// RemoveGuest withdraws a guest grant (policy: group.guests.add), then runs
// the OnGuestRemoved hook: a former guest's ballots in the thread's open
// polls are withdrawn, as for a member who leaves the group.
func (s *Service) RemoveGuest(ctx context.Context, tid, uid string) error {
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return err
	}
	if err := s.authorize(ctx, t.GroupID, authz.GroupAddGuests, threadTarget(t, authz.ActorFrom(ctx).UserID)); err != nil {
		return err
	}
	if !ids.Valid(uid) {
		return nil
	}
	if err := s.deleteGuestGrant(ctx, t, uid); err != nil {
		return err
	}
	if s.onGuestOut != nil {
		if err := s.onGuestOut(ctx, t.GroupID, tid, uid); err != nil {
			s.log.ErrorContext(ctx, "guest-removed hook failed", "thread_id", tid, "err", err)
		}
	}
	return nil
}

// SetThreadLevel sets the actor's notification level for a thread they can see.
func (s *Service) SetThreadLevel(ctx context.Context, tid string, l notify.Level) error {
	a := authz.ActorFrom(ctx)
	if err := authz.RequireUser(a); err != nil {
		return err
	}
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return err
	}
	if err := s.authorize(ctx, t.GroupID, authz.ThreadView, threadTarget(t, a.UserID)); err != nil {
		return err
	}
	return s.notify.SetLevel(ctx, a.UserID, notify.ThreadScope(tid), l)
}

// SetGroupLevel sets the actor's notification level for a group whose
// content they can read.
func (s *Service) SetGroupLevel(ctx context.Context, gid string, l notify.Level) error {
	a := authz.ActorFrom(ctx)
	if err := authz.RequireUser(a); err != nil {
		return err
	}
	if !ids.Valid(gid) {
		return authz.ErrHidden
	}
	if err := s.authorize(ctx, gid, authz.GroupViewContent, authz.Target{}); err != nil {
		return err
	}
	return s.notify.SetLevel(ctx, a.UserID, notify.GroupScope(gid), l)
}
