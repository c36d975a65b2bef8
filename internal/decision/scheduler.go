package decision

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// NoticeKind names a notification the decision core emits.
type NoticeKind string

// Notice kinds.
const (
	NoticeClosingSoon    NoticeKind = "poll.closing_soon"   // 24 h before closing (audience from settings)
	NoticeManualReminder NoticeKind = "poll.reminder"       // a poll admin reminded the undecided voters
	NoticePollClosed     NoticeKind = "poll.closed"         // to the author: write an outcome
	NoticeOutcomeReview  NoticeKind = "poll.outcome_review" // the outcome's review date has come
	// NoticePollOpened goes to the voters (not the one who opened it) when a
	// poll is created open or a draft is published.
	NoticePollOpened NoticeKind = "poll.opened"
	// NoticeOutcomePublished goes to the voters (not its writer) when a
	// poll's outcome is first published; later edits of it are not notified.
	NoticeOutcomePublished NoticeKind = "poll.outcome_published"
	// NoticeAnnounced: someone (ActorID) chose to notify people who are not
	// its voters of a poll, or pointed people to it later (Announce).
	NoticeAnnounced NoticeKind = "poll.announced"
	// NoticeMentioned: the poll's details mention them (ActorID wrote
	// them); resolved off the request path (NoticePhase.Keys).
	NoticeMentioned NoticeKind = "poll.mentioned"
)

// NoticeReach is how a notice's recipients were chosen; with each
// recipient's notification level it decides who hears of it.
type NoticeReach string

// Reaches of a notice.
const (
	// ReachAddressed (the zero value): chosen as persons: the voters of a
	// poll with chosen voters or invited guests, its author, the people an
	// announcement names, the undecided voters a reminder is for.
	ReachAddressed NoticeReach = ""
	// ReachGroup: announced to the whole group.
	ReachGroup NoticeReach = "group"
	// ReachFollowers: nobody chose them (a poll opened without notifying
	// the group); only those who follow everything in the group hear of it.
	ReachFollowers NoticeReach = "followers"
)

// Notice is one notification to a set of people. It carries no result
// figure, so hidden results cannot leak through it.
type Notice struct {
	Kind  NoticeKind  `json:"kind"`
	Reach NoticeReach `json:"reach,omitempty"`
	// ActorID is who caused it, when a person did (announcements).
	ActorID    string     `json:"actor_id,omitempty"`
	PollID     string     `json:"poll_id"`
	GroupID    string     `json:"group_id"`
	ThreadID   string     `json:"thread_id,omitempty"`
	Title      string     `json:"title"`
	Recipients []string   `json:"recipients"`
	ClosingAt  *time.Time `json:"closing_at,omitempty"`
	ReviewOn   *time.Time `json:"review_on,omitempty"`
	// Excerpt is what the notice says of what was written: the opening of
	// a published outcome's statement as clean text (render.Excerpt,
	// bounded as a comment's, OutcomeExcerpt runes). Never a figure.
	Excerpt string `json:"excerpt,omitempty"`
}

// OutcomeExcerpt bounds the excerpt of an outcome's statement that its
// notification carries (runes), as a comment's.
const OutcomeExcerpt = 140

// Notifier delivers notices (email and in-app notifications come with a
// later issue). The scheduler records "sent" on the poll or outcome before
// calling it, so a notice is emitted at most once even if Tick runs twice.
type Notifier interface {
	Notify(ctx context.Context, n Notice) error
}

// NoticePhase is one audience of a NoticeFanout, told in order: UserIDs,
// or every member of the poll's group (Members; those in Named are reached
// as addressed).
type NoticePhase struct {
	Kind    NoticeKind
	Reach   NoticeReach
	UserIDs []string
	Members bool
	Named   []string
	// Undecided: only those who have not voted when their batch is told
	// (Service.Undecided decides, off the request path).
	Undecided bool
	// Keys: the people these @mention keys name, among the members and
	// Extra (the thread's guests); Version is the poll's DefVersion they
	// were read from (mentions.go). Excerpt overrides the notice's.
	Keys    []string
	Extra   []string
	Version int64
	Excerpt string
	// Part: PartOutcome when Keys are the outcome statement's (Version is
	// then the outcome's), "" for the poll's details.
	Part string
}

