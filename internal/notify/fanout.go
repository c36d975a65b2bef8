package notify

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Fan-out jobs (docs/data-model.md, "Fan-out jobs"). Telling a whole group
// of something grows with the group, so a request never does it: it writes
// one small job item in the transaction of what it tells of (AddFanoutToTx,
// one operation), and the job is expanded off the request path by
// Fanouts.Run: fed by the table's stream (FanoutConsumer) and swept by the
// scheduler (Fanouts.Sweep) for jobs whose stream record was lost.
//
// Expansion is resumable and idempotent: the job item keeps a cursor
// (phase and position) advanced after each batch; each recipient's
// notification id is derived from the job and the recipient, and written
// only if absent (with its unread counter, in one transaction), so a
// retried or concurrent run never notifies anyone twice, and one person
// gets at most one notification per job (the first phase that reaches
// them). The job is deleted when every phase is done.

// FanoutQueue is the GSI2 partition of pending fan-out jobs (sparse: only
// job items carry it), read by the scheduler's sweep.
const FanoutQueue = "FANOUT"

const (
	fanoutPrefix = "FANOUT#"
	fanoutSK     = "FANOUT"
	// fanoutPage is how many people one batch reads and writes: one page
	// of members, one BatchGetItem of their levels (two keys each), one of
	// their existing notifications, and transactions of 50.
	fanoutPage = 100
	// FanoutRetention bounds a job nobody could finish (TTL).
	FanoutRetention = 7 * 24 * time.Hour
	// FanoutSweepAge is how old a job must be before the scheduler's sweep
	// expands it (the stream normally did it within seconds).
	FanoutSweepAge = 2 * time.Minute
	// MaxFanoutPeople bounds the people named in a job's phases.
	MaxFanoutPeople = 1000
)

// Phase is one audience of a fan-out job, told in order. Exactly one of
// UserIDs, Members and Scope says who.
type Phase struct {
	Kind  Kind  `dynamo:"Kind" json:"kind"`
	Reach Reach `dynamo:"Reach" json:"reach"`
	// Excerpt overrides the job's excerpt for this phase when set.
	Excerpt string `dynamo:"Excerpt,omitempty" json:"excerpt,omitempty"`
	// NoActor leaves the actor out of the notification (poll notices).
	NoActor bool `dynamo:"NoActor,omitempty" json:"no_actor,omitempty"`
	// UserIDs: these people (bounded, MaxFanoutPeople in all).
	UserIDs []string `dynamo:"UserIDs,omitempty" json:"user_ids,omitempty"`
	// Members: every member of the job's group, paged.
	Members bool `dynamo:"Members,omitempty" json:"members,omitempty"`
	// Named: members in this list are reached as Addressed (Members only).
	Named []string `dynamo:"Named,omitempty" json:"named,omitempty"`
	// Scope: the people who set scope (GroupScope, ThreadScope) to loud.
	Scope string `dynamo:"Scope,omitempty" json:"scope,omitempty"`
	// Undecided keeps, of each batch, only the people who have not voted
	// on the job's poll (Fanouts.Ballots): a reminder to vote, decided
	// batch by batch off the request path, so it reaches nobody who voted
	// before their batch, and nobody once the poll has closed.
	Undecided bool `dynamo:"Undecided,omitempty" json:"undecided,omitempty"`
	// Keys: the people these @mention keys name (Fanouts.Mentions, see
	// mentionfanout.go), among the group's members and Extra.
	Keys []string `dynamo:"Keys,omitempty" json:"keys,omitempty"`
	// Extra: people besides the members whom Keys may name (the thread's
	// guests; bounded, counted in MaxFanoutPeople).
	Extra []string `dynamo:"Extra,omitempty" json:"extra,omitempty"`
	// Version: the version of the comment whose Keys these are (its
	// mentions are recorded on it only if it still has that version).
	Version int64 `dynamo:"Version,omitempty" json:"version,omitempty"`
	// Part: which text of the job's item the Keys were read from, when it
	// has more than one ("outcome": a poll's outcome statement; "": the
	// item's own text), handed back in MentionRef.
	Part string `dynamo:"Part,omitempty" json:"part,omitempty"`
}

