package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// The outbox (docs/data-model.md pattern 44): each notification item is
// also the job of sending its email. While the email is pending the item
// carries GSI2PK=OUTBOX#<shard> GSI2SK=<due>#<notification id>; a claim moves the
// due time to the end of its lease (so a crashed sender's job comes back),
// a failure to the next backoff time; sending, digesting or skipping removes
// the keys; a job that failed too often moves to GSI2PK=OUTBOX#DEAD for
// inspection. Every transition is a conditional update, so concurrent
// senders never both own a job.

// MailState is where a notification's email stands.
type MailState string

// Mail states.
const (
	MailPending MailState = "pending" // queued (GSI2 OUTBOX), possibly claimed
	MailSent    MailState = "sent"    // SES accepted it
	MailDigest  MailState = "digest"  // kept for the recipient's digest
	MailSkipped MailState = "skipped" // not sent on purpose (MailReason says why)
	MailDead    MailState = "dead"    // gave up after the maximum attempts
)

// Queues on GSI2. Pending email is spread over OutboxShards partition keys
// (OUTBOX#00 .. OUTBOX#15, by a hash of the notification id), so no single
// index key carries the installation's mail: a DynamoDB partition key takes
// about 1,000 writes a second, and every notification of a busy deployment
// writes its queue key at least three times (queued, claimed, settled).
const (
	OutboxShards = 16
	// LegacyOutboxQueue holds jobs queued before the outbox was sharded;
	// senders still sweep it, so none is stranded.
	LegacyOutboxQueue = "OUTBOX"
	DeadQueue         = "OUTBOX#DEAD"
	outboxPrefix      = "OUTBOX#"
)

// OutboxQueue is the shard of GSI2 a pending notification's email job is
// queued under: OUTBOX#<nn>, from an FNV-1a hash of its id.
func OutboxQueue(id string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	return fmt.Sprintf("%s%02d", outboxPrefix, h.Sum32()%OutboxShards)
}

// IsOutboxQueue reports whether q is a queue of pending jobs: one of the
// shards, or the legacy key.
func IsOutboxQueue(q string) bool {
	if q == LegacyOutboxQueue {
		return true
	}
	n, ok := strings.CutPrefix(q, outboxPrefix)
	if !ok || len(n) != 2 || n[0] < '0' || n[0] > '9' || n[1] < '0' || n[1] > '9' {
		return false
	}
	return int(n[0]-'0')*10+int(n[1]-'0') < OutboxShards
}

// outboxQueues lists every queue a sweep reads: the shards and the legacy key.
func outboxQueues() []string {
	qs := make([]string, 0, OutboxShards+1)
	for i := 0; i < OutboxShards; i++ {
		qs = append(qs, fmt.Sprintf("%s%02d", outboxPrefix, i))
	}
	return append(qs, LegacyOutboxQueue)
}

