package discussion

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Moving a thread to another group (docs/data-model.md, pattern 22b).
//
// What names the group of a thread: the thread item (GroupID, GSI1PK of the
// group's list), its polls (GroupID, GSI1PK of the group's decisions; owned
// by the decision core, reached through ThreadPolls), its guests' grants
// (GroupID, GSI1SK read by the group policy's facts) and the search index
// (documents and postings under the group, rebuilt by the stream indexer
// when an item's Version changes: the thread, its comments, its polls and
// their reasons and outcomes). Everything else of a thread is keyed by
// the thread alone (timeline, files, invitations, read marks, notification
// levels, reply addresses) and follows by itself.
//
// Every read decides visibility from the thread item's GroupID (and a
// poll's from the poll item's), so the move is a job whose one switching
// transaction flips the thread and all its polls at once: before it the
// thread is only in the old group, after it only in the new one. The rest
// is bounded steps that only widen access in the new group (guests'
// grants) or rebuild what is derived (search), each a transaction that
// also advances the job item, conditioned on its step, so a step is done
// once and an interrupted move is finished by the next MoveThread call
// (the same target) or the scheduler (FinishMoves).

// Move phases, in order.
const (
	movePhaseCollect = "collect" // page the old group's polls for this thread's
	movePhaseSwitch  = "switch"  // one transaction: thread, polls, notes, audit
	movePhaseGuests  = "guests"  // guest grants of the thread, 25 per step
	movePhaseSearch  = "search"  // comments re-filed by the search indexer, 50 per step
	movePhaseLate    = "late"    // polls started in the thread during the move
	movePhaseBallots = "ballots" // open polls: ballots of people outside the new group withdrawn
	movePhaseReasons = "reasons" // polls' reasons and outcomes re-filed by the search indexer, 50 items per step
	moveSK           = "MOVE"
	movePK           = "MOVE" // GSI2PK of unfinished moves (the scheduler's queue)
)

// Limits of a move.
const (
	// MaxMovePolls is how many polls a thread may have to be moved: they
	// all switch in one transaction (DynamoDB: 100 operations) with the
	// thread, its timeline note, the job and the two groups' audit entries.
	MaxMovePolls = 90
	// MaxMoveStepsPerCall bounds the steps one MoveThread call runs; a
	// longer move answers "in progress" and a retry (or the scheduler)
	// carries on from where it stopped.
	MaxMoveStepsPerCall = 60
	moveGuestBatch      = 25
	moveSearchBatch     = 50
)

// KindMoved is the timeline note of a moved thread (Data: from, to group ids).
const KindMoved = "thread.moved"

// ThreadPolls is what a move needs of the decision core, the owner of poll
// items (*decision.Service implements it, through internal/cores).
type ThreadPolls interface {
	// PollsOfThread returns the ids of group gid's polls in thread tid
	// among one bounded page of the group's polls, and the next cursor
	// ("" when done). Trusted: no authorization.
	PollsOfThread(ctx context.Context, gid, tid, cursor string) ([]string, string, error)
	// MovePolls adds the move of each poll from group from to group to to
	// tx, each conditioned on the poll still being in from and in tid.
	MovePolls(tx *store.Tx, tid string, pids []string, from, to string)
	// RefilePollSearch adds to tx, for one bounded page of poll pid's
	// vote reasons and outcome, what makes the search indexer file them
	// under group to, and returns the next page's cursor ("" when the
	// poll is done; the cursor is the decision core's).
	RefilePollSearch(ctx context.Context, tx *store.Tx, pid, to, cursor string) (string, error)
	// WithdrawMoved is one bounded step of withdrawing, from moved poll
	// pid, the ballots of people outside its new group's voter set (the
	// rule of leaving a group); it returns the next cursor ("" when the
	// poll is done). Idempotent. Trusted: no authorization.
	WithdrawMoved(ctx context.Context, pid, cursor string) (string, int, error)
}

