package discussion

// Removing a person's comments in place (#16 "Leave"): the comment becomes
// "comment removed" where it was, its replies stay under it. What goes:
// the text (Body, HTML), its mentions, its attachments (items and
// objects), its reactions and its edit history; the search index drops the
// comment through the stream (a Deleted comment indexes as gone). What
// stays: the item's key, author id (for counters and idempotence), time,
// place in the tree, and the Erased marker. The excerpts of those comments
// in other people's notifications are erased too (notify.EraseExcerpts).
//
// Two callers, both off the request path, in bounded idempotent batches:
//   - account deletion with "remove my comments" (RemoveAuthorComments, an
//     eraser of the account core: a scan of the table, progress in the
//     person's partition, like EraseAuthorNames);
//   - moderation, an admin removing one member's comments in one group
//     (RemoveMemberComments queues a job, RunRemovals does it from the
//     scheduler: the group's threads, one page at a time).

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

const (
	// removeScanPage bounds the items one step of the account scan
	// evaluates (one Scan request).
	removeScanPage = 1000
	// removeThreadPage bounds the timeline items one job step evaluates in
	// one thread, and the threads it lists.
	removeThreadPage = 200
	removalQueue     = "REMOVAL"
	removalJobLife   = 7 * 24 * time.Hour
	// removeRetries bounds the re-reads of a comment that changed while it
	// was being removed.
	removeRetries = 3
)

func removalPK(gid string) string { return "REMOVAL#" + gid }
func removalSK(uid string) string { return tabledef.UserPK(uid) }

// removeFilter selects the comments of a person not yet erased.
const removeFilter = "$ = ? AND $ = ? AND attribute_not_exists($)"

func removeArgs(uid string) []any { return []any{"Kind", KindComment, "ActorID", uid, "Erased"} }

// removeInPlace erases one comment of author uid (see the file comment).
// Idempotent: the history, the files and the objects go first; the item's
// update, conditioned on its version and on not being erased yet, is the
// marker. It returns whether this call erased it.
func (s *Service) removeInPlace(ctx context.Context, tid, cid, uid string) (bool, error) {
	for try := 0; ; try++ {
		var c timelineItem
		if err := s.st.Get(ctx, tabledef.ThreadPK(tid), itemSK(cid), &c); err != nil {
			if domain.ErrorCode(err) == domain.NotFound {
				return false, nil
			}
			return false, err
		}
		if c.Kind != KindComment || c.ActorID != uid || c.Erased {
			return false, nil
		}
		if err := s.eraseCommentHistory(ctx, tid, cid); err != nil {
			return false, err
		}
		if err := s.eraseCommentFiles(ctx, tid, cid); err != nil {
			return false, err
		}
		now := s.now().UTC()
		u := s.st.Update(c.PK, c.SK).Remove("Body", "HTML", "RenderV", "Files", "Mentions", "EditedAt").
			Set("Erased", true).Set("DeletedAt", now).Add(tabledef.Version, 1)
		for name := range Reactions {
			u.Remove(reactionAttr(name))
		}
		visible := !c.Deleted && !c.Removed
		if !c.Removed {
			// A tombstone in place, whether or not it has replies yet: a
			// reply written meanwhile still hangs under it.
			u.Set("Deleted", true)
		}
		tx := s.st.Tx().Update(u.If("$ = ? AND attribute_not_exists($)", tabledef.Version, c.Version, "Erased"), ErrChanged)
		if visible {
			tx.Update(s.st.Update(tabledef.ThreadPK(tid), threadSK).Add("CommentCount", -1).If("attribute_exists($)", tabledef.PK), nil)
		}
		err := tx.Run(ctx, "")
		if domain.ErrorCode(err) == domain.Conflict && try < removeRetries {
			continue // changed meanwhile (a reply, a reaction): read it again
		}
		if err != nil {
			return false, err
		}
		return true, nil
	}
}

// eraseCommentHistory deletes the edit history of one comment.
func (s *Service) eraseCommentHistory(ctx context.Context, tid, cid string) error {
	for {
		var hk []keyOnly
		err := s.st.Table().Get(tabledef.PK, historyPK(commentRef(tid, cid))).Project(tabledef.PK, tabledef.SK).
			Limit(store.MaxPageSize).All(ctx, &hk)
		if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
			return store.Classify(err)
		}
		if len(hk) == 0 {
			return nil
		}
		for _, k := range hk {
			if err := s.st.Delete(ctx, k.PK, k.SK); err != nil {
				return err
			}
		}
	}
}

