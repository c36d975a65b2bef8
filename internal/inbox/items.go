package inbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Stored items (docs/data-model.md, patterns 47 and 49-51).

const (
	inboundSK = "INBOUND"
	heldSK    = "HELD"
	// lease is how long a claim keeps other deliveries of the same message
	// away; a crashed invocation's claim lapses after it.
	lease = 2 * time.Minute
)

func inboundPK(id string) string   { return "INBOUND#" + id }
func heldPK(id string) string      { return "HELD#" + id }
func heldListPK(gid string) string { return "HELDMAIL#" + gid }
func blockSK(addr string) string   { return "MAILBLOCK#" + addrHash(addr) }
func aliasSK(addr string) string   { return "MAILALIAS#" + addrHash(addr) }

func addrHash(addr string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(addr))))
	return hex.EncodeToString(sum[:])
}

// inboundItem: PK=INBOUND#<SES message id> SK=INBOUND. Claimed (State
// processing, with a lease) before the work, completed (State done, the
// outcome) after it; TTL = receipt + raw mail retention.
type inboundItem struct {
	store.Item
	MessageID  string    `dynamo:"MessageID"`
	State      string    `dynamo:"State"` // processing, done
	LeaseUntil int64     `dynamo:"LeaseUntil"`
	Result     string    `dynamo:"Result,omitempty"`
	Reasons    []string  `dynamo:"Reasons,omitempty"`
	GroupID    string    `dynamo:"GroupID,omitempty"`
	ThreadID   string    `dynamo:"ThreadID,omitempty"`
	CommentID  string    `dynamo:"CommentID,omitempty"`
	PollID     string    `dynamo:"PollID,omitempty"`
	HeldID     string    `dynamo:"HeldID,omitempty"`
	ReceivedAt time.Time `dynamo:"ReceivedAt"`
	StartedAt  time.Time `dynamo:"StartedAt"`
	DoneAt     time.Time `dynamo:"DoneAt,omitempty"`
	// FromHash is the SHA-256 of the sender's address; RawBucket and
	// RawKey where the raw message is (EraseSender).
	FromHash  string `dynamo:"FromHash,omitempty"`
	RawBucket string `dynamo:"RawBucket,omitempty"`
	RawKey    string `dynamo:"RawKey,omitempty"`
}

// claim takes the message for this invocation: it creates the record, or
// takes over a claim whose lease lapsed (a crashed attempt). A completed
// record means the message was processed: claimed is false.
func (s *Service) claim(ctx context.Context, d Delivery) (prev inboundItem, claimed bool, err error) {
	now := s.now().UTC()
	it := &inboundItem{Item: store.Item{PK: inboundPK(d.MessageID), SK: inboundSK, Type: "inbound", Version: 1},
		MessageID: d.MessageID, State: "processing", LeaseUntil: now.Add(lease).UnixMilli(), ReceivedAt: d.Received, StartedAt: now}
	it.ExpireAt(d.Received.Add(s.retention))
	err = s.st.Table().Put(it).
		If("attribute_not_exists($) OR ($ = ? AND $ < ?) OR $ < ?", tabledef.PK, "State", "processing", "LeaseUntil", now.UnixMilli(),
			tabledef.TTLAttribute, now.Unix()).
		Run(ctx)
	if err == nil {
		return inboundItem{}, true, nil
	}
	if !dynamo.IsCondCheckFailed(err) {
		return inboundItem{}, false, store.Classify(err)
	}
	if err := s.st.Get(ctx, inboundPK(d.MessageID), inboundSK, &prev); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return inboundItem{}, false, ErrBusy // deleted in between: let the retry decide
		}
		return inboundItem{}, false, err
	}
	if prev.State == "done" {
		return prev, false, nil
	}
	return inboundItem{}, false, ErrBusy
}

// release gives up a claim after a failure, so the retry need not wait for
// the lease.
func (s *Service) release(ctx context.Context, id string) {
	err := s.st.Update(inboundPK(id), inboundSK).Set("LeaseUntil", 0).If("$ = ?", "State", "processing").Run(ctx)
	if err != nil && !dynamo.IsCondCheckFailed(err) {
		s.log.WarnContext(ctx, "inbound release", "message_id", id, "err", err)
	}
}