// NoticeFanout is a notice to audiences that may be as large as the
// group: it is written as one job in the transaction of what it tells of
// and expanded off the request path (notify.Fanouts). Notice is the
// template (its Kind and Recipients are ignored); nobody in Skip hears.
type NoticeFanout struct {
	Notice
	Phases []NoticePhase
	Skip   []string
}

// Fanouter adds the job of a NoticeFanout to a transaction (one operation).
type Fanouter interface {
	AddFanout(ctx context.Context, tx *store.Tx, f NoticeFanout) error
}

// NopFanouter tells nobody.
type NopFanouter struct{}

// AddFanout implements Fanouter.
func (NopFanouter) AddFanout(context.Context, *store.Tx, NoticeFanout) error { return nil }

// NopNotifier discards notices.
type NopNotifier struct{}

// Notify implements Notifier.
func (NopNotifier) Notify(context.Context, Notice) error { return nil }

func (s *Service) notice(kind NoticeKind, p *pollItem, d poll.Definition, to []string) Notice {
	return Notice{Kind: kind, PollID: p.ID, GroupID: p.GroupID, ThreadID: p.ThreadID, Title: d.Title,
		Recipients: slices.Clone(to), ClosingAt: d.Settings.ClosingAt}
}

// outcomeVoters are the voters of poll p (the specified voters, or the
// group's members and the guests who may vote) but actor, whom its
// outcome's publication tells (none, logged, when they cannot be read).
func (s *Service) outcomeVoters(ctx context.Context, p *pollItem, d poll.Definition, actor string) []string {
	voters, err := s.voterSet(ctx, p, d)
	if err != nil {
		s.log.ErrorContext(ctx, "poll notice failed", "poll_id", p.ID, "kind", string(NoticeOutcomePublished), "err", err)
		return nil
	}
	return slices.DeleteFunc(voters, func(uid string) bool { return uid == "" || uid == actor })
}

// noticeTo sends a notice of kind about poll p to the people in to (none:
// nothing). The change it tells of is already written, so a failure is
// logged, not returned. excerpt is the notice's Excerpt.
func (s *Service) noticeTo(ctx context.Context, kind NoticeKind, p *pollItem, d poll.Definition, to []string, excerpt string) {
	if len(to) == 0 {
		return
	}
	n := s.notice(kind, p, d, to)
	n.Excerpt = excerpt
	if err := s.notifier.Notify(ctx, n); err != nil {
		s.log.ErrorContext(ctx, "poll notice failed", "poll_id", p.ID, "kind", string(kind), "err", err)
	}
}

// TickReport counts what one Tick did.
type TickReport struct {
	Closed      int `json:"closed"`
	Finalized   int `json:"finalized"`
	ClosingSoon int `json:"closing_soon"`
	Reviews     int `json:"reviews"`
	// Withdrawals counts pending ballot withdrawals of people who left a
	// group that this run completed (see MemberLeft).
	Withdrawals int `json:"withdrawals"`
	Failed      int `json:"failed"`
}

