package discussion

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/text"
)

// Forking comments into a new thread of the same group (docs/data-model.md,
// pattern 25b). Up to 100 comments with their files take more writes than
// one transaction holds, so a fork is a job item on the new thread, in
// bounded steps, each advancing the job conditioned on its step:
//
//  1. copy: the new thread item exists hidden (Forking: no list key, read
//     as missing) while the comments are copied into it, keeping their ids
//     (so their order, dates and reply links), authors, reactions, edit
//     times and files (the file items are copied; the S3 objects stay);
//  2. switch: one transaction shows the new thread (list key, counts),
//     notes the fork in the old thread where the first comment was, and
//     records it in the group's record;
//  3. remove: the originals leave the old thread (hidden, or a tombstone
//     "moved to" while replies that stayed hang under them), their file
//     items are deleted there (so purging the old thread leaves the
//     objects the new one uses).
//
// Between 2 and 3 the comments show in both threads of the same group (the
// same readers): nothing is shown to anyone who could not see it before.
// The new thread's id is derived from the old thread and the comments
// chosen, so the same fork asked again continues the job, and once done
// answers the thread it made, instead of making another.

// Limits and kinds of a fork.
const (
	MaxForkComments = 100
	forkBatch       = 25
	// KindForkedOut notes in the old thread where comments left (Data:
	// to, title, count); KindForkedIn in the new one where they came from
	// (Data: from, title, count).
	KindForkedOut = "thread.forked_out"
	KindForkedIn  = "thread.forked_in"

	forkSK          = "FORK"
	forkPK          = "FORK" // GSI2PK of unfinished forks (the scheduler's queue)
	forkPhaseCopy   = "copy"
	forkPhaseSwitch = "switch"
	forkPhaseRemove = "remove"
	forkPhaseDone   = "done"
)

// ForkInput forks comments of a thread into a new thread.
type ForkInput struct {
	Title      string   `json:"title"`
	CommentIDs []string `json:"comment_ids"`
}

// ForkResult is the new thread.
type ForkResult struct {
	Thread Thread `json:"thread"`
	From   string `json:"from_thread_id"`
	Count  int    `json:"count"`
	// Done is false when steps are left (the same request again finishes them).
	Done bool `json:"done"`
}

// forkItem: PK=THREAD#<new tid> SK=FORK, GSI2PK=FORK GSI2SK=<started>#<tid>.
type forkItem struct {
	store.Item
	ThreadID string `dynamo:"ThreadID"`
	From     string `dynamo:"From"`
	GroupID  string `dynamo:"GroupID"`
	Title    string `dynamo:"Title"`
	FromName string `dynamo:"FromTitle"`
	// IDs are the comments, in timeline order; Parents their parent in the
	// new thread ("" top level), OrigParents in the old one.
	IDs         []string          `dynamo:"IDs"`
	Parents     map[string]string `dynamo:"Parents,omitempty"`
	OrigParents map[string]string `dynamo:"OrigParents,omitempty"`
	FirstAt     time.Time         `dynamo:"FirstAt"`
	ActorID     string            `dynamo:"ActorID"`
	Phase       string            `dynamo:"Phase"`
	Next        int               `dynamo:"Next"`
	Step        int64             `dynamo:"Step"`
	StartedAt   time.Time         `dynamo:"StartedAt"`
}

// Errors of a fork.
var (
	ErrForkNone     = domain.Validation(domain.FieldError{Field: "comment_ids", Message: "choose at least one comment"})
	ErrForkTooMany  = domain.Validation(domain.FieldError{Field: "comment_ids", Message: "at most 100 comments at a time"})
	ErrForkComments = domain.Validation(domain.FieldError{Field: "comment_ids", Message: "names a comment that is not in this thread (or was deleted or moved)"})
	errForkStep     = domain.Errorf(domain.Conflict, "the fork went on meanwhile")
)

// forkID derives the new thread's id from the old one and the comments.
func (s *Service) forkID(tid string, cids []string) string {
	m := hmac.New(sha256.New, s.forkKey)
	m.Write([]byte(tid + "\x00" + strings.Join(cids, ",")))
	return ids.FromHash(m.Sum(nil))
}