// moveItem: PK=THREAD#<tid> SK=MOVE, GSI2PK=MOVE GSI2SK=<started>#<tid>
// while the move is unfinished; deleted when done.
type moveItem struct {
	store.Item
	ThreadID  string    `dynamo:"ThreadID"`
	From      string    `dynamo:"From"`
	To        string    `dynamo:"To"`
	ActorID   string    `dynamo:"ActorID"`
	Phase     string    `dynamo:"Phase"`
	Cursor    string    `dynamo:"Cursor,omitempty"`
	Polls     []string  `dynamo:"Polls,set,omitempty"`
	Step      int64     `dynamo:"Step"`
	StartedAt time.Time `dynamo:"StartedAt"`
}

// MoveResult is what MoveThread answers.
type MoveResult struct {
	Thread Thread `json:"thread"`
	// Done is false when the move switched (or is switching) but has steps
	// left: calling MoveThread again with the same group finishes it.
	Done bool `json:"done"`
	// Switched is true once the thread is in the new group.
	Switched bool `json:"switched"`
}

// Errors of a move.
var (
	ErrMoveSameGroup = domain.Validation(domain.FieldError{Field: "group_id", Message: "is the thread's group already"})
	ErrMoveTarget    = domain.Validation(domain.FieldError{Field: "group_id", Message: "is not a group you can move threads to"})
	ErrMoveOther     = domain.Errorf(domain.Conflict, "this thread is being moved to another group: finish that move first")
	ErrMoveTooBig    = domain.Validation(domain.FieldError{Field: "thread", Message: "has more polls than a move can take along (90)"})
	errMoveStep      = domain.Errorf(domain.Conflict, "the move went on meanwhile")
)

// MoveThread moves thread tid to group to, with its polls, files, guests
// and mail address (policy: thread.move in both groups, that is, an admin
// of both). It runs the move's steps (at most MaxMoveStepsPerCall); a
// move that was interrupted is finished by calling it again with the same
// group. Both groups' records and the thread's timeline note the move.
func (s *Service) MoveThread(ctx context.Context, tid, to string) (MoveResult, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.RequireUser(a); err != nil {
		return MoveResult{}, err
	}
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return MoveResult{}, err
	}
	job, err := s.moveJob(ctx, tid)
	if err != nil {
		return MoveResult{}, err
	}
	from := t.GroupID
	if job != nil {
		from = job.From
	}
	// The thread's own group first, so that an outsider learns nothing.
	if err := s.authorize(ctx, t.GroupID, authz.ThreadView, threadTarget(t, a.UserID)); err != nil {
		return MoveResult{}, err
	}
	if err := s.authorize(ctx, from, authz.ThreadMove, threadTarget(t, a.UserID)); err != nil {
		return MoveResult{}, err
	}
	if !ids.Valid(to) {
		return MoveResult{}, ErrMoveTarget
	}
	if err := s.authorize(ctx, to, authz.ThreadMove, authz.Target{}); err != nil {
		if c := domain.ErrorCode(err); c == domain.NotFound || c == domain.Forbidden {
			return MoveResult{}, ErrMoveTarget
		}
		return MoveResult{}, err
	}
	switch {
	case job != nil && job.To != to:
		return MoveResult{}, ErrMoveOther
	case job == nil && t.GroupID == to:
		return MoveResult{}, ErrMoveSameGroup
	}
	if job == nil {
		now := s.now().UTC()
		job = &moveItem{Item: store.Item{PK: tabledef.ThreadPK(tid), SK: moveSK, Type: "thread_move", GSI2PK: movePK,
			GSI2SK: now.Format(activityLayout) + "#" + tid},
			ThreadID: tid, From: t.GroupID, To: to, ActorID: a.UserID, Phase: movePhaseCollect, StartedAt: now}
		if err := s.st.Create(ctx, job, ErrMoveOther); err != nil {
			return MoveResult{}, err
		}
		s.log.InfoContext(ctx, "thread move started", "thread_id", tid)
	}
	done, err := s.runMove(ctx, job, MaxMoveStepsPerCall)
	if err != nil {
		return MoveResult{}, err
	}
	fresh, err := s.getThread(ctx, tid)
	if err != nil {
		return MoveResult{}, err
	}
	return MoveResult{Thread: s.threadView(fresh, 0), Done: done, Switched: fresh.GroupID == to}, nil
}

