// Package notify keeps Quorum's in-app notifications: a per-person list,
// newest first (docs/data-model.md pattern 42), an unread counter (43), and
// the notification levels people choose per group and per thread (mute,
// quiet, normal, loud; pattern 49).
//
// Notifications are created by the domain cores that cause them. Where the
// number of recipients is bounded (mentions, the author of the comment
// replied to) the core adds them to the causing transaction with AddToTx;
// fan-out to many people (a new thread in a group, loud watchers) is
// written after the event with Deliver, in transactions of up to 50
// recipients.
//
// Every notification is also an email job (the outbox, pattern 44): the
// item carries sparse GSI2 keys (GSI2PK=OUTBOX#<shard>, GSI2SK=<due>#<id>) while its
// email is pending, so the email exists exactly when the notification does,
// without any extra transaction operation. jobs.go holds the job's state
// machine (claim under a lease, sent, retry with backoff, digest, skipped,
// dead) and dispatch.go, compose*.go, digest.go and templates/ deliver the
// email: the one package that owns the notification item owns its email too.
package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Kind says why a notification was created.
type Kind string

// Notification kinds.
const (
	Mention   Kind = "mention"    // someone @mentioned you in a thread or comment
	Reply     Kind = "reply"      // someone replied to your comment
	NewThread Kind = "new_thread" // a thread was started in one of your groups
	Comment   Kind = "comment"    // a new comment in a thread you follow loudly

	// Polls (internal/decision). They carry the poll's title, never a
	// result figure.
	PollClosingSoon   Kind = "poll_closing_soon"   // a poll closes within 24 hours
	PollReminder      Kind = "poll_reminder"       // a poll admin reminded the undecided voters
	PollClosed        Kind = "poll_closed"         // your poll closed: write the outcome
	PollOutcomeReview Kind = "poll_outcome_review" // an outcome's review date has come
	PollOpened        Kind = "poll_opened"         // a poll you may vote in opened
	OutcomePublished  Kind = "poll_outcome"        // the outcome of a poll you could vote in was published
	// ProxyVoted: the member you gave your proxy to (ActorID) voted for you.
	ProxyVoted Kind = "poll_proxy_vote"

	// Announcement: someone chose to notify you, or your whole group, of a
	// thread or a poll (ThreadID or PollID; ActorID is who did).
	Announcement Kind = "announcement"
)

// Retention of a notification (TTL).
const Retention = 180 * 24 * time.Hour