// Tick is the scheduler's work, run every few minutes (functions/scheduler;
// a ticker in make dev). It runs with system authority:
//
//   - closes open polls whose closing_at has passed (GSI2 OPEN over the due
//     range; a conditional update open -> closed) and freezes them: results
//     (tally copy, eligible count, Schulze and STV for ranked choice) and
//     participation receipts (GSI2 FINALIZE until done, so an interrupted
//     run is finished by the next one);
//   - sends the closing-soon reminder of polls closing within 24 h, once
//     per closing time (ReminderFor on the poll, set conditionally first);
//   - sends outcome review reminders whose date has come (the outcome
//     leaves GSI2 REVIEW conditionally first);
//   - retries the ballot withdrawals of people who left a group that
//     failed at the time (GSI2 WITHDRAW, see MemberLeft).
//
// Every step is conditional, so running Tick twice (or two at once) does
// nothing twice. Errors of one poll are logged and counted; the others go on.
func (s *Service) Tick(ctx context.Context, now time.Time) (TickReport, error) {
	now = now.UTC()
	var rep TickReport
	// Withdrawals first, so a poll closing in this run does not count the
	// ballot of someone who left.
	done, failed, err := s.retryWithdrawals(ctx)
	if err != nil {
		return rep, err
	}
	rep.Withdrawals, rep.Failed = done, failed
	// One read of the open polls closing within the reminder's lead serves
	// both the closing (those due by now) and the closing-soon reminders
	// (those from now on): a tick with nothing due makes one query of
	// OPEN, not two (the scheduler's cold start, docs/architecture.md,
	// "Thirteenth pass"). The ranges are the two queries' own: a poll due
	// at now's millisecond is in both, as it was, and closingSoon skips it.
	open, err := s.queue(ctx, queueOpen, dynamo.Less, timeKey(now.Add(poll.ClosingSoonLead))+"$")
	if err != nil {
		return rep, err
	}
	var due, soon []pollItem
	for _, p := range open {
		if p.GSI2SK < timeKey(now)+"$" {
			due = append(due, p)
		}
		if p.GSI2SK >= timeKey(now) {
			soon = append(soon, p)
		}
	}
	for _, p := range due {
		closed, err := s.closeDue(ctx, p, now)
		switch {
		case err != nil:
			rep.Failed++
			s.log.ErrorContext(ctx, "closing poll failed", "poll_id", p.ID, "err", err)
		case closed:
			rep.Closed++
		}
	}
	pending, err := s.queue(ctx, queueFinalize, dynamo.Less, "~")
	if err != nil {
		return rep, err
	}
	for _, p := range pending {
		done, err := s.finalizeItem(ctx, p.ID)
		switch {
		case err != nil:
			rep.Failed++
			s.log.ErrorContext(ctx, "freezing poll failed", "poll_id", p.ID, "err", err)
		case done:
			rep.Finalized++
		}
	}
	for _, p := range soon {
		sent, err := s.closingSoon(ctx, p, now)
		switch {
		case err != nil:
			rep.Failed++
			s.log.ErrorContext(ctx, "closing-soon reminder failed", "poll_id", p.ID, "err", err)
		case sent:
			rep.ClosingSoon++
		}
	}
	var outcomes []outcomeItem
	err = s.st.Table().Get(tabledef.GSI2PK, queueReview).Index(tabledef.GSI2).
		Range(tabledef.GSI2SK, dynamo.Less, timeKey(now)+"$").All(ctx, &outcomes)
	if err != nil {
		return rep, store.Classify(err)
	}
	for _, o := range outcomes {
		sent, err := s.reviewDue(ctx, &o, now)
		switch {
		case err != nil:
			rep.Failed++
			s.log.ErrorContext(ctx, "review reminder failed", "poll_id", o.PollID, "err", err)
		case sent:
			rep.Reviews++
		}
	}
	return rep, nil
}

func (s *Service) queue(ctx context.Context, name string, op dynamo.Operator, values ...any) ([]pollItem, error) {
	var items []pollItem
	err := s.st.Table().Get(tabledef.GSI2PK, name).Index(tabledef.GSI2).Range(tabledef.GSI2SK, op, values...).All(ctx, &items)
	if err != nil {
		return nil, store.Classify(err)
	}
	return items, nil
}

// closePoll records the close: status closed, ClosedAt, and the poll moves
// from GSI2 OPEN to FINALIZE. Conditioned on the poll being open (and, for
// the scheduler, on closing_at having passed), so it happens once. Votes
// check the same item, so none is counted after this write.
func (s *Service) closePoll(ctx context.Context, p *pollItem, now time.Time, scheduled bool) (bool, error) {
	closedAt := now
	if scheduled {
		closedAt = time.UnixMilli(p.ClosingAtMs).UTC()
		if d, err := p.def(); err == nil && d.Settings.ClosingAt != nil {
			closedAt = d.Settings.ClosingAt.UTC()
		}
	}
	u := s.st.Update(tabledef.PollPK(p.ID), skPoll).
		Set("Status", string(poll.StatusClosed)).Set("ClosedAt", closedAt).Set("UpdatedAt", now).
		Set(tabledef.GSI2PK, queueFinalize).Set(tabledef.GSI2SK, timeKey(closedAt)+"#"+p.ID).
		Add(tabledef.Version, 1)
	if scheduled {
		u.If("$ = ? AND $ = ? AND $ <= ?", "Status", string(poll.StatusOpen), "ClosingAtMs", p.ClosingAtMs, "ClosingAtMs", now.UnixMilli())
	} else {
		u.If("$ = ?", "Status", string(poll.StatusOpen))
	}
	var err error
	if p.TallyShards == 0 {
		err = u.Run(ctx)
		if dynamo.IsCondCheckFailed(err) {
			err = errPollCheck
		}
	} else {
		// The shards' copies close with the poll (the votes check them).
		tx := s.st.Tx().Update(u, errPollCheck)
		closed := *p
		closed.Status = string(poll.StatusClosed)
		s.syncShards(tx, &closed, nil, nil)
		err = tx.Run(ctx, "")
	}
	if errors.Is(err, errPollCheck) {
		if scheduled {
			return false, nil
		}
		return false, domain.Errorf(domain.Conflict, "only an open poll can be closed")
	}
	if err != nil {
		return false, store.Classify(err)
	}
	return true, nil
}