// ForkComments moves comments of thread tid (at most 100) into a new
// thread of the same group titled in.Title (policy: thread.fork: the
// group's admins, and the thread's author where they may edit their
// threads). The comments keep their authors, dates, reactions, files and
// the order of their replies; a reply whose parent stays behind becomes a
// top-level comment. Both threads note the fork.
func (s *Service) ForkComments(ctx context.Context, tid string, in ForkInput) (ForkResult, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.RequireUser(a); err != nil {
		return ForkResult{}, err
	}
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return ForkResult{}, err
	}
	if err := s.authorize(ctx, t.GroupID, authz.ThreadView, threadTarget(t, a.UserID)); err != nil {
		return ForkResult{}, err
	}
	if err := s.authorize(ctx, t.GroupID, authz.ThreadFork, threadTarget(t, a.UserID)); err != nil {
		return ForkResult{}, err
	}
	var fe domain.FieldErrors
	title := text.CheckLine(&fe, "title", in.Title, 1, MaxTitle)
	if err := fe.Err(); err != nil {
		return ForkResult{}, err
	}
	cids := slices.Clone(in.CommentIDs)
	slices.Sort(cids)
	cids = slices.Compact(cids)
	switch {
	case len(cids) == 0 || (len(cids) == 1 && cids[0] == ""):
		return ForkResult{}, ErrForkNone
	case len(cids) > MaxForkComments:
		return ForkResult{}, ErrForkTooMany
	}
	for _, c := range cids {
		if len(c) != 24 || !ids.Valid(c) {
			return ForkResult{}, ErrForkComments
		}
	}
	nid := s.forkID(tid, cids)
	job, err := s.forkJob(ctx, nid)
	if err != nil {
		return ForkResult{}, err
	}
	if job == nil {
		// Done already (the same fork asked again)?
		if nt, err := s.getThread(ctx, nid); err == nil {
			return ForkResult{Thread: s.threadView(nt, 0), From: tid, Count: len(cids), Done: true}, nil
		}
		if job, err = s.startFork(ctx, t, nid, title, cids); err != nil {
			return ForkResult{}, err
		}
	}
	done, err := s.runFork(ctx, job, 40)
	if err != nil {
		return ForkResult{}, err
	}
	var nt threadItem
	if err := s.st.Get(ctx, tabledef.ThreadPK(nid), threadSK, &nt); err != nil {
		return ForkResult{}, err
	}
	return ForkResult{Thread: s.threadView(&nt, 0), From: tid, Count: len(job.IDs), Done: done}, nil
}

// startFork checks the comments (one BatchGetItem) and writes the job with
// the hidden new thread in one transaction.
func (s *Service) startFork(ctx context.Context, t *threadItem, nid, title string, cids []string) (*forkItem, error) {
	a := authz.ActorFrom(ctx)
	originals, err := s.comments(ctx, t.ID, cids)
	if err != nil {
		return nil, err
	}
	if len(originals) != len(cids) {
		return nil, ErrForkComments
	}
	chosen := map[string]bool{}
	for _, c := range cids {
		chosen[c] = true
	}
	job := &forkItem{ThreadID: nid, From: t.ID, GroupID: t.GroupID, Title: title, FromName: t.Title, IDs: cids,
		Parents: map[string]string{}, OrigParents: map[string]string{}, ActorID: a.UserID, Phase: forkPhaseCopy}
	for _, c := range originals {
		if c.Deleted || c.ForkedTo != "" {
			return nil, ErrForkComments
		}
		if p := newParent(c, chosen); p != "" {
			job.Parents[c.ID] = p
		}
		if c.ParentID != "" {
			job.OrigParents[c.ID] = c.ParentID
		}
		if job.FirstAt.IsZero() || c.At.Before(job.FirstAt) {
			job.FirstAt = c.At
		}
	}
	now := s.now().UTC()
	job.StartedAt = now
	job.Item = store.Item{PK: tabledef.ThreadPK(nid), SK: forkSK, Type: "thread_fork", GSI2PK: forkPK, GSI2SK: now.Format(activityLayout) + "#" + nid}
	nt := &threadItem{Item: store.Item{PK: tabledef.ThreadPK(nid), SK: threadSK, Type: "thread"}, ID: nid, GroupID: t.GroupID,
		Title: title, AuthorID: a.UserID, AuthorName: s.actorName(ctx, a.UserID), CreatedAt: now, UpdatedAt: now,
		Activity: now, Forking: true}
	exists := domain.Errorf(domain.Conflict, "these comments are being forked already")
	if err := s.st.Tx().Create(job, exists).Create(nt, exists).Run(ctx, ""); err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "fork started", "thread_id", t.ID, "new_thread_id", nid, "comments", len(cids))
	return job, nil
}