// Fanout is a job: tell the people of its phases of one event.
type Fanout struct {
	ID string
	// Notification is the template: every field but UserID and ID.
	Notification Notification
	Phases       []Phase
	// Skip are people never told by this job (the actor, people the
	// causing transaction told already).
	Skip []string
	// View: recipients must be able to view the job's thread (members by
	// their role, anyone else by the group's policy). Poll notices leave it
	// false: their recipients are the poll's voters.
	View bool
}

type fanoutItem struct {
	store.Item
	ID        string    `dynamo:"ID"`
	Kind      Kind      `dynamo:"Kind"`
	ActorID   string    `dynamo:"ActorID,omitempty"`
	ActorName string    `dynamo:"ActorName,omitempty"`
	GroupID   string    `dynamo:"GroupID"`
	ThreadID  string    `dynamo:"ThreadID,omitempty"`
	CommentID string    `dynamo:"CommentID,omitempty"`
	PollID    string    `dynamo:"PollID,omitempty"`
	Title     string    `dynamo:"Title,omitempty"`
	Excerpt   string    `dynamo:"Excerpt,omitempty"`
	CreatedAt time.Time `dynamo:"CreatedAt"`
	Phases    []Phase   `dynamo:"Phases"`
	Skip      []string  `dynamo:"Skip,omitempty"`
	View      bool      `dynamo:"View,omitempty"`
	// Cursor: the phase being told and the position in it ("" at its
	// start; an index into UserIDs, or the last user id of a page).
	Phase  int    `dynamo:"Phase"`
	Cursor string `dynamo:"Cursor,omitempty"`
	Told   int    `dynamo:"Told"`
	// What a Keys phase found so far (mentionfanout.go): per key, the
	// people whose whole name matches it, those whose first name does (two
	// at most: two is ambiguous), and which of them are not members.
	Found  map[string][]string `dynamo:"Found,omitempty"`
	First  map[string][]string `dynamo:"First,omitempty"`
	Guests []string            `dynamo:"Guests,omitempty"`
}

func fanoutPK(id string) string { return fanoutPrefix + id }

// ErrFanoutTooLarge: a job names more people than MaxFanoutPeople.
var ErrFanoutTooLarge = domain.Errorf(domain.Internal, "a fan-out job names more than %d people", MaxFanoutPeople)

// AddFanoutToTx adds job j (one put) to the transaction of the event it
// tells of, so the job exists exactly when the event does. A job with no
// phase adds nothing.
func (s *Service) AddFanoutToTx(tx *store.Tx, j Fanout) error {
	if len(j.Phases) == 0 {
		return nil
	}
	named := len(j.Skip)
	for _, p := range j.Phases {
		named += len(p.UserIDs) + len(p.Named) + len(p.Extra)
	}
	if named > MaxFanoutPeople {
		return ErrFanoutTooLarge
	}
	n := j.Notification
	if n.CreatedAt.IsZero() {
		n.CreatedAt = s.now().UTC()
	}
	if j.ID == "" {
		j.ID = ids.NewSortable(n.CreatedAt)
	}
	it := &fanoutItem{Item: store.Item{PK: fanoutPK(j.ID), SK: fanoutSK, Type: "fanout_job", Version: 1,
		GSI2PK: FanoutQueue, GSI2SK: DueKey(n.CreatedAt) + "#" + j.ID},
		ID: j.ID, Kind: n.Kind, ActorID: n.ActorID, ActorName: n.ActorName, GroupID: n.GroupID, ThreadID: n.ThreadID,
		CommentID: n.CommentID, PollID: n.PollID, Title: n.Title, Excerpt: n.Excerpt, CreatedAt: n.CreatedAt,
		Phases: j.Phases, Skip: j.Skip, View: j.View}
	it.ExpireAt(n.CreatedAt.Add(FanoutRetention))
	tx.Put(it)
	return nil
}