func (s *Service) closeDue(ctx context.Context, p pollItem, now time.Time) (bool, error) {
	closed, err := s.closePoll(ctx, &p, now, true)
	if closed && err == nil && p.ThreadID != "" {
		if d, derr := p.def(); derr == nil {
			at := now
			p.Status, p.ClosedAt = string(poll.StatusClosed), &at
			s.appendEvent(ctx, EventClosed, "", &p, d)
		}
	}
	return closed, err
}

// finalize freezes a closed poll's results and writes receipts (see
// finalizeItem); used by Close right away and by Tick for the rest.
func (s *Service) finalize(ctx context.Context, pid string) error {
	_, err := s.finalizeItem(ctx, pid)
	return err
}

// finalizeItem freezes the results of a closed poll and records
// participation receipts, then marks it finalized and takes it off GSI2.
// The results write is conditioned on the poll still being the closed
// version read (a reopen in between wins); receipts are idempotent puts;
// the last step is conditional, so only one run reports done and notifies
// the author.
func (s *Service) finalizeItem(ctx context.Context, pid string) (bool, error) {
	var p pollItem
	if err := s.st.Get(ctx, tabledef.PollPK(pid), skPoll, &p); err != nil {
		return false, err
	}
	if p.Status != string(poll.StatusClosed) || p.Finalized || p.ClosedAt == nil {
		return false, nil
	}
	d, err := p.def()
	if err != nil {
		return false, err
	}
	items, err := s.getMany(ctx, append(tallyKeysOf(pid), key{tabledef.PollPK(pid), skResults}, groupKey(p.GroupID))...)
	if err != nil {
		return false, err
	}
	if _, frozen := items[key{tabledef.PollPK(pid), skResults}]; !frozen {
		fr := &resultsItem{Item: store.Item{PK: tabledef.PollPK(pid), SK: skResults, Type: "poll_results"}, PollID: pid, FrozenAt: s.now().UTC()}
		tl, err := readTally(&p, d, items)
		if err != nil {
			return false, err
		}
		var ballots []poll.Ballot
		if d.Type == poll.TypeRankedChoice || !liveDistribution(&p, d) {
			if ballots, err = s.allBallots(ctx, pid, d.Settings.Anonymous); err != nil {
				return false, err
			}
		}
		fr.Tally = frozenTally(&p, d, tl, ballots)
		var g group.Row
		if raw, ok := items[groupKey(p.GroupID)]; ok {
			if g, err = group.DecodeRow(raw); err != nil {
				return false, err
			}
		}
		if fr.Eligible, err = s.eligible(ctx, &p, d, g.MemberCount); err != nil {
			return false, err
		}
		if d.Type == poll.TypeRankedChoice {
			rc, _ := json.Marshal(poll.ComputeRankedChoice(d, ballots))
			fr.Ranked = string(rc)
		}
		err = s.st.Tx().Create(fr, nil).
			Check(tabledef.PollPK(pid), skPoll, "$ = ? AND $ = ?", errPollCheck, "Status", string(poll.StatusClosed), tabledef.Version, p.Version).
			Run(ctx, "")
		if errors.Is(err, errPollCheck) {
			return false, nil // reopened or already finalized meanwhile
		}
		if err != nil && domain.ErrorCode(err) != domain.Conflict {
			return false, err
		}
	}
	if err := s.writeReceipts(ctx, &p, d); err != nil {
		return false, err
	}
	err = s.st.Update(tabledef.PollPK(pid), skPoll).Set("Finalized", true).Remove(tabledef.GSI2PK, tabledef.GSI2SK).Add(tabledef.Version, 1).
		If("$ = ? AND $ = ?", "Status", string(poll.StatusClosed), tabledef.Version, p.Version).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, store.Classify(err)
	}
	if p.AuthorID != "" {
		if err := s.notifier.Notify(ctx, s.notice(NoticePollClosed, &p, d, []string{p.AuthorID})); err != nil {
			s.log.ErrorContext(ctx, "poll closed notice failed", "poll_id", pid, "err", err)
		}
	}
	return true, nil
}