// DueKey renders a due time for GSI2SK: fixed width UTC milliseconds, so
// strings sort like times.
func DueKey(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// mailAttrs are the outbox attributes of a notification item.
type mailAttrs struct {
	MailState     MailState `dynamo:"MailState,omitempty"`
	MailAttempts  int       `dynamo:"MailAttempts,omitempty"`
	MailLease     string    `dynamo:"MailLease,omitempty"`
	MailSentAt    int64     `dynamo:"MailSentAt,omitempty"`
	MailMessageID string    `dynamo:"MailMessageID,omitempty"`
	MailReason    string    `dynamo:"MailReason,omitempty"`
}

// Job is a notification seen as an email job.
type Job struct {
	Notification
	State    MailState
	Attempts int
	// Queue and QueueKey are the GSI2 keys as read ("" once settled).
	Queue    string
	QueueKey string
	// Lease is the claim token of the current owner ("" when unclaimed).
	Lease     string
	SentAt    time.Time
	MessageID string
	Reason    string
}

// Due is when the job is (next) due; zero when it is not queued.
func (j Job) Due() time.Time {
	k, _, _ := strings.Cut(j.QueueKey, "#")
	t, err := time.Parse("2006-01-02T15:04:05.000Z", k)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Pending reports whether the job waits in the outbox.
func (j Job) Pending() bool { return j.State == MailPending && IsOutboxQueue(j.Queue) }

func (it *notifItem) job() Job {
	j := Job{Notification: Notification{ID: it.ID, UserID: it.UserID, Kind: it.Kind, ActorID: it.ActorID,
		ActorName: it.ActorName, GroupID: it.GroupID, ThreadID: it.ThreadID, CommentID: it.CommentID, PollID: it.PollID,
		Title: it.Title, Excerpt: it.Excerpt, CreatedAt: it.CreatedAt, Read: it.ReadAt != 0},
		State: it.MailState, Attempts: it.MailAttempts, Queue: it.GSI2PK, QueueKey: it.GSI2SK, Lease: it.MailLease,
		MessageID: it.MailMessageID, Reason: it.MailReason}
	if it.MailSentAt != 0 {
		j.SentAt = time.UnixMilli(it.MailSentAt).UTC()
	}
	return j
}

// ErrNotClaimed means another sender owns the job, or it is no longer due.
var ErrNotClaimed = domain.Errorf(domain.Conflict, "the email job is not available")

// ErrLeaseLost means the claim expired and someone else took the job over.
var ErrLeaseLost = domain.Errorf(domain.Conflict, "the email job's claim was lost")

// DueJobs returns up to limit jobs due by now, oldest due first: one query
// of GSI2 per queue (the shards and the legacy key, each eventually
// consistent, which the conditional claim makes safe), merged by due time.
// The queries run one after another on one connection: the sweep runs in
// the scheduler's tick, where at once they dialled a connection each (17,
// each a TLS handshake on AWS) and grew a goroutine's stack each, the
// largest part of the scheduler's cold start (docs/architecture.md,
// "Thirteenth pass"); an idle queue answers in one short round trip.
func (s *Service) DueJobs(ctx context.Context, now time.Time, limit int) ([]Job, error) {
	qs := outboxQueues()
	var out []Job
	for _, q := range qs {
		var found []notifItem
		err := s.st.Table().Get(tabledef.GSI2PK, q).Index(tabledef.GSI2).
			Range(tabledef.GSI2SK, dynamo.LessOrEqual, DueKey(now)+"#~").Limit(limit).All(ctx, &found)
		if err != nil {
			return nil, store.Classify(err)
		}
		for j := range found {
			out = append(out, found[j].job())
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].QueueKey < out[b].QueueKey })
	if len(out) > limit {
		out = out[:limit]
	}
	if out == nil {
		out = []Job{}
	}
	return out, nil
}

// DeadJobs lists jobs that gave up (for operators), oldest first.
func (s *Service) DeadJobs(ctx context.Context, limit int) ([]Job, error) {
	var items []notifItem
	err := s.st.Table().Get(tabledef.GSI2PK, DeadQueue).Index(tabledef.GSI2).Limit(limit).All(ctx, &items)
	if err != nil {
		return nil, store.Classify(err)
	}
	out := make([]Job, 0, len(items))
	for i := range items {
		out = append(out, items[i].job())
	}
	return out, nil
}

// GetJob reads one job (strongly consistent).
func (s *Service) GetJob(ctx context.Context, uid, id string) (Job, error) {
	var it notifItem
	if err := s.st.Get(ctx, tabledef.UserPK(uid), notifPrefix+id, &it); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return Job{}, ErrNoNotification
		}
		return Job{}, err
	}
	return it.job(), nil
}