// StartFanout writes job j alone (for an event that writes nothing else,
// such as pointing a group to a thread again).
func (s *Service) StartFanout(ctx context.Context, j Fanout) error {
	tx := s.st.Tx()
	if err := s.AddFanoutToTx(tx, j); err != nil || tx.Len() == 0 {
		return err
	}
	return tx.Run(ctx, "")
}

// FanoutNotificationID is the id of the notification job jid gives uid:
// the job's time and 8 hex digits of a hash of both, so every run of the
// job derives the same one.
func FanoutNotificationID(jid string, created time.Time, uid string) string {
	h := sha256.Sum256([]byte(jid + "\x00" + uid))
	return ids.Sortable(created, h[:4])
}

// Member is a membership as a fan-out needs it.
type Member struct {
	UserID string
	Role   authz.Role
}

// Members pages through a group's members in user-id order (internal/group
// owns them): up to limit after the user id after ("" from the start);
// next is "" on the last page.
type Members interface {
	MemberPage(ctx context.Context, gid, after string, limit int) (page []Member, next string, err error)
}

// Viewer decides whether someone who is not (known as) a member of the
// group may view a thread: the group's policy with their identity.
type Viewer interface {
	MayView(ctx context.Context, uid, gid, tid string) (bool, error)
}

// Ballots tells who has not voted on a poll (internal/decision owns the
// ballots): those of uids without a ballot on poll pid, none when the poll
// is not open. One read of the poll and one BatchGetItem per 100 people.
type Ballots interface {
	Undecided(ctx context.Context, pid string, uids []string) ([]string, error)
}

// Fanouts expands fan-out jobs.
type Fanouts struct {
	N       *Service
	Members Members
	Viewer  Viewer
	// Ballots decides the Undecided phases (internal/decision); without it
	// such a phase tells nobody.
	Ballots Ballots
	// Names and Mentions resolve the Keys phases (mentionfanout.go);
	// without Names such a phase tells nobody.
	Names    Names
	Mentions Mentions
	Log      *slog.Logger
	// Page overrides fanoutPage (tests interrupt after a page).
	Page int
	// afterBatch, when set, is called after each batch is written and the
	// cursor saved; an error stops the run (tests: an interruption).
	afterBatch func() error
}

func (f *Fanouts) log() *slog.Logger {
	if f.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return f.Log
}

func (f *Fanouts) page() int {
	if f.Page > 0 {
		return f.Page
	}
	return fanoutPage
}

// FanoutReport is what a sweep did.
type FanoutReport struct {
	Jobs   int `json:"jobs"`
	Told   int `json:"told"`
	Failed int `json:"failed"`
}