// writeReceipts records, for everyone eligible at close and everyone who
// voted, whether they voted (never how): batch puts of RECEIPT#<uid>.
func (s *Service) writeReceipts(ctx context.Context, p *pollItem, d poll.Definition) error {
	voters, err := s.voterSet(ctx, p, d)
	if err != nil {
		return err
	}
	voted, err := s.participants(ctx, p.ID, d.Settings.Anonymous)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var receipts []any
	add := func(uid string) {
		if seen[uid] || uid == "" {
			return
		}
		seen[uid] = true
		receipts = append(receipts, &receiptItem{Item: store.Item{PK: tabledef.PollPK(p.ID), SK: receiptSK(uid), Type: "participation_receipt", Version: 1},
			PollID: p.ID, UserID: uid, Eligible: true, Voted: voted[uid], ClosedAt: *p.ClosedAt})
	}
	for _, v := range voters {
		add(v)
	}
	for v := range voted {
		add(v)
	}
	for chunk := range slices.Chunk(receipts, 25) {
		if _, err := s.st.Table().Batch(tabledef.PK, tabledef.SK).Write().Put(chunk...).Run(ctx); err != nil {
			return store.Classify(err)
		}
	}
	return nil
}

// allBallots reads every current ballot of a poll (ranked choice at close,
// recount). It pages through the partition's BALLOT# or SEALED# range.
func (s *Service) allBallots(ctx context.Context, pid string, anonymous bool) ([]poll.Ballot, error) {
	var out []poll.Ballot
	if anonymous {
		var items []sealedItem
		err := s.st.Table().Get(tabledef.PK, tabledef.PollPK(pid)).Range(tabledef.SK, dynamo.BeginsWith, prefixSealed).Consistent(true).All(ctx, &items)
		if err != nil {
			return nil, store.Classify(err)
		}
		for i := range items {
			out = append(out, items[i].ballot())
		}
		return out, nil
	}
	var items []ballotItem
	err := s.st.Table().Get(tabledef.PK, tabledef.PollPK(pid)).Range(tabledef.SK, dynamo.BeginsWith, prefixBallot).Consistent(true).All(ctx, &items)
	if err != nil {
		return nil, store.Classify(err)
	}
	for i := range items {
		out = append(out, items[i].ballot())
	}
	return out, nil
}

// closingSoon sends the closing-soon reminder of p once per closing time.
func (s *Service) closingSoon(ctx context.Context, p pollItem, now time.Time) (bool, error) {
	if p.ReminderFor == p.ClosingAtMs || p.ClosingAtMs <= now.UnixMilli() {
		return false, nil
	}
	d, err := p.def()
	if err != nil {
		return false, err
	}
	at, ok := poll.ClosingSoonAt(d.Settings)
	if !ok || now.Before(at) {
		return false, nil
	}
	err = s.st.Update(tabledef.PollPK(p.ID), skPoll).Set("ReminderFor", p.ClosingAtMs).
		If("$ = ? AND $ = ? AND (attribute_not_exists($) OR $ <> ?)", "Status", string(poll.StatusOpen),
			"ClosingAtMs", p.ClosingAtMs, "ReminderFor", "ReminderFor", p.ClosingAtMs).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, store.Classify(err)
	}
	var to []string
	switch d.Settings.ReminderAudience {
	case poll.RemindAuthor:
		to = []string{p.AuthorID}
	case poll.RemindEveryone:
		to, err = s.voterSet(ctx, &p, d)
	default:
		to, err = s.undecided(ctx, &p, d)
	}
	if err != nil {
		return true, err
	}
	if len(to) == 0 {
		return true, nil
	}
	return true, s.notifier.Notify(ctx, s.notice(NoticeClosingSoon, &p, d, to))
}