// newParent is c's parent in the new thread: its nearest chosen ancestor.
func newParent(c timelineItem, chosen map[string]bool) string {
	for i := len(c.Ancestors) - 1; i >= 0; i-- {
		if chosen[c.Ancestors[i]] {
			return c.Ancestors[i]
		}
	}
	return ""
}

// comments reads comments of thread tid by id (one consistent BatchGetItem
// per 100), leaving out what is not a live comment.
func (s *Service) comments(ctx context.Context, tid string, cids []string) ([]timelineItem, error) {
	keys := make([]dynamo.Keyed, 0, len(cids))
	for _, c := range cids {
		keys = append(keys, dynamo.Keys{tabledef.ThreadPK(tid), itemSK(c)})
	}
	var out []timelineItem
	err := s.st.Table().Batch(tabledef.PK, tabledef.SK).Get(keys...).Consistent(true).All(ctx, &out)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return nil, store.Classify(err)
	}
	live := out[:0]
	for _, c := range out {
		if c.Kind == KindComment && !c.Removed {
			live = append(live, c)
		}
	}
	return live, nil
}

func (s *Service) forkJob(ctx context.Context, nid string) (*forkItem, error) {
	var job forkItem
	err := s.st.Get(ctx, tabledef.ThreadPK(nid), forkSK, &job)
	if domain.ErrorCode(err) == domain.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &job, nil
}

// FinishForks carries on forks left unfinished for more than two minutes
// (at most limit; for the scheduler). It returns how many it finished.
func (s *Service) FinishForks(ctx context.Context, now time.Time, limit int) (int, error) {
	return s.finishStale(ctx, forkPK, "fork step failed", now, limit, func(ctx context.Context, tid string) (string, func(context.Context) (bool, error)) {
		job, err := s.forkJob(ctx, tid)
		if err != nil || job == nil {
			return "", nil
		}
		return job.ActorID, func(actx context.Context) (bool, error) { return s.runFork(actx, job, 40) }
	})
}

func (s *Service) runFork(ctx context.Context, job *forkItem, max int) (bool, error) {
	for i := 0; i < max; i++ {
		if s.moveFault != nil {
			if err := s.moveFault("fork." + job.Phase); err != nil {
				return false, err
			}
		}
		var err error
		switch job.Phase {
		case forkPhaseCopy:
			err = s.forkCopy(ctx, job)
		case forkPhaseSwitch:
			err = s.forkSwitch(ctx, job)
		case forkPhaseRemove:
			err = s.forkRemove(ctx, job)
		default:
			err = s.st.Tx().Delete(s.st.DeleteOp(job.PK, job.SK).If("$ = ?", "Step", job.Step), errForkStep).Run(ctx, "")
			if err == nil {
				s.log.InfoContext(ctx, "fork finished", "new_thread_id", job.ThreadID)
				return true, nil
			}
		}
		if err == errForkStep || err == ErrChanged {
			fresh, gerr := s.forkJob(ctx, job.ThreadID)
			if gerr != nil {
				return false, gerr
			}
			if fresh == nil {
				return true, nil
			}
			*job = *fresh
			continue
		}
		if err != nil {
			return false, err
		}
	}
	return false, nil
}

