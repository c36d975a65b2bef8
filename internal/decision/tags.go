package decision

import (
	"context"
	"errors"
	"slices"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/tag"
)

// Tags on polls (internal/tag owns the definitions and the index; this
// file decides who may tag a poll and writes the poll's Tags with the
// index in one transaction).

// showTags resolves the polls' stored tag ids with their groups'
// definitions: no read when no poll is tagged, else one GetItem per group.
func (s *Service) showTags(ctx context.Context, ps []Poll) error {
	shown := s.tags.Shown()
	for i := range ps {
		if len(ps[i].tagIDs) == 0 {
			continue
		}
		var err error
		if ps[i].Tags, err = shown.Of(ctx, ps[i].GroupID, ps[i].tagIDs); err != nil {
			return err
		}
	}
	return nil
}

// SetPollTags replaces the tags of a poll with tagIDs (tags of its group,
// at most tag.MaxPerItem): its admins may (authz.PollAdmin: its author and
// the group's admins), drafts and closed polls too. The poll's Tags and
// the tag index change in one transaction, conditioned on the poll's
// Version read (a concurrent edit: 409, reload and try again).
func (s *Service) SetPollTags(ctx context.Context, pid string, tagIDs []string) (Poll, error) {
	l, err := s.load(ctx, pid)
	if err != nil {
		return Poll{}, err
	}
	if err := s.authorizeAdmin(ctx, l); err != nil {
		return Poll{}, err
	}
	next, _, err := s.tags.Check(ctx, l.p.GroupID, tagIDs)
	if err != nil {
		return Poll{}, err
	}
	old := slices.Clone(l.p.Tags)
	slices.Sort(old)
	if !slices.Equal(next, old) && !(len(next) == 0 && len(old) == 0) {
		u := s.st.Update(l.p.PK, l.p.SK).Add(tabledef.Version, 1).If("$ = ?", tabledef.Version, l.p.Version)
		if len(next) == 0 {
			u.Remove("Tags")
		} else {
			u.SetSet("Tags", next)
		}
		tx := s.st.Tx().Update(u, store.ErrVersionConflict)
		s.tags.AddSetOps(tx, tag.Item{Kind: tag.Poll, ID: pid, GroupID: l.p.GroupID, Created: l.p.CreatedAt}, l.p.Tags, next)
		if err := tx.Run(ctx, ""); err != nil {
			return Poll{}, err
		}
		s.log.InfoContext(ctx, "poll tagged", "poll_id", pid, "tags", len(next))
	}
	return s.Get(ctx, pid)
}

// TaggedPolls lists the polls of group gid with tag tagID, newest first
// like List (policy: group.content.view; other people's drafts left out):
// one Query of the tag's index (a page of ids) and one BatchGetItem of
// those polls. The index is written with the polls' tags, so every tagged
// poll is listed and no other.
func (s *Service) TaggedPolls(ctx context.Context, gid, tagID, cursor string, limit int) (store.Page[Poll], error) {
	if !ids.Valid(gid) {
		return store.Page[Poll]{}, authz.ErrHidden
	}
	if err := s.groups.Authorize(ctx, gid, authz.GroupViewContent, authz.Target{}); err != nil {
		return store.Page[Poll]{}, err
	}
	a := authz.ActorFrom(ctx)
	page, err := s.tags.Page(ctx, gid, tagID, tag.Poll, cursor, limit)
	if err != nil {
		return store.Page[Poll]{}, err
	}
	out := store.Page[Poll]{Items: []Poll{}, Next: page.Next}
	if len(page.Items) == 0 {
		return out, nil
	}
	keys := make([]dynamo.Keyed, 0, len(page.Items))
	for _, pid := range page.Items {
		keys = append(keys, dynamo.Keys{tabledef.PollPK(pid), skPoll})
	}
	var got []pollItem
	err = s.st.Table().Batch(tabledef.PK, tabledef.SK).Get(keys...).All(ctx, &got)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return store.Page[Poll]{}, store.Classify(err)
	}
	byID := make(map[string]*pollItem, len(got))
	for i := range got {
		byID[got[i].ID] = &got[i]
	}
	for _, pid := range page.Items {
		p, ok := byID[pid]
		if !ok || p.GroupID != gid || !slices.Contains(p.Tags, tagID) {
			continue
		}
		if p.Status == string(poll.StatusDraft) && p.AuthorID != a.UserID {
			continue
		}
		d, err := p.def()
		if err != nil {
			return store.Page[Poll]{}, err
		}
		out.Items = append(out.Items, s.present(p, d))
	}
	if err := s.showTags(ctx, out.Items); err != nil {
		return store.Page[Poll]{}, err
	}
	return out, nil
}

// TaggedDecisions is Decisions filtered by a tag (TaggedPolls with the
// closed polls' outcomes).
func (s *Service) TaggedDecisions(ctx context.Context, gid, tagID, cursor string, limit int) (store.Page[Decision], error) {
	if limit <= 0 || limit > MaxDecisionsPage {
		limit = MaxDecisionsPage
	}
	page, err := s.TaggedPolls(ctx, gid, tagID, cursor, limit)
	if err != nil {
		return store.Page[Decision]{}, err
	}
	return s.withOutcomes(ctx, page)
}