// Claim takes the job for one delivery attempt until now+lease: one
// conditional update that succeeds only if the job is still queued under
// the key read and due. It counts the attempt and moves the job's due time
// to the lease's end, so a sender that dies mid-way leaves a job that comes
// back on its own. Losing the race returns ErrNotClaimed.
func (s *Service) Claim(ctx context.Context, j Job, now time.Time, lease time.Duration) (Job, error) {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	tok := hex.EncodeToString(b)
	key := DueKey(now.Add(lease)) + "#" + j.ID
	if !IsOutboxQueue(j.Queue) {
		return Job{}, ErrNotClaimed
	}
	err := s.st.Update(tabledef.UserPK(j.UserID), notifPrefix+j.ID).
		Set(tabledef.GSI2SK, key).Set("MailLease", tok).Add("MailAttempts", 1).
		If("$ = ? AND $ = ? AND $ <= ? AND MailState = ?", tabledef.GSI2PK, j.Queue, tabledef.GSI2SK, j.QueueKey,
			tabledef.GSI2SK, DueKey(now)+"#~", MailPending).
		Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return Job{}, ErrNotClaimed
	}
	if err != nil {
		return Job{}, store.Classify(err)
	}
	j.QueueKey, j.Lease = key, tok
	j.Attempts++
	return j, nil
}

// MarkSent records SES's acceptance under the claim: the job leaves the
// outbox, keeping when it was sent and the SES message id.
func (s *Service) MarkSent(ctx context.Context, j Job, sesID string, now time.Time) error {
	u := s.st.Update(tabledef.UserPK(j.UserID), notifPrefix+j.ID).Set("MailState", MailSent).Set("MailSentAt", now.UnixMilli()).
		Remove(tabledef.GSI2PK, tabledef.GSI2SK, "MailLease")
	if sesID != "" {
		u = u.Set("MailMessageID", sesID)
	}
	return s.underLease(ctx, u, j)
}

// Retry puts the claimed job back in the outbox, due at due; reason is a
// short code without personal data.
func (s *Service) Retry(ctx context.Context, j Job, due time.Time, reason string) error {
	u := s.st.Update(tabledef.UserPK(j.UserID), notifPrefix+j.ID).Set(tabledef.GSI2SK, DueKey(due)+"#"+j.ID).
		Set("MailReason", reason).Remove("MailLease")
	return s.underLease(ctx, u, j)
}

// Settle ends the claimed job without sending: MailDigest (kept for the
// digest), MailSkipped (reason says why) or MailDead (listed under
// DeadQueue for inspection).
func (s *Service) Settle(ctx context.Context, j Job, state MailState, reason string, now time.Time) error {
	u := s.st.Update(tabledef.UserPK(j.UserID), notifPrefix+j.ID).Set("MailState", state).Remove("MailLease")
	if reason != "" {
		u = u.Set("MailReason", reason)
	}
	switch state {
	case MailDead:
		u = u.Set(tabledef.GSI2PK, DeadQueue).Set(tabledef.GSI2SK, DueKey(now)+"#"+j.ID)
	case MailDigest, MailSkipped:
		u = u.Remove(tabledef.GSI2PK, tabledef.GSI2SK)
	default:
		return domain.Errorf(domain.Internal, "cannot settle an email job as %q", state)
	}
	return s.underLease(ctx, u, j)
}

func (s *Service) underLease(ctx context.Context, u *dynamo.Update, j Job) error {
	if j.Lease == "" {
		return ErrLeaseLost
	}
	err := u.If("MailLease = ?", j.Lease).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return ErrLeaseLost
	}
	return store.Classify(err)
}

// ListAfter returns uid's notifications with an id greater than after
// ("" for all), oldest first, at most limit (no actor: for the digest).
// Expired ones are left out.
func (s *Service) ListAfter(ctx context.Context, uid, after string, limit int) ([]Job, error) {
	var items []notifItem
	err := s.st.Table().Get(tabledef.PK, tabledef.UserPK(uid)).
		Range(tabledef.SK, dynamo.Between, notifPrefix+after, notifPrefix+"~").Limit(limit+1).Consistent(true).All(ctx, &items)
	if err != nil {
		return nil, store.Classify(err)
	}
	now := s.now().Unix()
	out := make([]Job, 0, len(items))
	for i := range items {
		it := &items[i]
		if it.ID == after || it.ID == "" || (it.TTL != 0 && it.TTL <= now) {
			continue
		}
		if len(out) == limit {
			break
		}
		out = append(out, it.job())
	}
	return out, nil
}