// forkAdvance is the job's update for the next step.
func (s *Service) forkAdvance(job *forkItem, phase string, next int) *dynamo.Update {
	return s.st.Update(job.PK, job.SK).Set("Phase", phase).Set("Next", next).Add("Step", 1).If("$ = ?", "Step", job.Step)
}

func (s *Service) commitFork(ctx context.Context, job *forkItem, phase string, next int, tx *store.Tx) error {
	tx.Update(s.forkAdvance(job, phase, next), errForkStep)
	if err := tx.Run(ctx, ""); err != nil {
		return err
	}
	job.Phase, job.Next, job.Step = phase, next, job.Step+1
	return nil
}

// forkCopy copies up to 25 comments (and their file items) into the hidden
// new thread with idempotent puts; the first step also writes the note of
// where they came from.
func (s *Service) forkCopy(ctx context.Context, job *forkItem) error {
	end := min(job.Next+forkBatch, len(job.IDs))
	batch := job.IDs[job.Next:end]
	originals, err := s.comments(ctx, job.From, batch)
	if err != nil {
		return err
	}
	replies := map[string]int64{}
	for _, p := range job.Parents {
		replies[p]++
	}
	var puts []any
	var files []dynamo.Keyed
	for _, c := range originals {
		cp := c
		cp.PK, cp.ThreadID = tabledef.ThreadPK(job.ThreadID), job.ThreadID
		cp.ParentID = job.Parents[c.ID]
		cp.Ancestors = nil
		for _, anc := range c.Ancestors {
			if slices.Contains(job.IDs, anc) {
				cp.Ancestors = append(cp.Ancestors, anc)
			}
		}
		cp.Depth = len(cp.Ancestors) + 1
		cp.ReplyCount = replies[c.ID]
		cp.Version = 1
		puts = append(puts, cp)
		for _, f := range c.Files {
			files = append(files, dynamo.Keys{tabledef.ThreadPK(job.From), fileSK(f.ID)})
		}
	}
	if len(files) > 0 {
		var fs []fileItem
		err := s.st.Table().Batch(tabledef.PK, tabledef.SK).Get(files...).Consistent(true).All(ctx, &fs)
		if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
			return store.Classify(err)
		}
		for _, f := range fs {
			f.PK, f.ThreadID, f.TTL = tabledef.ThreadPK(job.ThreadID), job.ThreadID, 0
			puts = append(puts, f)
		}
	}
	if job.Next == 0 {
		sum := sha256.Sum256([]byte(job.ThreadID))
		note := &timelineItem{ID: ids.Sortable(job.FirstAt.Add(-time.Nanosecond), sum[:]), ThreadID: job.ThreadID,
			Kind: KindForkedIn, ActorID: job.ActorID, ActorName: s.actorName(ctx, job.ActorID), At: s.now().UTC(),
			Data: map[string]string{"from": job.From, "title": job.FromName, "count": strconv.Itoa(len(job.IDs))}}
		note.PK, note.SK, note.Type, note.Version = tabledef.ThreadPK(job.ThreadID), itemSK(note.ID), "timeline_item", 1
		puts = append(puts, note)
	}
	if len(puts) > 0 {
		if _, err := s.st.Table().Batch(tabledef.PK, tabledef.SK).Write().Put(puts...).Run(ctx); err != nil {
			return store.Classify(err)
		}
	}
	phase := forkPhaseCopy
	if end >= len(job.IDs) {
		phase, end = forkPhaseSwitch, 0
	}
	return s.commitFork(ctx, job, phase, end, s.st.Tx())
}