// Notification is one entry of a person's list.
type Notification struct {
	ID        string `json:"id"`
	UserID    string `json:"-"`
	Kind      Kind   `json:"kind"`
	ActorID   string `json:"actor_id,omitempty"`
	ActorName string `json:"actor_name,omitempty"`
	GroupID   string `json:"group_id"`
	ThreadID  string `json:"thread_id,omitempty"`
	CommentID string `json:"comment_id,omitempty"`
	PollID    string `json:"poll_id,omitempty"`
	// Title is the thread's title, Excerpt plain text of the cause (never HTML).
	Title     string    `json:"title,omitempty"`
	Excerpt   string    `json:"excerpt,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Read      bool      `json:"read"`
}

type notifItem struct {
	store.Item
	ID        string    `dynamo:"ID"`
	UserID    string    `dynamo:"UserID"`
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
	ReadAt    int64     `dynamo:"ReadAt,omitempty"`
	mailAttrs
}

// counterItem: PK=USER#<uid> SK=NOTIFCOUNT. Count is the unread count;
// notifications whose id is <= ReadThrough count as read (mark all read).
type counterItem struct {
	store.Item
	Count       int64  `dynamo:"Count"`
	ReadThrough string `dynamo:"ReadThrough,omitempty"`
}

const (
	notifPrefix = "NOTIF#"
	countSK     = "NOTIFCOUNT"
)

// Service stores notifications and levels.
type Service struct {
	st  storage
	now func() time.Time
}

// New returns the service. now may be nil (time.Now).
func New(st storage, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{st: st, now: now}
}

func (s *Service) item(n *Notification) *notifItem {
	if n.ID == "" {
		if n.CreatedAt.IsZero() {
			n.CreatedAt = s.now().UTC()
		}
		n.ID = ids.NewSortable(n.CreatedAt)
	}
	it := &notifItem{
		Item: store.Item{PK: tabledef.UserPK(n.UserID), SK: notifPrefix + n.ID, Type: "notification"},
		ID:   n.ID, UserID: n.UserID, Kind: n.Kind, ActorID: n.ActorID, ActorName: n.ActorName, GroupID: n.GroupID,
		ThreadID: n.ThreadID, CommentID: n.CommentID, PollID: n.PollID, Title: n.Title, Excerpt: n.Excerpt, CreatedAt: n.CreatedAt,
	}
	it.ExpireAt(n.CreatedAt.Add(Retention))
	it.Version = 1
	it.GSI2PK, it.GSI2SK = OutboxQueue(n.ID), DueKey(n.CreatedAt)+"#"+n.ID
	it.MailState = MailPending
	return it
}

// AddToTx adds n (two operations: the item and the counter) to a
// transaction of the causing event, so the notification exists exactly
// when the event does.
func (s *Service) AddToTx(tx *store.Tx, n Notification) {
	tx.Put(s.item(&n))
	tx.Update(s.st.Update(tabledef.UserPK(n.UserID), countSK).Add("Count", 1).
		SetIfNotExists(tabledef.Version, 1).SetIfNotExists("Type", "notification_count"), nil)
}

// TxOps is the number of transaction operations AddToTx adds.
const TxOps = 2

// Deliver writes notifications after their event (fan-out), in
// transactions of up to 50 recipients (100 operations). A failed batch is
// returned; earlier batches stay written.
func (s *Service) Deliver(ctx context.Context, ns []Notification) error {
	// A transaction may touch an item once: two notifications for the same
	// person (both update their unread counter) go to different batches.
	per := store.MaxTxItems / TxOps
	for len(ns) > 0 {
		tx, in, rest := s.st.Tx(), map[string]bool{}, ns[:0:0]
		for _, n := range ns {
			if len(in) == per || in[n.UserID] {
				rest = append(rest, n)
				continue
			}
			in[n.UserID] = true
			s.AddToTx(tx, n)
		}
		if err := tx.Run(ctx, ""); err != nil {
			return err
		}
		ns = rest
	}
	return nil
}

// List returns the actor's notifications, newest first.
func (s *Service) List(ctx context.Context, cursor string, limit int) (store.Page[Notification], error) {
	a := authz.ActorFrom(ctx)
	if err := authz.RequireUser(a); err != nil {
		return store.Page[Notification]{}, err
	}
	c, err := s.counter(ctx, a.UserID)
	if err != nil {
		return store.Page[Notification]{}, err
	}
	q := s.st.Table().Get(tabledef.PK, tabledef.UserPK(a.UserID)).Range(tabledef.SK, dynamo.BeginsWith, notifPrefix).Order(dynamo.Descending)
	page, err := store.QueryPage[notifItem](ctx, s.st, q, "notifications:"+a.UserID, cursor, limit)
	if err != nil {
		return store.Page[Notification]{}, err
	}
	out := store.Page[Notification]{Items: make([]Notification, 0, len(page.Items)), Next: page.Next}
	now := s.now().Unix()
	for _, it := range page.Items {
		if it.TTL != 0 && it.TTL <= now {
			continue
		}
		out.Items = append(out.Items, Notification{ID: it.ID, UserID: it.UserID, Kind: it.Kind, ActorID: it.ActorID,
			ActorName: it.ActorName, GroupID: it.GroupID, ThreadID: it.ThreadID, CommentID: it.CommentID, PollID: it.PollID, Title: it.Title,
			Excerpt: it.Excerpt, CreatedAt: it.CreatedAt, Read: it.ReadAt != 0 || it.ID <= c.ReadThrough})
	}
	return out, nil
}

// UnreadCount is the actor's number of unread notifications (one get).
func (s *Service) UnreadCount(ctx context.Context) (int64, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.RequireUser(a); err != nil {
		return 0, err
	}
	c, err := s.counter(ctx, a.UserID)
	return max(c.Count, 0), err
}

// counter reads uid's counter (zero when there is none). Within a
// read-only request it is read once (store.WithReadCache): the top bar's
// count and the notifications page share the read.
func (s *Service) counter(ctx context.Context, uid string) (counterItem, error) {
	var c counterItem
	k := store.Key{PK: tabledef.UserPK(uid), SK: countSK}
	items, err := store.BatchGet(ctx, s.st.Table(), []store.Key{k})
	if err != nil {
		return c, err
	}
	if it, ok := items[k]; ok {
		if err := dynamo.UnmarshalItem(it, &c); err != nil {
			return counterItem{}, domain.Wrap(domain.Internal, err, "stored item is unreadable")
		}
	}
	return c, nil
}

// ErrNoNotification is returned for an id that is not the actor's.
var ErrNoNotification = domain.Errorf(domain.NotFound, "there is no such notification")

var errAlreadyRead = domain.Errorf(domain.Conflict, "already read")

// MarkRead marks one of the actor's notifications read (idempotent).
func (s *Service) MarkRead(ctx context.Context, id string) error {
	a := authz.ActorFrom(ctx)
	if err := authz.RequireUser(a); err != nil {
		return err
	}
	if len(id) != 24 {
		return ErrNoNotification
	}
	var c counterItem
	if err := s.st.Get(ctx, tabledef.UserPK(a.UserID), countSK, &c); err != nil && domain.ErrorCode(err) != domain.NotFound {
		return err
	}
	if id <= c.ReadThrough {
		return nil
	}
	err := s.st.Tx().
		Update(s.st.Update(tabledef.UserPK(a.UserID), notifPrefix+id).Set("ReadAt", s.now().Unix()).
			If("attribute_exists($) AND attribute_not_exists(ReadAt)", tabledef.PK), errAlreadyRead).
		Update(s.st.Update(tabledef.UserPK(a.UserID), countSK).Add("Count", -1).If("$ > ?", "Count", 0), errAlreadyRead).
		Run(ctx, "")
	if err == errAlreadyRead {
		// Either already read, missing, or the counter is already 0; make
		// sure a missing id answers NotFound.
		var n notifItem
		if gerr := s.st.Get(ctx, tabledef.UserPK(a.UserID), notifPrefix+id, &n); gerr != nil {
			return ErrNoNotification
		}
		if n.ReadAt == 0 {
			return s.st.Update(tabledef.UserPK(a.UserID), notifPrefix+id).Set("ReadAt", s.now().Unix()).Run(ctx)
		}
		return nil
	}
	return err
}

// MarkAllRead marks every current notification of the actor read: one
// update of the counter (Count = 0, ReadThrough = now), no matter how many
// there are.
func (s *Service) MarkAllRead(ctx context.Context) error {
	a := authz.ActorFrom(ctx)
	if err := authz.RequireUser(a); err != nil {
		return err
	}
	through := fmt.Sprintf("%016x", uint64(s.now().UnixNano())) + "ffffffff"
	return s.st.Update(tabledef.UserPK(a.UserID), countSK).Set("Count", 0).Set("ReadThrough", through).
		SetIfNotExists(tabledef.Version, 1).SetIfNotExists("Type", "notification_count").Run(ctx)
}

// EraseActorNames replaces the name of deleted account uid in other
// people's notifications about what it did (ActorName, kept as written)
// with shown: a step of a scan of the table (store.RenameScan), done when
// the scan has passed the end.
func (s *Service) EraseActorNames(ctx context.Context, uid, shown string) (bool, error) {
	return s.st.RenameScan(ctx, store.Rename{
		UserID: uid, Shown: shown, Prefix: tabledef.UserPrefix,
		Fields:     []store.RenameField{{ID: "ActorID", Name: "ActorName"}},
		ProgressPK: tabledef.UserPK(uid), ProgressSK: "ERASESCAN#notify",
		Expires: s.now().Add(30 * 24 * time.Hour), Page: 1000,
	})
}

// EraseUser deletes a batch of a deleted account's notifications (with
// their pending emails: the outbox is the notification items' GSI2),
// notification levels and unread count; done when none are left.
func (s *Service) EraseUser(ctx context.Context, uid string) (bool, error) {
	for _, p := range []string{notifPrefix, "NOTIFLEVEL#", countSK} {
		n, err := s.st.DeletePrefix(ctx, tabledef.UserPK(uid), p, 25)
		if err != nil || n > 0 {
			return false, err
		}
	}
	return true, nil
}