// Run expands job jid from its cursor to the end, then deletes it. A job
// that is gone (done already) is nothing to do. It returns how many people
// this run told.
func (f *Fanouts) Run(ctx context.Context, jid string) (int, error) {
	var j fanoutItem
	err := f.N.st.Get(ctx, fanoutPK(jid), fanoutSK, &j)
	if domain.ErrorCode(err) == domain.NotFound {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	skip := map[string]bool{}
	for _, uid := range j.Skip {
		skip[uid] = true
	}
	told := 0
	for j.Phase < len(j.Phases) {
		p := j.Phases[j.Phase]
		if len(p.Keys) > 0 {
			n, gone, err := f.mentionStep(ctx, &j, p, skip)
			told += n
			if err != nil || gone {
				return told, err
			}
			continue
		}
		uids, roles, next, err := f.source(ctx, &j, p)
		if err != nil {
			return told, err
		}
		if p.Undecided && len(uids) > 0 {
			if f.Ballots == nil {
				uids = nil
			} else if uids, err = f.Ballots.Undecided(ctx, j.PollID, uids); err != nil {
				return told, err
			}
		}
		n, err := f.tell(ctx, &j, p, uids, roles, skip)
		told += n
		if err != nil {
			return told, err
		}
		if next == "" {
			j.Phase, j.Cursor = j.Phase+1, ""
		} else {
			j.Cursor = next
		}
		j.Told += n
		err = f.N.st.Update(j.PK, j.SK).Set("Phase", j.Phase).Set("Cursor", j.Cursor).Set("Told", j.Told).
			If("attribute_exists($)", tabledef.PK).Run(ctx)
		if dynamo.IsCondCheckFailed(err) {
			return told, nil // another run finished it
		}
		if err != nil {
			return told, store.Classify(err)
		}
		if f.afterBatch != nil {
			if err := f.afterBatch(); err != nil {
				return told, err
			}
		}
	}
	if err := f.N.st.Delete(ctx, j.PK, j.SK); err != nil && domain.ErrorCode(err) != domain.NotFound {
		return told, err
	}
	f.log().InfoContext(ctx, "fan-out done", "job", j.ID, "kind", string(j.Kind), "told", j.Told)
	return told, nil
}

// source reads the next page of phase p from the job's cursor: the user
// ids, the roles of those known as members, and the cursor after them (""
// when the phase is done).
func (f *Fanouts) source(ctx context.Context, j *fanoutItem, p Phase) ([]string, map[string]authz.Role, string, error) {
	size := f.page()
	switch {
	case p.Members:
		if f.Members == nil {
			return nil, nil, "", domain.Errorf(domain.Internal, "fan-out: no member source")
		}
		rows, next, err := f.Members.MemberPage(ctx, j.GroupID, j.Cursor, size)
		if err != nil {
			return nil, nil, "", err
		}
		uids := make([]string, 0, len(rows))
		roles := make(map[string]authz.Role, len(rows))
		for _, m := range rows {
			uids = append(uids, m.UserID)
			roles[m.UserID] = m.Role
		}
		return uids, roles, next, nil
	case p.Scope != "":
		q := f.N.st.Table().Get(tabledef.GSI1PK, "LEVELS#"+p.Scope).Index(tabledef.GSI1).
			Range(tabledef.GSI1SK, dynamo.BeginsWith, string(Loud)+"#").Limit(size)
		if j.Cursor != "" {
			str := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
			q = q.StartFrom(dynamo.PagingKey{
				tabledef.GSI1PK: str("LEVELS#" + p.Scope), tabledef.GSI1SK: str(string(Loud) + "#" + j.Cursor),
				tabledef.PK: str(tabledef.UserPK(j.Cursor)), tabledef.SK: str(levelSK(p.Scope))})
		}
		var items []levelItem
		last, err := q.AllWithLastEvaluatedKey(ctx, &items)
		if err != nil {
			return nil, nil, "", store.Classify(err)
		}
		uids := make([]string, 0, len(items))
		for _, it := range items {
			uids = append(uids, it.UserID)
		}
		next := ""
		if last != nil && len(uids) > 0 {
			next = uids[len(uids)-1]
		}
		return uids, nil, next, nil
	default:
		start := 0
		if j.Cursor != "" {
			start, _ = strconv.Atoi(j.Cursor)
		}
		start = min(max(start, 0), len(p.UserIDs))
		end := min(start+size, len(p.UserIDs))
		next := ""
		if end < len(p.UserIDs) {
			next = strconv.Itoa(end)
		}
		return p.UserIDs[start:end], nil, next, nil
	}
}

// tell notifies those of uids who hear of it: not skipped, at a level that
// hears the phase's reach, able to view the thread when the job asks, and
// not told by this job yet.
func (f *Fanouts) tell(ctx context.Context, j *fanoutItem, p Phase, uids []string, roles map[string]authz.Role, skip map[string]bool) (int, error) {
	seen := make(map[string]bool, len(uids))
	uids = slices.DeleteFunc(slices.Clone(uids), func(uid string) bool {
		drop := uid == "" || skip[uid] || seen[uid]
		seen[uid] = true
		return drop
	})
	if len(uids) == 0 {
		return 0, nil
	}
	levels, err := f.N.Levels(ctx, uids, j.GroupID, j.ThreadID)
	if err != nil {
		return 0, err
	}
	named := map[string]bool{}
	for _, uid := range p.Named {
		named[uid] = true
	}
	var hear []string
	for _, uid := range uids {
		reach := p.Reach
		if named[uid] {
			reach = Addressed
		}
		l := levels[uid]
		if !Effective(l[0], l[1]).Hears(reach) {
			continue
		}
		if j.View {
			ok, err := f.mayView(ctx, j, uid, roles)
			if err != nil {
				return 0, err
			}
			if !ok {
				continue
			}
		}
		hear = append(hear, uid)
	}
	if len(hear) == 0 {
		return 0, nil
	}
	// Those this job told already (an earlier run, or an earlier phase).
	keys := make([]dynamo.Keyed, 0, len(hear))
	for _, uid := range hear {
		keys = append(keys, dynamo.Keys{tabledef.UserPK(uid), notifPrefix + FanoutNotificationID(j.ID, j.CreatedAt, uid)})
	}
	var have []struct {
		UserID string `dynamo:"UserID"`
	}
	err = f.N.st.Table().Batch(tabledef.PK, tabledef.SK).Get(keys...).Project("UserID").All(ctx, &have)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return 0, store.Classify(err)
	}
	done := map[string]bool{}
	for _, h := range have {
		done[h.UserID] = true
	}
	var ns []Notification
	for _, uid := range hear {
		if done[uid] {
			continue
		}
		n := Notification{ID: FanoutNotificationID(j.ID, j.CreatedAt, uid), UserID: uid, Kind: p.Kind, GroupID: j.GroupID,
			ThreadID: j.ThreadID, CommentID: j.CommentID, PollID: j.PollID, Title: j.Title, Excerpt: j.Excerpt, CreatedAt: j.CreatedAt}
		if p.Excerpt != "" {
			n.Excerpt = p.Excerpt
		}
		if !p.NoActor {
			n.ActorID, n.ActorName = j.ActorID, j.ActorName
		}
		ns = append(ns, n)
	}
	return len(ns), f.N.deliverOnce(ctx, ns)
}