// eraseCommentFiles deletes the attachments of one comment: the objects
// first, then their FILE# items (a retry finds the items again).
func (s *Service) eraseCommentFiles(ctx context.Context, tid, cid string) error {
	var files []keyOnly
	err := s.st.Table().Get(tabledef.PK, tabledef.ThreadPK(tid)).Range(tabledef.SK, dynamo.BeginsWith, "FILE#").
		Filter("$ = ?", "CommentID", cid).Project(tabledef.PK, tabledef.SK, "Key").All(ctx, &files)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return store.Classify(err)
	}
	if len(files) == 0 {
		return nil
	}
	var objects []string
	for _, f := range files {
		if strings.HasPrefix(f.Key, "threads/"+tid+"/") {
			objects = append(objects, f.Key)
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
	for _, f := range files {
		if err := s.st.Delete(ctx, f.PK, f.SK); err != nil {
			return err
		}
	}
	return nil
}

// removeProgress is where an account's comment scan stopped (kind
// erase_scan), in the person's partition until the scan is done.
type removeProgress struct {
	store.Item
	Cursor string `dynamo:"Cursor"`
}

const removeProgressSK = "ERASESCAN#comments"

// RemoveAuthorComments does one step of removing every comment deleted
// account uid wrote, in every group: one page of a scan of the table
// (comments have no index by author), each comment found removed in
// place. It reports done once the scan has passed the end of the table;
// the progress item is deleted then. The account core calls it only for
// a deletion that asked for it, from the scheduler.
func (s *Service) RemoveAuthorComments(ctx context.Context, uid string) (bool, error) {
	var prog removeProgress
	if err := s.st.Get(ctx, tabledef.UserPK(uid), removeProgressSK, &prog); err != nil && !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	type found struct {
		PK string `dynamo:"PK"`
		ID string `dynamo:"ID"`
	}
	page, next, err := store.ScanStep[found](ctx, s.st, tabledef.ThreadPrefix, removeFilter, removeArgs(uid), prog.Cursor, removeScanPage)
	if err != nil {
		return false, err
	}
	for _, f := range page {
		if _, err := s.removeInPlace(ctx, strings.TrimPrefix(f.PK, tabledef.ThreadPrefix), f.ID, uid); err != nil {
			return false, err
		}
	}
	if next == "" {
		return true, s.st.Delete(ctx, tabledef.UserPK(uid), removeProgressSK)
	}
	it := &removeProgress{Item: store.Item{PK: tabledef.UserPK(uid), SK: removeProgressSK, Type: "erase_scan"}, Cursor: next}
	it.ExpireAt(s.now().Add(30 * 24 * time.Hour))
	return false, s.st.Tx().Put(it).Run(ctx, "")
}

// removalJob is an admin's removal of one member's comments in one group:
// PK=REMOVAL#<gid> SK=USER#<uid>; GSI2PK=REMOVAL GSI2SK=<requested>#<gid>#<uid>
// while it runs. Thread is the thread being worked on (with ItemCursor,
// the last timeline key evaluated there); ThreadCursor the group's
// listing position after it. Done jobs keep the count a week.
type removalJob struct {
	store.Item
	GroupID      string    `dynamo:"GroupID"`
	UserID       string    `dynamo:"UserID"`
	ActorID      string    `dynamo:"ActorID"`
	RequestedAt  time.Time `dynamo:"RequestedAt"`
	Thread       string    `dynamo:"Thread,omitempty"`
	ItemCursor   string    `dynamo:"ItemCursor,omitempty"`
	ThreadCursor string    `dynamo:"ThreadCursor,omitempty"`
	ThreadsDone  bool      `dynamo:"ThreadsDone,omitempty"`
	// ExcerptCursor is the scan of notifications whose excerpts quote the
	// member's comments in this group (after the threads).
	ExcerptCursor string     `dynamo:"ExcerptCursor,omitempty"`
	ExcerptsDone  bool       `dynamo:"ExcerptsDone,omitempty"`
	Count         int64      `dynamo:"Count"`
	DoneAt        *time.Time `dynamo:"DoneAt,omitempty"`
}

// Removal is the state of a removal of a member's comments.
type Removal struct {
	GroupID string `json:"group_id"`
	UserID  string `json:"user_id"`
	// State is "none" (never asked, or finished over a week ago),
	// "running" or "done".
	State       string     `json:"state"`
	RequestedAt *time.Time `json:"requested_at,omitempty"`
	Removed     int64      `json:"removed"`
	Done        bool       `json:"done"`
	DoneAt      *time.Time `json:"done_at,omitempty"`
}

func (j *removalJob) view() *Removal {
	at, state := j.RequestedAt, "running"
	if j.DoneAt != nil {
		state = "done"
	}
	return &Removal{GroupID: j.GroupID, UserID: j.UserID, State: state, RequestedAt: &at, Removed: j.Count, Done: j.DoneAt != nil, DoneAt: j.DoneAt}
}

// errRemovalRunning answers a request that raced another one.
var errRemovalRunning = domain.Errorf(domain.Conflict, "a removal of this member's comments has just started")

// ErrBadMember refuses a malformed member id.
var ErrBadMember = domain.Validation(domain.FieldError{Field: "user_id", Message: "is not a member id"})

// RemoveMemberComments queues the removal of every comment member uid
// wrote in group gid (authz.GroupRemoveContent: the group's admins), with
// an entry in the group's record of actions in the same transaction. The
// scheduler does the work (RunRemovals). Asking again while a removal of
// the same member runs returns it unchanged; asking after it finished
// starts a new one (comments written since).
// Errors: NotFound (group hidden), Forbidden, Invalid.
func (s *Service) RemoveMemberComments(ctx context.Context, gid, uid string) (*Removal, error) {
	if err := s.authorize(ctx, gid, authz.GroupRemoveContent, authz.Target{}); err != nil {
		return nil, err
	}
	if !ids.Valid(uid) {
		return nil, ErrBadMember
	}
	var cur removalJob
	err := s.st.Get(ctx, removalPK(gid), removalSK(uid), &cur)
	if err != nil && domain.ErrorCode(err) != domain.NotFound {
		return nil, err
	}
	if err == nil && cur.DoneAt == nil {
		return cur.view(), nil // already running
	}
	a := authz.ActorFrom(ctx)
	now := s.now().UTC()
	j := &removalJob{Item: store.Item{PK: removalPK(gid), SK: removalSK(uid), Type: "comment_removal",
		GSI2PK: removalQueue, GSI2SK: now.Format(activityLayout) + "#" + gid + "#" + uid, Version: cur.Version},
		GroupID: gid, UserID: uid, ActorID: a.UserID, RequestedAt: now}
	tx := s.st.Tx()
	if j.Version == 0 {
		tx.Create(j, errRemovalRunning)
	} else {
		tx.SaveIf(j, "attribute_exists($)", "DoneAt")
	}
	if err := s.record(ctx, tx, gid, audit.ContentRemoved, "member", uid, nil); err != nil {
		return nil, err
	}
	if err := tx.Run(ctx, ""); err != nil {
		if domain.ErrorCode(err) == domain.Conflict {
			return nil, errRemovalRunning
		}
		return nil, err
	}
	s.log.InfoContext(ctx, "comment removal queued", "group_id", gid)
	return j.view(), nil
}

// MemberRemoval reads the last removal of member uid's comments in group
// gid (authz.GroupRemoveContent); its State is "none" when there was none
// (or it finished over a week ago).
func (s *Service) MemberRemoval(ctx context.Context, gid, uid string) (*Removal, error) {
	if err := s.authorize(ctx, gid, authz.GroupRemoveContent, authz.Target{}); err != nil {
		return nil, err
	}
	if !ids.Valid(uid) {
		return nil, ErrBadMember
	}
	var j removalJob
	if err := s.st.Get(ctx, removalPK(gid), removalSK(uid), &j); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return &Removal{GroupID: gid, UserID: uid, State: "none"}, nil
		}
		return nil, err
	}
	return j.view(), nil
}