// MoveStatus reports an unfinished move of thread tid (nil when none), for
// the thread page's admins. Trusted: the caller has read the thread.
func (s *Service) MoveStatus(ctx context.Context, tid string) (*MoveState, error) {
	job, err := s.moveJob(ctx, tid)
	if err != nil || job == nil {
		return nil, err
	}
	return &MoveState{From: job.From, To: job.To, Phase: job.Phase, StartedAt: job.StartedAt}, nil
}

// MoveState is an unfinished move.
type MoveState struct {
	From      string    `json:"from_group_id"`
	To        string    `json:"to_group_id"`
	Phase     string    `json:"phase"`
	StartedAt time.Time `json:"started_at"`
}

func (s *Service) moveJob(ctx context.Context, tid string) (*moveItem, error) {
	var job moveItem
	err := s.st.Get(ctx, tabledef.ThreadPK(tid), moveSK, &job)
	if domain.ErrorCode(err) == domain.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &job, nil
}

// FinishMoves carries on moves left unfinished for more than two minutes
// (at most limit of them; for the scheduler, no actor: the steps are the
// ones an admin already started). It returns how many it finished.
func (s *Service) FinishMoves(ctx context.Context, now time.Time, limit int) (int, error) {
	return s.finishStale(ctx, movePK, "thread move step failed", now, limit, func(ctx context.Context, tid string) (string, func(context.Context) (bool, error)) {
		job, err := s.moveJob(ctx, tid)
		if err != nil || job == nil {
			return "", nil
		}
		return job.ActorID, func(actx context.Context) (bool, error) { return s.runMove(actx, job, MaxMoveStepsPerCall) }
	})
}

// finishStale is the scheduler's sweep of one kind of thread job (a move,
// a fork): the jobs queued under GSI2 key queue for more than two minutes,
// at most limit. For each, open reads the job afresh (no run: gone or
// unreadable, skipped) and gives its actor, as whom run carries it on. A
// failing run is logged (failed) and left for the next sweep. It returns
// how many runs finished their job.
func (s *Service) finishStale(ctx context.Context, queue, failed string, now time.Time, limit int,
	open func(ctx context.Context, tid string) (actor string, run func(context.Context) (bool, error))) (int, error) {
	var jobs []struct {
		ThreadID string `dynamo:"ThreadID"`
	}
	err := s.st.Table().Get(tabledef.GSI2PK, queue).Index(tabledef.GSI2).
		Range(tabledef.GSI2SK, dynamo.Less, now.Add(-2*time.Minute).UTC().Format(activityLayout)).Limit(limit).All(ctx, &jobs)
	if err != nil {
		return 0, store.Classify(err)
	}
	n := 0
	for _, j := range jobs {
		actor, run := open(ctx, j.ThreadID)
		if run == nil {
			continue
		}
		done, err := run(authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: actor}))
		if err != nil {
			s.log.ErrorContext(ctx, failed, "thread_id", j.ThreadID, "err", err)
			continue
		}
		if done {
			n++
		}
	}
	return n, nil
}

// runMove runs up to max steps of job; true when the move is finished.
func (s *Service) runMove(ctx context.Context, job *moveItem, max int) (bool, error) {
	for i := 0; i < max; i++ {
		done, err := s.moveStep(ctx, job)
		if err == errMoveStep {
			// Another run advanced the job: read where it is now.
			fresh, gerr := s.moveJob(ctx, job.ThreadID)
			if gerr != nil {
				return false, gerr
			}
			if fresh == nil {
				return true, nil
			}
			*job = *fresh
			continue
		}
		if err != nil || done {
			return done, err
		}
	}
	return false, nil
}

