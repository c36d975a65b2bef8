package mailpref

import (
	"context"
	"errors"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Suppression reasons.
const (
	ReasonBounce    = "bounce"    // a permanent (hard) bounce
	ReasonComplaint = "complaint" // the recipient marked a message as spam
)

// Suppressed describes a suppressed address. The record holds no address:
// it is found by the hash of the address it is about.
type Suppressed struct {
	Reason string    `json:"reason"` // bounce | complaint
	At     time.Time `json:"at"`     // when the latest report arrived
}

// Suppress stops all mail to email after a hard bounce or a complaint
// reported by SES (reason ReasonBounce or ReasonComplaint; feedbackID is
// SES's id of the report, at its time). Idempotent: a report delivered
// again (same feedback id) changes nothing; a new report updates the time.
// Not an action of a person: only the SES event handler calls it.
func (s *Service) Suppress(ctx context.Context, email, reason, feedbackID string, at time.Time) error {
	if NormalizeAddress(email) == "" {
		return domain.Validation(domain.FieldError{Field: "email", Message: "is required"})
	}
	if reason != ReasonBounce && reason != ReasonComplaint {
		return domain.Validation(domain.FieldError{Field: "reason", Message: "must be bounce or complaint"})
	}
	if at.IsZero() {
		at = s.now()
	}
	if len(feedbackID) > 256 {
		feedbackID = feedbackID[:256]
	}
	pk := suppressPK(email)
	u := s.st.Update(pk, skSuppress).
		Set("Type", "suppression").
		Set("Reason", reason).
		Set("At", at.UTC()).
		Add("Events", 1).
		Add(tabledef.Version, 1)
	if feedbackID != "" {
		u = u.Set("FeedbackID", feedbackID).If("attribute_not_exists($) OR FeedbackID <> ?", tabledef.PK, feedbackID)
	}
	err := u.Run(ctx)
	if err != nil {
		if dynamo.IsCondCheckFailed(err) {
			return nil // the same report again
		}
		return store.Classify(err)
	}
	return nil
}

// Suppression returns the suppression of email, or nil when mail may be
// sent to it. One GetItem.
func (s *Service) Suppression(ctx context.Context, email string) (*Suppressed, error) {
	if NormalizeAddress(email) == "" {
		return nil, nil
	}
	var it suppressItem
	err := s.st.Get(ctx, suppressPK(email), skSuppress, &it)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &Suppressed{Reason: it.Reason, At: it.At.UTC()}, nil
}

// Unsuppress resumes mail to the actor's own address after they fixed
// their mailbox (or, after a complaint, asked for mail again). Only a
// browser session of the account whose address it is may do it: nobody can
// lift the suppression of an address that is not theirs. Idempotent.
func (s *Service) Unsuppress(ctx context.Context) error {
	uid, err := self(ctx, ActionUnsuppress)
	if err != nil {
		return err
	}
	u, err := s.user(ctx, uid)
	if err != nil {
		return err
	}
	if err := s.st.Delete(ctx, suppressPK(u.Email), skSuppress); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "suppression lifted by the owner")
	return nil
}
