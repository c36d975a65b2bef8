package inbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/inbound"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// One message, one effect, across SES message ids: a sender's retry, or one
// message sent to two Quorum addresses, arrives as two SES deliveries of
// the same Message-ID header. The first delivery of a Message-ID for a
// scope (the account of the reply address's user, or the group mail is
// addressed to) is remembered as long as a reply address lives; later
// deliveries are duplicates.

const mailIDSK = "MAILID"

// mailIDItem: PK=MAILID#<sha256(scope, Message-ID)> SK=MAILID. The first
// delivery of the Message-ID in the scope: its SES message id and receipt
// time, which key every effect of the message (the comment's timeline id,
// the thread id, the held id), so that a later delivery taking over from a
// crashed first one meets the first one's effects. TTL = receipt + the
// reply-address lifetime + a day.
type mailIDItem struct {
	store.Item
	SESMessageID string    `dynamo:"SESMessageID"`
	ReceivedAt   time.Time `dynamo:"ReceivedAt"`
}

func mailIDPK(scope, messageID string) string {
	sum := sha256.Sum256([]byte(scope + "\x00" + messageID))
	return "MAILID#" + hex.EncodeToString(sum[:])
}

// userScope and groupScope are the scopes of a Message-ID.

// firstDelivery remembers d as the first delivery of m's Message-ID in
// scope, or finds the first one. It returns the delivery whose identity the
// effects are keyed by (d itself, or the first delivery when that one
// crashed and d takes over), and an outcome whose Result is Duplicate when
// the first delivery was processed. A message without a Message-ID is deduplicated only by
// its SES message id.
func (s *Service) firstDelivery(ctx context.Context, d Delivery, m *inbound.Message, scope string) (Delivery, Outcome, error) {
	mid := strings.TrimSpace(m.MessageID)
	if mid == "" {
		return d, Outcome{}, nil
	}
	now := s.now().UTC()
	it := &mailIDItem{Item: store.Item{PK: mailIDPK(scope, mid), SK: mailIDSK, Type: "inbound_message_id", Version: 1},
		SESMessageID: d.MessageID, ReceivedAt: d.Received}
	it.ExpireAt(d.Received.Add(s.remember))
	err := s.st.Table().Put(it).If("attribute_not_exists($) OR $ < ?", tabledef.PK, tabledef.TTLAttribute, now.Unix()).Run(ctx)
	if err == nil {
		return d, Outcome{}, nil
	}
	if !dynamo.IsCondCheckFailed(err) {
		return d, Outcome{}, store.Classify(err)
	}
	var first mailIDItem
	if err := s.st.Get(ctx, it.PK, mailIDSK, &first); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return d, Outcome{}, ErrBusy // expired in between: let the retry decide
		}
		return d, Outcome{}, err
	}
	if first.SESMessageID == d.MessageID {
		return d, Outcome{}, nil // a retry of the first delivery
	}
	dup := Outcome{Result: Duplicate, Reasons: []string{"the same message (Message-ID) arrived before, as SES message " + first.SESMessageID}}
	var prev inboundItem
	err = s.st.Get(ctx, inboundPK(first.SESMessageID), inboundSK, &prev)
	switch {
	case domain.ErrorCode(err) == domain.NotFound:
		return d, dup, nil // processed so long ago that its record expired
	case err != nil:
		return d, Outcome{}, err
	case prev.State == "done":
		dup.Previous, dup.GroupID, dup.ThreadID, dup.CommentID, dup.PollID, dup.HeldID =
			Result(prev.Result), prev.GroupID, prev.ThreadID, prev.CommentID, prev.PollID, prev.HeldID
		return d, dup, nil
	case prev.LeaseUntil > now.UnixMilli():
		return d, Outcome{}, ErrBusy // the first delivery is being processed: retry later
	}
	// The first delivery failed and has not been retried since: carry on
	// in its name, so that whatever it did before failing is found, not
	// repeated.
	d.MessageID, d.Received = first.SESMessageID, first.ReceivedAt.UTC()
	return d, Outcome{}, nil
}