// advance is the job's update for the next step, conditioned on the step read.
func (s *Service) advance(job *moveItem, phase, cursor string) *dynamo.Update {
	u := s.st.Update(job.PK, job.SK).Set("Phase", phase).Add("Step", 1).If("$ = ?", "Step", job.Step)
	if cursor == "" {
		u.Remove("Cursor")
	} else {
		u.Set("Cursor", cursor)
	}
	return u
}

// moveStep runs one bounded step of job and records it; true when done.
func (s *Service) moveStep(ctx context.Context, job *moveItem) (bool, error) {
	tid := job.ThreadID
	if s.moveFault != nil {
		if err := s.moveFault(job.Phase); err != nil {
			return false, err
		}
	}
	switch job.Phase {
	case movePhaseCollect:
		if s.polls == nil {
			return false, s.commitStep(ctx, job, movePhaseSwitch, "", nil, s.st.Tx())
		}
		pids, next, err := s.polls.PollsOfThread(ctx, job.From, tid, job.Cursor)
		if err != nil {
			return false, err
		}
		all := append(append([]string{}, job.Polls...), pids...)
		if len(uniq(all)) > MaxMovePolls {
			if err := s.st.Delete(ctx, job.PK, job.SK); err != nil {
				return false, err
			}
			return false, ErrMoveTooBig
		}
		phase := movePhaseCollect
		if next == "" {
			phase = movePhaseSwitch
		}
		tx := s.st.Tx()
		u := s.advance(job, phase, next)
		if len(pids) > 0 {
			u.AddStringsToSet("Polls", pids...)
		}
		tx.Update(u, errMoveStep)
		if err := tx.Run(ctx, ""); err != nil {
			return false, err
		}
		job.Phase, job.Cursor, job.Step, job.Polls = phase, next, job.Step+1, uniq(all)
		return false, nil
	case movePhaseSwitch:
		return false, s.moveSwitch(ctx, job)
	case movePhaseGuests:
		return false, s.moveGuests(ctx, job)
	case movePhaseSearch:
		return false, s.moveSearch(ctx, job)
	case movePhaseLate:
		if s.polls == nil {
			return false, s.commitStep(ctx, job, movePhaseReasons, "", nil, s.st.Tx())
		}
		pids, next, err := s.polls.PollsOfThread(ctx, job.From, tid, job.Cursor)
		if err != nil {
			return false, err
		}
		if next == "" && len(pids) == 0 {
			return false, s.commitStep(ctx, job, movePhaseBallots, "", nil, s.st.Tx())
		}
		tx := s.st.Tx()
		s.polls.MovePolls(tx, tid, pids, job.From, job.To)
		// The late polls join the job's polls, whose ballots and reasons
		// the next phases handle.
		err = s.commitStep(ctx, job, movePhaseLate, next, func(u *dynamo.Update) {
			if len(pids) > 0 {
				u.AddStringsToSet("Polls", pids...)
			}
		}, tx)
		if err == nil {
			job.Polls = uniq(append(job.Polls, pids...))
		}
		return false, err
	case movePhaseBallots:
		return s.moveBallots(ctx, job)
	case movePhaseReasons:
		return s.moveReasons(ctx, job)
	}
	return s.finishMove(ctx, job)
}

// moveBallots is one step of applying, to the moved polls, the rule of
// someone leaving a group: ballots (and chosen-voter entries) in open polls
// of people outside the new group's voter set are withdrawn
// (ThreadPolls.WithdrawMoved: one bounded page of one poll per step). The
// cursor is "<index in the sorted Polls>|<the poll's cursor>". Then the
// reasons that stay are re-filed (movePhaseReasons).
func (s *Service) moveBallots(ctx context.Context, job *moveItem) (bool, error) {
	pids := slices.Sorted(slices.Values(uniq(job.Polls)))
	i, inner := 0, ""
	if job.Cursor != "" {
		idx, rest, _ := strings.Cut(job.Cursor, "|")
		n, err := strconv.Atoi(idx)
		if err != nil || n < 0 {
			return false, domain.Errorf(domain.Invalid, "bad move cursor")
		}
		i, inner = n, rest
	}
	if s.polls == nil || i >= len(pids) {
		return false, s.commitStep(ctx, job, movePhaseReasons, "", nil, s.st.Tx())
	}
	next, n, err := s.polls.WithdrawMoved(ctx, pids[i], inner)
	if err != nil {
		return false, err
	}
	if n > 0 {
		s.log.InfoContext(ctx, "moved poll: ballots withdrawn", "thread_id", job.ThreadID, "poll_id", pids[i], "ballots", n)
	}
	if next == "" {
		i++ // this poll is done: the next one, from its start
	}
	return false, s.commitStep(ctx, job, movePhaseBallots, strconv.Itoa(i)+"|"+next, nil, s.st.Tx())
}