// RunRemovals does up to steps steps of the queued removals, oldest first
// (the scheduler calls it). Each step is one page of threads or of one
// thread's timeline; the job's position is saved after each, conditioned
// on its version, so a run interrupted half-way goes on from the last
// saved step and a step done twice removes nothing twice. It returns how
// many removals it finished.
func (s *Service) RunRemovals(ctx context.Context, steps int) (int, error) {
	var queued []removalJob
	err := s.st.Table().Get(tabledef.GSI2PK, removalQueue).Index(tabledef.GSI2).Limit(10).All(ctx, &queued)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return 0, store.Classify(err)
	}
	finished := 0
	for i := range queued {
		var j removalJob
		if err := s.st.Get(ctx, queued[i].PK, queued[i].SK, &j); err != nil {
			if domain.ErrorCode(err) == domain.NotFound {
				continue
			}
			return finished, err
		}
		for steps > 0 && j.DoneAt == nil {
			steps--
			if err := s.removalStep(ctx, &j); err != nil {
				return finished, err
			}
			if j.DoneAt != nil {
				finished++
			}
		}
		if steps == 0 {
			break
		}
	}
	return finished, nil
}

// removalStep does one step of job j and saves it (j is updated).
func (s *Service) removalStep(ctx context.Context, j *removalJob) error {
	next := *j
	switch {
	case j.Thread != "":
		q := s.st.Table().Get(tabledef.PK, tabledef.ThreadPK(j.Thread)).Range(tabledef.SK, dynamo.BeginsWith, itemPrefix).
			Filter(removeFilter, removeArgs(j.UserID)...).Project(tabledef.PK, tabledef.SK, "ID").
			SearchLimit(removeThreadPage).RequestLimit(1)
		if j.ItemCursor != "" {
			q = q.StartFrom(dynamo.PagingKey{
				tabledef.PK: &types.AttributeValueMemberS{Value: tabledef.ThreadPK(j.Thread)},
				tabledef.SK: &types.AttributeValueMemberS{Value: j.ItemCursor},
			})
		}
		var found []struct {
			ID string `dynamo:"ID"`
		}
		lek, err := q.AllWithLastEvaluatedKey(ctx, &found)
		if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
			return store.Classify(err)
		}
		for _, f := range found {
			done, err := s.removeInPlace(ctx, j.Thread, f.ID, j.UserID)
			if err != nil {
				return err
			}
			if done {
				next.Count++
			}
		}
		next.ItemCursor = keyStr(lek, tabledef.SK)
		if next.ItemCursor == "" {
			next.Thread = ""
		}
	case !j.ThreadsDone:
		// The group's threads, listed by activity (GSI1 THREADS#<gid>);
		// the next thread is the first one after the cursor.
		q := s.st.Table().Get(tabledef.GSI1PK, threadsPK(j.GroupID)).Index(tabledef.GSI1).
			Project(tabledef.PK, tabledef.SK, tabledef.GSI1PK, tabledef.GSI1SK, "ID").Limit(1)
		if j.ThreadCursor != "" {
			q = q.Range(tabledef.GSI1SK, dynamo.Greater, j.ThreadCursor)
		}
		var ts []struct {
			ID     string `dynamo:"ID"`
			GSI1SK string `dynamo:"GSI1SK"`
		}
		if err := q.All(ctx, &ts); err != nil && !errors.Is(err, dynamo.ErrNotFound) {
			return store.Classify(err)
		}
		if len(ts) == 0 {
			next.ThreadsDone = true
			break
		}
		next.Thread, next.ItemCursor, next.ThreadCursor = ts[0].ID, "", ts[0].GSI1SK
	case !j.ExcerptsDone && s.notify != nil:
		c, err := s.notify.EraseExcerpts(ctx, j.UserID, j.GroupID, j.ExcerptCursor, removeScanPage)
		if err != nil {
			return err
		}
		next.ExcerptCursor, next.ExcerptsDone = c, c == ""
	default:
		now := s.now().UTC()
		next.DoneAt = &now
		next.GSI2PK, next.GSI2SK = "", ""
		next.ExpireAt(now.Add(removalJobLife))
	}
	if err := s.st.Tx().SaveIf(&next, "").Run(ctx, ""); err != nil {
		return err
	}
	if next.DoneAt != nil {
		s.log.InfoContext(ctx, "comment removal finished", "group_id", j.GroupID, "removed", next.Count)
	}
	*j = next
	return nil
}

func keyStr(m dynamo.PagingKey, name string) string {
	if v, ok := m[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}
