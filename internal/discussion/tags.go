package discussion

import (
	"context"
	"errors"
	"slices"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/tag"
)

// Tags on threads (internal/tag owns the definitions and the index; this
// file decides who may tag a thread and writes the thread's Tags with the
// index in one transaction).

// showTags fills out[i].Tags from items[i].Tags with the definitions of
// their groups: no read at all when no item is tagged, else one GetItem
// per group (a list is one group; the dashboard's few).
func (s *Service) showTags(ctx context.Context, items []threadItem, out []Thread) error {
	shown := s.tags.Shown()
	for i := range items {
		if len(items[i].Tags) == 0 {
			continue
		}
		var err error
		if out[i].Tags, err = shown.Of(ctx, items[i].GroupID, items[i].Tags); err != nil {
			return err
		}
	}
	return nil
}

// SetThreadTags replaces the tags of a thread with tagIDs (tags of its
// group, at most tag.MaxPerItem). Whoever may edit the thread may tag it:
// its author (thread.edit.own) or an admin allowed to edit content. The
// thread's Tags and the tag index change in one transaction, conditioned on
// the thread's Version read (a concurrent edit or tag change: ErrChanged).
func (s *Service) SetThreadTags(ctx context.Context, tid string, tagIDs []string) (Thread, error) {
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return Thread{}, err
	}
	if err := s.canTagThread(ctx, t); err != nil {
		return Thread{}, err
	}
	next, _, err := s.tags.Check(ctx, t.GroupID, tagIDs)
	if err != nil {
		return Thread{}, err
	}
	if slices.Equal(next, sortedCopy(t.Tags)) {
		return s.Thread(ctx, tid)
	}
	u := s.st.Update(t.PK, t.SK).Add(tabledef.Version, 1).If("$ = ? AND $ = ?", tabledef.Version, t.Version, "Deleted", false)
	if len(next) == 0 {
		u.Remove("Tags")
	} else {
		u.SetSet("Tags", next)
	}
	tx := s.st.Tx().Update(u, ErrChanged)
	s.tags.AddSetOps(tx, tag.Item{Kind: tag.Thread, ID: t.ID, GroupID: t.GroupID, Created: t.CreatedAt}, t.Tags, next)
	if err := tx.Run(ctx, ""); err != nil {
		return Thread{}, err
	}
	s.log.InfoContext(ctx, "thread tagged", "thread_id", tid, "tags", len(next))
	return s.Thread(ctx, tid)
}

// startTags checks the tags chosen for thread t, about to be started, and
// sets them on it (the caller writes their index items in the creating
// transaction): tags of its group, at most tag.MaxPerItem, and only when
// its author will be allowed to tag it once it exists (canTagThread). No
// read without tags. It returns the tags to show.
func (s *Service) startTags(ctx context.Context, t *threadItem, tagIDs []string) ([]tag.Tag, error) {
	if len(tagIDs) == 0 {
		return nil, nil
	}
	if err := s.canTagThread(ctx, t); err != nil {
		return nil, authz.Forbidden("you may not tag threads in this group")
	}
	next, defs, err := s.tags.Check(ctx, t.GroupID, tagIDs)
	if err != nil {
		return nil, err
	}
	if len(next) > 0 {
		t.Tags = next
	}
	return tag.Resolve(defs, next), nil
}

// CanTagNewThread reports whether the actor of ctx may tag a thread they
// start in group gid (the new-thread form offers the tags only then).
func (s *Service) CanTagNewThread(ctx context.Context, gid string) bool {
	a := authz.ActorFrom(ctx)
	return a.Authenticated() && s.canTagThread(ctx, &threadItem{GroupID: gid, AuthorID: a.UserID}) == nil
}

// canTagThread: whoever may edit the thread (its author, or an admin
// allowed to edit content), and the group's admins, who manage its tags.
func (s *Service) canTagThread(ctx context.Context, t *threadItem) error {
	a := authz.ActorFrom(ctx)
	return s.authorizeAny(ctx, t.GroupID, threadTarget(t, a.UserID), authz.ThreadEditOwn, authz.ContentAdminEdit, authz.GroupManageTags)
}

// CanTagThread reports whether the actor of ctx may change the tags of
// thread tid (the thread page shows the form only then).
func (s *Service) CanTagThread(ctx context.Context, tid string) bool {
	t, err := s.getThread(ctx, tid)
	return err == nil && s.canTagThread(ctx, t) == nil
}

func sortedCopy(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	if out == nil {
		out = []string{}
	}
	return out
}

// TaggedThreads lists the threads of group gid with tag tagID, newest
// started first (policy: group.content.view): one Query of the tag's index
// (internal/tag, a page of ids), one BatchGetItem of those threads and one
// of the reader's read marks. The index is written with the threads' tags,
// so every tagged thread is listed and no other; a thread deleted
// meanwhile (or moved to another group) is left out of its page.
func (s *Service) TaggedThreads(ctx context.Context, gid, tagID, cursor string, limit int) (store.Page[Thread], error) {
	a := authz.ActorFrom(ctx)
	if !ids.Valid(gid) {
		return store.Page[Thread]{}, authz.ErrHidden
	}
	if err := s.authorize(ctx, gid, authz.GroupViewContent, authz.Target{}); err != nil {
		return store.Page[Thread]{}, err
	}
	page, err := s.tags.Page(ctx, gid, tagID, tag.Thread, cursor, limit)
	if err != nil {
		return store.Page[Thread]{}, err
	}
	out := store.Page[Thread]{Items: []Thread{}, Next: page.Next}
	if len(page.Items) == 0 {
		return out, nil
	}
	keys := make([]dynamo.Keyed, 0, len(page.Items))
	for _, tid := range page.Items {
		keys = append(keys, dynamo.Keys{tabledef.ThreadPK(tid), threadSK})
	}
	var got []threadItem
	err = s.st.Table().Batch(tabledef.PK, tabledef.SK).Get(keys...).All(ctx, &got)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return store.Page[Thread]{}, store.Classify(err)
	}
	byID := make(map[string]threadItem, len(got))
	for _, t := range got {
		byID[t.ID] = t
	}
	ts := make([]threadItem, 0, len(got))
	for _, tid := range page.Items { // the index's order
		t, ok := byID[tid]
		if !ok || t.Deleted || t.GroupID != gid || !slices.Contains(t.Tags, tagID) {
			continue
		}
		ts = append(ts, t)
	}
	seen, err := s.seen(ctx, a, ts)
	if err != nil {
		return store.Page[Thread]{}, err
	}
	for i := range ts {
		out.Items = append(out.Items, s.threadView(&ts[i], ts[i].ItemCount-seen[ts[i].ID]))
	}
	if err := s.showTags(ctx, ts, out.Items); err != nil {
		return store.Page[Thread]{}, err
	}
	return out, nil
}

// Tags is the tag service the discussion core uses (the HTTP layer's tag
// routes use the same one).
func (s *Service) Tags() *tag.Service { return s.tags }