// forkSwitch shows the new thread and notes the fork in the old one, in
// one transaction (with the group's record entry and the job's step).
func (s *Service) forkSwitch(ctx context.Context, job *forkItem) error {
	old, err := s.getThread(ctx, job.From)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	n := int64(len(job.IDs))
	sum := sha256.Sum256([]byte("out" + job.ThreadID))
	note := &timelineItem{ID: ids.Sortable(job.FirstAt.Add(-time.Nanosecond), sum[:]), Kind: KindForkedOut, ActorID: job.ActorID,
		ActorName: s.actorName(ctx, job.ActorID),
		Data:      map[string]string{"to": job.ThreadID, "title": job.Title, "count": strconv.Itoa(len(job.IDs))}}
	var recErr error
	err = s.appendItem(ctx, old, appendSpec{item: note, ops: func(tx *store.Tx) {
		tx.Update(s.st.Update(tabledef.ThreadPK(job.ThreadID), threadSK).Remove("Forking").
			Set(tabledef.GSI1PK, threadsPK(job.GroupID)).Set(tabledef.GSI1SK, activityKey(now, false, job.ThreadID)).
			Set("Activity", now).Set("ItemCount", n+1).Set("CommentCount", n).Add(tabledef.Version, 1).
			If("$ = ?", "Forking", true), errForkStep)
		recErr = s.record(ctx, tx, job.GroupID, audit.CommentsForked, "thread", job.ThreadID,
			map[string]string{"from": job.From, "count": strconv.Itoa(len(job.IDs))})
		tx.Update(s.forkAdvance(job, forkPhaseRemove, 0), errForkStep)
	}}, now)
	if recErr != nil {
		return recErr
	}
	if err != nil {
		return err
	}
	job.Phase, job.Next, job.Step = forkPhaseRemove, 0, job.Step+1
	return nil
}

// forkRemove takes up to 25 originals out of the old thread: hidden, or a
// tombstone naming the new thread while replies that stayed hang under
// it; parents that stayed lose the replies that left; the old thread's
// comment count goes down; their file items there are deleted.
func (s *Service) forkRemove(ctx context.Context, job *forkItem) error {
	end := min(job.Next+forkBatch, len(job.IDs))
	batch := job.IDs[job.Next:end]
	originals, err := s.comments(ctx, job.From, batch)
	if err != nil {
		return err
	}
	leaving := map[string]int64{} // chosen replies per original parent
	for id, p := range job.OrigParents {
		if slices.Contains(job.IDs, id) {
			leaving[p]++
		}
	}
	tx := s.st.Tx()
	stayingParents := map[string]int64{}
	var fileKeys []dynamo.Keyed
	var k int64
	for _, c := range originals {
		if c.ForkedTo != "" {
			continue
		}
		k++
		u := s.st.Update(c.PK, c.SK).Remove("Body", "HTML", "RenderV", "Files", "Mentions").Set("ForkedTo", job.ThreadID).
			Add(tabledef.Version, 1)
		if c.ReplyCount-leaving[c.ID] > 0 {
			u.Set("Deleted", true).If("$ = ?", "ReplyCount", c.ReplyCount)
		} else {
			u.Set("Removed", true).If("attribute_not_exists($) OR $ = ?", "ReplyCount", "ReplyCount", c.ReplyCount)
			if p := c.ParentID; p != "" && !slices.Contains(job.IDs, p) {
				stayingParents[p]++
			}
		}
		tx.Update(u, ErrChanged)
		for _, f := range c.Files {
			fileKeys = append(fileKeys, dynamo.Keys{tabledef.ThreadPK(job.From), fileSK(f.ID)})
		}
	}
	for p, by := range stayingParents {
		tx.Update(s.st.Update(tabledef.ThreadPK(job.From), itemSK(p)).Add("ReplyCount", -by), nil)
	}
	if k > 0 {
		tx.Update(s.st.Update(tabledef.ThreadPK(job.From), threadSK).Add("CommentCount", -k), nil)
	}
	if len(fileKeys) > 0 {
		// Before the step (deleting is idempotent; the new thread has its
		// copies): purging the old thread must not delete the objects.
		if _, err := s.st.Table().Batch(tabledef.PK, tabledef.SK).Write().Delete(fileKeys...).Run(ctx); err != nil {
			return store.Classify(err)
		}
	}
	phase := forkPhaseRemove
	if end >= len(job.IDs) {
		phase = forkPhaseDone
	}
	return s.commitFork(ctx, job, phase, end, tx)
}