// moveReasons re-files, in search, the vote reasons and outcomes of the
// moved polls, one page of one poll per step (the decision core owns
// them): the job's cursor is the index of the poll in the sorted list of
// the job's polls and the decision core's cursor within it. Until a poll's
// page is done, its reasons are found in neither group (the old group's
// search drops them: their poll's document names the new group), never in
// the wrong one.
func (s *Service) moveReasons(ctx context.Context, job *moveItem) (bool, error) {
	polls := slices.Sorted(slices.Values(uniq(job.Polls)))
	at, within := 0, ""
	if job.Cursor != "" {
		n, rest, _ := strings.Cut(job.Cursor, "|")
		i, err := strconv.Atoi(n)
		if err != nil || i < 0 {
			return false, domain.Errorf(domain.Invalid, "bad move cursor")
		}
		at, within = i, rest
	}
	if s.polls == nil || at >= len(polls) {
		return s.finishMove(ctx, job)
	}
	tx := s.st.Tx()
	next, err := s.polls.RefilePollSearch(ctx, tx, polls[at], job.To, within)
	if err != nil {
		return false, err
	}
	if next == "" {
		at++ // this poll is done: the next one, from its start
	}
	return false, s.commitStep(ctx, job, movePhaseReasons, strconv.Itoa(at)+"|"+next, nil, tx)
}

// commitStep runs tx with the job's advance to phase/cursor.
func (s *Service) commitStep(ctx context.Context, job *moveItem, phase, cursor string, extra func(*dynamo.Update), tx *store.Tx) error {
	u := s.advance(job, phase, cursor)
	if extra != nil {
		extra(u)
	}
	tx.Update(u, errMoveStep)
	if err := tx.Run(ctx, ""); err != nil {
		return err
	}
	job.Phase, job.Cursor, job.Step = phase, cursor, job.Step+1
	return nil
}

func (s *Service) finishMove(ctx context.Context, job *moveItem) (bool, error) {
	err := s.st.Tx().Delete(s.st.DeleteOp(job.PK, job.SK).If("$ = ?", "Step", job.Step), errMoveStep).Run(ctx, "")
	if err != nil {
		return false, err
	}
	s.log.InfoContext(ctx, "thread move finished", "thread_id", job.ThreadID)
	return true, nil
}