// reviewDue sends an outcome's review reminder once: the outcome leaves the
// REVIEW queue conditionally before the notice goes out.
func (s *Service) reviewDue(ctx context.Context, o *outcomeItem, now time.Time) (bool, error) {
	err := s.st.Update(tabledef.PollPK(o.PollID), skOutcome).Set("ReviewSentAt", now).Remove(tabledef.GSI2PK, tabledef.GSI2SK).
		If("$ = ?", tabledef.GSI2SK, o.GSI2SK).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, store.Classify(err)
	}
	var p pollItem
	if err := s.st.Get(ctx, tabledef.PollPK(o.PollID), skPoll, &p); err != nil {
		return true, err
	}
	d, err := p.def()
	if err != nil {
		return true, err
	}
	to := []string{p.AuthorID}
	if o.AuthorID != p.AuthorID {
		to = append(to, o.AuthorID)
	}
	n := s.notice(NoticeOutcomeReview, &p, d, to)
	n.ReviewOn = o.ReviewOn
	return true, s.notifier.Notify(ctx, n)
}

// ---- system operations ----

// RecountReport compares a poll's stored tally with a recount of its
// ballots.
type RecountReport struct {
	PollID    string     `json:"poll_id"`
	Ballots   int        `json:"ballots"`
	Stored    poll.Tally `json:"stored"`
	Recounted poll.Tally `json:"recounted"`
	// Differences lists "attribute: stored != recounted"; empty when equal.
	Differences []string `json:"differences"`
}

// Recount recounts a poll from its ballots with poll.Recount and compares
// with the stored tally (system operation for tests and an ops command;
// not for HTTP: it ignores hide_results). Concurrent votes during the
// recount can show transient differences; run it on a quiet or closed poll.
func (s *Service) Recount(ctx context.Context, pid string) (RecountReport, error) {
	var p pollItem
	if err := s.st.Get(ctx, tabledef.PollPK(pid), skPoll, &p); err != nil {
		return RecountReport{}, err
	}
	d, err := p.def()
	if err != nil {
		return RecountReport{}, err
	}
	items, err := s.getMany(ctx, tallyKeysOf(pid)...)
	if err != nil {
		return RecountReport{}, err
	}
	stored, err := readTally(&p, d, items)
	if err != nil {
		return RecountReport{}, err
	}
	ballots, err := s.allBallots(ctx, pid, d.Settings.Anonymous)
	if err != nil {
		return RecountReport{}, err
	}
	re := comparable(&p, d, poll.Recount(d.Type, ballots))
	return RecountReport{PollID: pid, Ballots: len(ballots), Stored: stored, Recounted: re,
		Differences: append([]string{}, stored.Diff(re)...)}, nil
}

// WithdrawMember withdraws the ballots of a person who left group gid from
// its open polls (system operation; the group service calls it after a
// leave or removal: decisions.md "when a member leaves the group, their
// ballot in open polls is withdrawn; closed results never change"), except
// where they stay in the voter set as a guest of the poll's thread. Each
// withdrawal is one transaction conditioned on the poll being open, like a
// voter's own. Anonymous polls cannot be: nothing links the person to
// their sealed ballot, which stays counted; their participation record stays
// too (so rejoining cannot vote twice). Specified voters who are no longer
// in the voter set lose their VOTER# item. It returns the number of
// ballots withdrawn. Cost: one query over the group's polls, then per open
// poll one read and one transaction.
func (s *Service) WithdrawMember(ctx context.Context, gid, uid string) (int, error) {
	return s.withdrawMember(ctx, gid, "", uid, time.Time{})
}

// withdrawMember is WithdrawMember for someone who left group gid (tid "")
// or lost their guest grant to its thread tid (only that thread's polls);
// a non-zero before limits it to ballots last written (and specified-voter
// entries added) at or before that time, so a retry after the person came
// back leaves their new ballot alone.
func (s *Service) withdrawMember(ctx context.Context, gid, tid, uid string, before time.Time) (int, error) {
	if !ids.Valid(gid) || !ids.Valid(uid) || (tid != "" && !ids.Valid(tid)) {
		return 0, domain.Errorf(domain.Invalid, "invalid id")
	}
	if s.fault != nil {
		if err := s.fault(gid, uid); err != nil {
			return 0, err
		}
	}
	var polls []pollItem
	err := s.st.Table().Get(tabledef.GSI1PK, pollsOfGroup(gid)).Index(tabledef.GSI1).
		Filter("$ = ?", "Status", string(poll.StatusOpen)).All(ctx, &polls)
	if err != nil {
		return 0, store.Classify(err)
	}
	n := 0
	for i := range polls {
		if tid != "" && polls[i].ThreadID != tid {
			continue
		}
		done, err := s.withdrawFor(ctx, &polls[i], uid, tid, before, false)
		if err != nil {
			return n, err
		}
		if done {
			n++
		}
	}
	return n, nil
}