func (f *Fanouts) mayView(ctx context.Context, j *fanoutItem, uid string, roles map[string]authz.Role) (bool, error) {
	if role, ok := roles[uid]; ok && role != authz.RoleNone {
		return authz.Can(authz.Actor{Kind: authz.User, UserID: uid}, authz.ThreadView, authz.GroupFacts{GroupID: j.GroupID, Role: role}), nil
	}
	if f.Viewer == nil {
		return false, nil
	}
	return f.Viewer.MayView(ctx, uid, j.GroupID, j.ThreadID)
}

// errToldAlready: a notification of the batch exists (a concurrent run).
var errToldAlready = domain.Errorf(domain.Conflict, "notified already")

// deliverOnce writes notifications with fixed ids, each only if absent,
// with their unread counters: transactions of up to 50 people. A batch
// cancelled because another run wrote one of them is retried one by one.
func (s *Service) deliverOnce(ctx context.Context, ns []Notification) error {
	per := store.MaxTxItems / TxOps
	for start := 0; start < len(ns); start += per {
		batch := ns[start:min(start+per, len(ns))]
		tx := s.st.Tx()
		for _, n := range batch {
			s.addOnce(tx, n)
		}
		err := tx.Run(ctx, "")
		if err == errToldAlready {
			for _, n := range batch {
				tx := s.st.Tx()
				s.addOnce(tx, n)
				if err := tx.Run(ctx, ""); err != nil && err != errToldAlready {
					return err
				}
			}
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) addOnce(tx *store.Tx, n Notification) {
	tx.Create(s.item(&n), errToldAlready)
	tx.Update(s.st.Update(tabledef.UserPK(n.UserID), countSK).Add("Count", 1).
		SetIfNotExists(tabledef.Version, 1).SetIfNotExists("Type", "notification_count"), nil)
}

// Sweep expands the jobs created before now less FanoutSweepAge (their
// stream record was lost, or their run failed), at most max of them.
func (f *Fanouts) Sweep(ctx context.Context, now time.Time, max int) (FanoutReport, error) {
	var r FanoutReport
	var jobs []store.Item // the index keeps keys only
	err := f.N.st.Table().Get(tabledef.GSI2PK, FanoutQueue).Index(tabledef.GSI2).
		Range(tabledef.GSI2SK, dynamo.Less, DueKey(now.Add(-FanoutSweepAge))).Limit(max).All(ctx, &jobs)
	if err != nil {
		return r, store.Classify(err)
	}
	var errs []error
	for _, jb := range jobs {
		n, err := f.Run(ctx, strings.TrimPrefix(jb.PK, fanoutPrefix))
		r.Told += n
		if err != nil {
			r.Failed++
			errs = append(errs, err)
			continue
		}
		r.Jobs++
	}
	return r, errors.Join(errs...)
}

// FanoutJob returns the job a stream record names: the INSERT of a job item.
func FanoutJob(r events.DynamoDBEventRecord) (string, bool) {
	if r.EventName != string(events.DynamoDBOperationTypeInsert) {
		return "", false
	}
	q, ok := r.Change.NewImage[tabledef.GSI2PK]
	if !ok || q.DataType() != events.DataTypeString || q.String() != FanoutQueue {
		return "", false
	}
	pk, ok := r.Change.Keys[tabledef.PK]
	if !ok || pk.DataType() != events.DataTypeString {
		return "", false
	}
	id, ok := strings.CutPrefix(pk.String(), fanoutPrefix)
	return id, ok && id != ""
}

// FanoutConsumer expands the jobs the table's stream announces.
type FanoutConsumer struct{ Fanouts *Fanouts }

// Wants reports whether r is a new fan-out job.
func (c FanoutConsumer) Wants(r events.DynamoDBEventRecord) bool {
	_, ok := FanoutJob(r)
	return ok
}

// HandleRecords runs each job; a job that fails is returned to be retried
// from its cursor (the scheduler's sweep would finish it too).
func (c FanoutConsumer) HandleRecords(ctx context.Context, recs []events.DynamoDBEventRecord) ([]string, error) {
	var failed []string
	for _, r := range recs {
		id, ok := FanoutJob(r)
		if !ok {
			continue
		}
		if _, err := c.Fanouts.Run(ctx, id); err != nil {
			c.Fanouts.log().WarnContext(ctx, "fan-out failed", "job", id, "error", err.Error())
			failed = append(failed, r.Change.SequenceNumber)
		}
	}
	return failed, nil
}

// String describes a job for logs (no personal data).
func (j Fanout) String() string {
	return fmt.Sprintf("fanout %s %s phases=%d", j.ID, j.Notification.Kind, len(j.Phases))
}

// EraseFanoutActor replaces deleted account uid's name with shown in the
// fan-out jobs still pending (normally none: a job lives seconds): one
// query of the job queue per 100 jobs and a conditional update of each.
// Done when the queue has been read to its end.
func (s *Service) EraseFanoutActor(ctx context.Context, uid, shown string) (bool, error) {
	var last dynamo.PagingKey
	for {
		var jobs []store.Item
		q := s.st.Table().Get(tabledef.GSI2PK, FanoutQueue).Index(tabledef.GSI2).Limit(100)
		if last != nil {
			q = q.StartFrom(last)
		}
		next, err := q.AllWithLastEvaluatedKey(ctx, &jobs)
		if err != nil {
			return false, store.Classify(err)
		}
		for _, jb := range jobs {
			err := s.st.Update(jb.PK, jb.SK).Set("ActorName", shown).If("ActorID = ?", uid).Run(ctx)
			if err != nil && !dynamo.IsCondCheckFailed(err) {
				return false, store.Classify(err)
			}
		}
		if next == nil || len(jobs) == 0 {
			return true, nil
		}
		last = next
	}
}