// moveSwitch is the one transaction that moves the thread and its polls:
// the thread's group and list key, a timeline note, an entry in each
// group's record, every poll collected, and the job's next phase. A poll
// that moved or was started meanwhile sends the job back to collecting.
func (s *Service) moveSwitch(ctx context.Context, job *moveItem) error {
	t, err := s.getThread(ctx, job.ThreadID)
	if err != nil {
		return err
	}
	if t.GroupID == job.To {
		// Switched by a run whose answer was lost: only the job is behind.
		return s.commitStep(ctx, job, movePhaseGuests, "", nil, s.st.Tx())
	}
	if t.GroupID != job.From {
		return ErrChanged
	}
	a := authz.ActorFrom(ctx)
	now := s.now().UTC()
	note := &timelineItem{Kind: KindMoved, ActorID: a.UserID, ActorName: s.actorName(ctx, a.UserID),
		Data: map[string]string{"from": job.From, "to": job.To}}
	var stepErr error
	err = s.appendItem(ctx, t, appendSpec{item: note,
		thread: func(u *dynamo.Update) {
			u.Set("GroupID", job.To).Set(tabledef.GSI1PK, threadsPK(job.To)).Set("UpdatedAt", now).
				Add(tabledef.Version, 1).If("$ = ?", "GroupID", job.From)
		},
		fail: func(fresh *threadItem) error { return ErrChanged },
		ops: func(tx *store.Tx) {
			if s.polls != nil {
				s.polls.MovePolls(tx, job.ThreadID, job.Polls, job.From, job.To)
			}
			stepErr = s.record(ctx, tx, job.From, audit.ThreadMovedOut, "thread", job.ThreadID, map[string]string{"to": job.To})
			if stepErr == nil {
				stepErr = s.record(ctx, tx, job.To, audit.ThreadMovedIn, "thread", job.ThreadID, map[string]string{"from": job.From})
			}
			tx.Update(s.advance(job, movePhaseGuests, ""), errMoveStep)
		},
	}, now)
	if stepErr != nil {
		return stepErr
	}
	if domain.ErrorCode(err) == domain.Conflict && err != errMoveStep && err != ErrChanged {
		// A poll changed group or thread meanwhile: collect again.
		return s.commitStep(ctx, job, movePhaseCollect, "", func(u *dynamo.Update) { u.Remove("Polls") }, s.st.Tx())
	}
	if err != nil {
		return err
	}
	job.Phase, job.Cursor, job.Step = movePhaseGuests, "", job.Step+1
	s.log.InfoContext(ctx, "thread moved", "thread_id", job.ThreadID)
	return nil
}

// moveGuests re-files up to 25 guest grants of the thread under the new
// group (the group policy reads a person's grants per group). Until then
// those guests cannot see the thread: a half-done move only withholds.
func (s *Service) moveGuests(ctx context.Context, job *moveItem) error {
	page, err := s.policy.ThreadGuestPage(ctx, job.ThreadID, job.Cursor, moveGuestBatch)
	if err != nil {
		return err
	}
	tx := s.st.Tx()
	for _, g := range page.Items {
		if g.GroupID != job.From {
			continue
		}
		group.RefileThreadGuest(s.st, tx, job.ThreadID, g.UserID, job.From, job.To)
	}
	phase := movePhaseGuests
	if page.Next == "" {
		phase = movePhaseSearch
	}
	return s.commitStep(ctx, job, phase, page.Next, nil, tx)
}

// moveSearch bumps the Version of up to 50 comments so that the search
// indexer files them under the new group (a document is rebuilt when its
// item's Version grows), and writes that group on them: the indexer
// handles stream records in parallel, so a comment's record may be read
// before its thread's, whose search document still names the old group
// (the comment would be filed there, and found in neither). Until then the
// old group's search drops them (their thread's document names the new
// group) and the new group's does not find them yet: withheld, never shown
// in the wrong group.
func (s *Service) moveSearch(ctx context.Context, job *moveItem) error {
	q := s.st.Table().Get(tabledef.PK, tabledef.ThreadPK(job.ThreadID)).Range(tabledef.SK, dynamo.BeginsWith, itemPrefix).
		Project(tabledef.PK, tabledef.SK, "Kind", "Removed")
	page, err := store.QueryPage[timelineItem](ctx, s.st, q, "move-search:"+job.ThreadID, job.Cursor, moveSearchBatch)
	if err != nil {
		return err
	}
	tx := s.st.Tx()
	for _, it := range page.Items {
		if it.Kind != KindComment || it.Removed {
			continue
		}
		tx.Update(s.st.Update(it.PK, it.SK).Add(tabledef.Version, 1).Set("GroupID", job.To).
			If("attribute_exists($)", tabledef.PK), nil)
	}
	phase := movePhaseSearch
	if page.Next == "" {
		phase = movePhaseLate
	}
	return s.commitStep(ctx, job, phase, page.Next, nil, tx)
}

func uniq(xs []string) []string {
	seen := map[string]bool{}
	out := xs[:0:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
