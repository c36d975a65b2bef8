package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/quorum-app/quorum/internal/mailpref"
)

// Suppressor is the part of the preferences core this function uses.
type Suppressor interface {
	Suppress(ctx context.Context, email, reason, feedbackID string, at time.Time) error
}

type handler struct {
	prefs Suppressor
	log   *slog.Logger
}

// Report counts what one invocation did (no addresses).
type Report struct {
	Records    int `json:"records"`
	Suppressed int `json:"suppressed"` // recipients suppressed (again, for a repeated delivery)
	Ignored    int `json:"ignored"`    // events that do not suppress (transient bounces, deliveries, ...)
	Malformed  int `json:"malformed"`  // messages that are not SES events; logged and dropped
	Failed     int `json:"failed"`     // recipients whose suppression could not be stored
}

// sesEvent is the part of an SES event-publishing record (eventType) or a
// feedback notification (notificationType) this function reads.
type sesEvent struct {
	EventType        string `json:"eventType"`
	NotificationType string `json:"notificationType"`
	Bounce           *struct {
		FeedbackID        string      `json:"feedbackId"`
		BounceType        string      `json:"bounceType"`
		BounceSubType     string      `json:"bounceSubType"`
		BouncedRecipients []recipient `json:"bouncedRecipients"`
		Timestamp         time.Time   `json:"timestamp"`
	} `json:"bounce"`
	Complaint *struct {
		FeedbackID            string      `json:"feedbackId"`
		ComplainedRecipients  []recipient `json:"complainedRecipients"`
		ComplaintFeedbackType string      `json:"complaintFeedbackType"`
		Timestamp             time.Time   `json:"timestamp"`
	} `json:"complaint"`
	Mail struct {
		MessageID string `json:"messageId"`
	} `json:"mail"`
}

type recipient struct {
	EmailAddress string `json:"emailAddress"`
}

// Handle processes every record. A storage failure is returned after the
// other records were tried, so Lambda retries the event; the retry is
// harmless (Suppress is idempotent per SES feedback id).
func (h handler) Handle(ctx context.Context, ev events.SNSEvent) (Report, error) {
	r := Report{Records: len(ev.Records)}
	var failed error
	for _, rec := range ev.Records {
		var e sesEvent
		if err := json.Unmarshal([]byte(rec.SNS.Message), &e); err != nil {
			r.Malformed++
			h.log.WarnContext(ctx, "ses event: not JSON", "sns_message_id", rec.SNS.MessageID)
			continue
		}
		kind := e.EventType
		if kind == "" {
			kind = e.NotificationType
		}
		var reason, feedbackID string
		var at time.Time
		var recipients []recipient
		switch {
		case kind == "Bounce" && e.Bounce != nil && e.Bounce.BounceType == "Permanent":
			reason, feedbackID, at, recipients = mailpref.ReasonBounce, e.Bounce.FeedbackID, e.Bounce.Timestamp, e.Bounce.BouncedRecipients
		case kind == "Complaint" && e.Complaint != nil && e.Complaint.ComplaintFeedbackType != "not-spam":
			reason, feedbackID, at, recipients = mailpref.ReasonComplaint, e.Complaint.FeedbackID, e.Complaint.Timestamp, e.Complaint.ComplainedRecipients
		case kind == "":
			r.Malformed++
			h.log.WarnContext(ctx, "ses event: no event type", "sns_message_id", rec.SNS.MessageID)
			continue
		default:
			r.Ignored++
			attrs := []any{"event_type", kind, "ses_message_id", e.Mail.MessageID}
			if e.Bounce != nil {
				attrs = append(attrs, "bounce_type", e.Bounce.BounceType, "bounce_subtype", e.Bounce.BounceSubType)
			}
			h.log.InfoContext(ctx, "ses event ignored", attrs...)
			continue
		}
		done := 0
		for _, rc := range recipients {
			if mailpref.NormalizeAddress(rc.EmailAddress) == "" {
				continue
			}
			if err := h.prefs.Suppress(ctx, rc.EmailAddress, reason, feedbackID, at); err != nil {
				r.Failed++
				failed = errors.Join(failed, err)
				continue
			}
			done++
		}
		r.Suppressed += done
		h.log.InfoContext(ctx, "ses event: addresses suppressed", "event_type", kind, "reason", reason,
			"recipients", len(recipients), "suppressed", done, "ses_message_id", e.Mail.MessageID)
	}
	if failed != nil {
		h.log.ErrorContext(ctx, "ses event: suppression failed", "failed", r.Failed, "error", failed.Error())
		return r, failed
	}
	return r, nil
}