// finish records the outcome.
func (s *Service) finish(ctx context.Context, d Delivery, out Outcome) error {
	u := s.st.Update(inboundPK(d.MessageID), inboundSK).Set("State", "done").Set("Result", string(out.Result)).
		Set("DoneAt", s.now().UTC()).Add(tabledef.Version, 1)
	for k, v := range map[string]string{"GroupID": out.GroupID, "ThreadID": out.ThreadID, "CommentID": out.CommentID,
		"PollID": out.PollID, "HeldID": out.HeldID} {
		if v != "" {
			u.Set(k, v)
		}
	}
	if len(out.Reasons) > 0 {
		u.Set("Reasons", out.Reasons)
	}
	if out.sender != "" {
		// Where the raw message is and whose address sent it (a hash), so
		// deleting the sender's account erases it (EraseSender).
		u.Set("FromHash", addrHash(out.sender)).Set("RawBucket", d.Bucket).Set("RawKey", d.Key)
	}
	if err := u.Run(ctx); err != nil {
		return store.Classify(err)
	}
	return nil
}

// Held kinds.
const (
	HeldReply = "reply" // a reply or vote for the token's user to confirm
	HeldGroup = "group" // mail to a group for its admins to allow or block
)

// Held statuses.
const (
	StatusPending   = "pending"
	StatusPosted    = "posted"
	StatusDiscarded = "discarded"
	StatusBlocked   = "blocked"
)

// heldItem: PK=HELD#<held id> SK=HELD. A message waiting for its user
// (reply/vote) or its group's admins. Group mail is listed through
// GSI1PK=HELDMAIL#<gid> GSI1SK=<received>#<held id> while pending. TTL =
// receipt + hold period. It keeps what the page shows (sender as claimed,
// subject, extracted text, attachment names) and where the raw message is
// (for its attachments when confirmed).
type heldItem struct {
	store.Item
	ID        string    `dynamo:"ID"`
	Kind      string    `dynamo:"Kind"`
	Status    string    `dynamo:"Status"`
	MessageID string    `dynamo:"MessageID"`
	Received  time.Time `dynamo:"Received"`
	Expires   time.Time `dynamo:"Expires"`
	// Reply/vote: the token's user and target.
	UserID    string `dynamo:"UserID,omitempty"`
	TokenKind string `dynamo:"TokenKind,omitempty"` // thread, comment, poll
	ThreadID  string `dynamo:"ThreadID,omitempty"`
	CommentID string `dynamo:"CommentID,omitempty"`
	PollID    string `dynamo:"PollID,omitempty"`
	Target    string `dynamo:"Target,omitempty"` // thread or poll title at holding time
	// Group mail: the group and the sender's account, if the address has one.
	GroupID      string `dynamo:"GroupID,omitempty"`
	SenderUserID string `dynamo:"SenderUserID,omitempty"`
	// What the message says.
	FromAddress string   `dynamo:"FromAddress"`
	FromName    string   `dynamo:"FromName,omitempty"`
	Subject     string   `dynamo:"Subject"`
	Text        string   `dynamo:"Text"`
	Files       []string `dynamo:"Files,omitempty"`
	Reasons     []string `dynamo:"Reasons,omitempty"`
	RawBucket   string   `dynamo:"RawBucket"`
	RawKey      string   `dynamo:"RawKey"`
	Notified    bool     `dynamo:"Notified"`
	// ConfirmedAt is set once, by the first confirmation or allow; the
	// posted item's id derives from it, so racing confirmations post once.
	ConfirmedAt time.Time `dynamo:"ConfirmedAt,omitempty"`
	DecidedBy   string    `dynamo:"DecidedBy,omitempty"`
	PostedRef   string    `dynamo:"PostedRef,omitempty"`
}

// ruleItem: PK=GROUP#<gid> SK=MAILBLOCK#<sha256(address)> (mail from the
// address is dropped) or MAILALIAS#<sha256(address)> (mail from it counts
// as UserID's, when authenticated).
type ruleItem struct {
	store.Item
	GroupID   string    `dynamo:"GroupID"`
	Address   string    `dynamo:"Address"`
	UserID    string    `dynamo:"UserID,omitempty"`
	By        string    `dynamo:"By"`
	CreatedAt time.Time `dynamo:"CreatedAt"`
}

func (s *Service) getRule(ctx context.Context, gid, sk string) (*ruleItem, error) {
	var r ruleItem
	err := s.st.Get(ctx, tabledef.GroupPK(gid), sk, &r)
	switch domain.ErrorCode(err) {
	case "":
		return &r, nil
	case domain.NotFound:
		return nil, nil
	}
	return nil, err
}