// withdrawFor withdraws uid's ballot from poll q (and their VOTER# entry)
// if, having left the group (tid "") or the guests of thread tid, they are
// no longer in its voter set (poll.InVoterSet): the tie they cut counts as
// gone, the other one is read. moved: the poll's thread moved to the
// group q names; every tie is read (membership of that group, the guest
// grant), and the withdrawal is conditioned on their still not being a
// member, so someone who joins meanwhile keeps their ballot.
func (s *Service) withdrawFor(ctx context.Context, q *pollItem, uid, tid string, before time.Time, moved bool) (bool, error) {
	pid := q.ID
	keys := []key{{tabledef.PollPK(pid), skPoll}, {tabledef.PollPK(pid), ballotSK(uid)}, {tabledef.PollPK(pid), voterSK(uid)}, memberKey(q.GroupID, uid)}
	if q.ThreadID != "" {
		keys = append(keys, guestKey(q.ThreadID, uid))
	}
	for attempt := 0; attempt < s.attempts; attempt++ {
		items, err := s.getMany(ctx, keys...)
		if err != nil {
			return false, err
		}
		raw, ok := items[key{tabledef.PollPK(pid), skPoll}]
		if !ok {
			return false, nil
		}
		var p pollItem
		if err := unmarshal(raw, &p); err != nil {
			return false, err
		}
		d, err := p.def()
		if err != nil {
			return false, err
		}
		now := s.now().UTC()
		if poll.StatusOf(d.Settings, p.state(0), now) != poll.StatusOpen {
			return false, nil
		}
		rawV, chosen := items[key{tabledef.PollPK(pid), voterSK(uid)}]
		rel := poll.Relation{Chosen: chosen}
		if tid == "" {
			_, rel.ThreadGuest = items[guestKey(q.ThreadID, uid)]
			rel.ThreadGuest = rel.ThreadGuest && q.ThreadID != ""
		}
		if tid != "" || moved {
			_, rel.Member = items[memberKey(q.GroupID, uid)]
		}
		if moved && p.GroupID != q.GroupID {
			return false, nil // moved on again: that move decides
		}
		if poll.InVoterSet(d.Settings, rel) {
			return false, nil // still a voter by the other tie
		}
		tx := s.st.Tx()
		// Only while the poll is open (closed results never change).
		openCond, openArgs := "$ = ? AND $ > ?", []any{"Status", string(poll.StatusOpen), "ClosingAtMs", now.UnixMilli()}
		if chosen && s.addedBefore(rawV, before) {
			tx.Delete(s.st.DeleteOp(tabledef.PollPK(pid), voterSK(uid)), nil).
				Update(s.st.Update(tabledef.PollPK(pid), skPoll).Add("VoterCount", -1).If(openCond, openArgs...), errPollCheck)
		} else {
			tx.Check(tabledef.PollPK(pid), skPoll, openCond, errPollCheck, openArgs...)
		}
		if moved {
			// Joining the group meanwhile keeps the ballot (a retry reads it).
			group.RequireNotMember(tx, q.GroupID, uid, errPollCheck)
		}
		withdrawn := false
		if d.Settings.Anonymous {
			// Nothing links uid to a sealed ballot; the participation record
			// stays so that rejoining cannot vote twice.
		} else if rawB, ok := items[key{tabledef.PollPK(pid), ballotSK(uid)}]; ok {
			var b ballotItem
			if err := unmarshal(rawB, &b); err != nil {
				return false, err
			}
			if before.IsZero() || !b.UpdatedAt.After(before) {
				prev := b.ballot()
				s.deleteBallot(tx, pid, uid, b.Version, b.CastID)
				if err := s.count(tx, &p, d, poll.Delta(d.Type, &prev, nil), nil); err != nil {
					return false, err
				}
				withdrawn = true
			}
		}
		if tx.Len() == 1 || (moved && tx.Len() == 2) {
			return false, nil // only the checks: nothing to do
		}
		s.raced("withdraw-member")
		err = tx.Run(ctx, "")
		if err != nil && retryable(err) {
			backoff(ctx, attempt)
			continue
		}
		return withdrawn && err == nil, err
	}
	return false, ErrBusy
}
