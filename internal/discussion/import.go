package discussion

import (
	"context"
	"crypto/sha256"
	"slices"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Import (#16, "take your data with you"): a thread of a group export
// written into a group being imported, with its whole timeline (comments,
// replies, events such as poll cards), keeping their dates and their
// authors' names. The import is resumable and idempotent: every write is a
// put of an item whose key follows from the input (the caller's new thread
// id; each item's new id is derived from it, the old id and the item's
// time, so the timeline keeps its order), in chunks of importItemsPage,
// and the thread item last, with its counters computed from the whole
// timeline. Nobody is notified.
//
// The caller decides who the authors are here: ActorID and ActorName of
// each item (a placeholder has no id: nobody may edit it as its author).
// Reactions are not imported (they were people's; the export holds only
// their counts). Files are listed in the export without their contents:
// they are not imported.

// importItemsPage bounds the timeline items one import step writes.
const importItemsPage = 500

// ImportThreadInput is one thread of a group export: ID and GroupID are
// this deployment's; Ref maps an event's RefID (a poll's old id) to its
// new id ("" keeps it).
type ImportThreadInput struct {
	ID      string
	GroupID string
	Thread  ExportGroupThread
	Items   []ExportGroupItem
	Ref     func(old string) string
}

// ImportedItemID is the new id of item old of the imported thread tid.
func ImportedItemID(tid, old string, at time.Time) string {
	sum := sha256.Sum256([]byte(tid + "#" + old))
	return ids.Sortable(at, sum[:])
}

// ImportThread writes thread in from item from (0 first) and returns where
// the next step starts (-1 when the thread is done). The actor must be an
// admin of the group (group.settings.edit).
func (s *Service) ImportThread(ctx context.Context, in ImportThreadInput, from int) (int, error) {
	if !ids.Valid(in.ID) || !ids.Valid(in.GroupID) {
		return 0, domain.Errorf(domain.Invalid, "import: invalid ids")
	}
	if err := s.authorize(ctx, in.GroupID, authz.GroupEditSettings, authz.Target{Kind: "group", ID: in.GroupID}); err != nil {
		return 0, err
	}
	tid := in.ID
	newID := map[string]string{}
	byOld := map[string]*timelineItem{}
	replies := map[string]int64{}
	var items []*timelineItem
	var comments int64
	last := in.Thread.CreatedAt
	for _, x := range in.Items {
		newID[x.ID] = ImportedItemID(tid, x.ID, x.At)
	}
	for _, x := range in.Items {
		it := &timelineItem{ID: newID[x.ID], ThreadID: tid, Kind: x.Kind, ActorID: x.ActorID, ActorName: x.ActorName, At: x.At.UTC(),
			Body: x.Body, Deleted: x.Deleted, Data: x.Data, RefID: x.RefID, Depth: 1}
		if x.EditedAt != nil {
			it.EditedAt = x.EditedAt.UTC()
		}
		if in.Ref != nil && x.RefID != "" {
			if r := in.Ref(x.RefID); r != "" {
				it.RefID = r
			}
		}
		if p := byOld[x.ParentID]; x.ParentID != "" && p != nil {
			it.ParentID = p.ID
			it.Ancestors = append(append([]string{}, p.Ancestors...), p.ID)
			if len(it.Ancestors) >= s.maxDepth {
				it.Ancestors = it.Ancestors[:max(s.maxDepth-1, 0)]
				if len(it.Ancestors) > 0 {
					it.ParentID = it.Ancestors[len(it.Ancestors)-1]
				} else {
					it.ParentID = ""
				}
			}
			it.Depth = len(it.Ancestors) + 1
			if it.ParentID != "" {
				replies[it.ParentID]++
			}
		}
		if x.Kind == KindComment && !x.Deleted {
			comments++
		}
		if x.At.After(last) {
			last = x.At
		}
		it.PK, it.SK, it.Type, it.Version = tabledef.ThreadPK(tid), itemSK(it.ID), "timeline_item", 1
		byOld[x.ID] = it
		items = append(items, it)
	}
	for _, it := range items {
		it.ReplyCount = replies[it.ID]
	}
	if from < len(items) {
		end := min(from+importItemsPage, len(items))
		puts := make([]any, 0, end-from)
		for _, it := range items[from:end] {
			puts = append(puts, it)
		}
		for chunk := range slices.Chunk(puts, 25) {
			if _, err := s.st.Table().Batch(tabledef.PK, tabledef.SK).Write().Put(chunk...).Run(ctx); err != nil {
				return 0, store.Classify(err)
			}
		}
		if end < len(items) {
			return end, nil
		}
	}
	th := in.Thread
	created := th.CreatedAt.UTC()
	t := &threadItem{Item: store.Item{PK: tabledef.ThreadPK(tid), SK: threadSK, Type: "thread", Version: 1}, ID: tid, GroupID: in.GroupID,
		Title: th.Title, Description: th.Description, AuthorID: th.AuthorID, AuthorName: th.AuthorName, CreatedAt: created,
		UpdatedAt: last.UTC(), Activity: last.UTC(), Closed: th.Closed, Pinned: th.Pinned,
		ItemCount: int64(len(items)), CommentCount: comments}
	if th.EditedAt != nil {
		t.EditedAt = th.EditedAt.UTC()
	}
	t.GSI1PK, t.GSI1SK = threadsPK(in.GroupID), activityKey(t.Activity, t.Pinned, tid)
	if err := s.st.Table().Put(t).Run(ctx); err != nil {
		return 0, store.Classify(err)
	}
	s.log.InfoContext(ctx, "thread imported", "thread_id", tid, "group_id", in.GroupID, "items", len(items))
	return -1, nil
}
