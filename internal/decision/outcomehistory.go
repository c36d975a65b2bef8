package decision

import (
	"context"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Outcome history: every edit of a published outcome keeps what it
// replaced, written in the edit's transaction (as the discussion core keeps
// the edits of threads and comments), and shown to whoever sees the poll.

// prefixOutcomeEdit: PK=POLL#<pid> SK=OUTCOMEEDIT#<sortable id>.
const prefixOutcomeEdit = "OUTCOMEEDIT#"

// MaxOutcomeHistory bounds the edits OutcomeHistory returns (the latest).
const MaxOutcomeHistory = 50

// outcomeEditItem: one edit of an outcome: the text and dates it replaced,
// who edited and when.
type outcomeEditItem struct {
	store.Item
	PollID          string     `dynamo:"PollID"`
	EditorID        string     `dynamo:"EditorID"`
	At              time.Time  `dynamo:"At"`
	Statement       string     `dynamo:"Statement"`
	ReviewOn        *time.Time `dynamo:"ReviewOn,omitempty"`
	MeetingOptionID string     `dynamo:"MeetingOptionID,omitempty"`
}

// OutcomeEdit is one edit of an outcome: Before is the outcome as it was
// until EditorID changed it At.
type OutcomeEdit struct {
	EditorID string    `json:"editor_id"`
	At       time.Time `json:"at"`
	Before   Outcome   `json:"before"`
}

// outcomeEdit is the history item of an edit of o (as read) by uid at now,
// or nil when the edit changes nothing that is shown.
func outcomeEdit(o *outcomeItem, next *outcomeItem, uid string, now time.Time) *outcomeEditItem {
	if o.Statement == next.Statement && o.MeetingOptionID == next.MeetingOptionID && sameDay(o.ReviewOn, next.ReviewOn) {
		return nil
	}
	return &outcomeEditItem{Item: store.Item{PK: tabledef.PollPK(o.PollID), SK: prefixOutcomeEdit + ids.NewSortable(now), Type: "outcome_edit", Version: 1},
		PollID: o.PollID, EditorID: uid, At: now, Statement: o.Statement, ReviewOn: o.ReviewOn, MeetingOptionID: o.MeetingOptionID}
}

func sameDay(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// OutcomeHistory lists the edits of a poll's outcome, newest first, at most
// MaxOutcomeHistory (anyone who can see the poll, as GetOutcome). The
// first outcome written is the Before of the oldest edit.
func (s *Service) OutcomeHistory(ctx context.Context, pid string) ([]OutcomeEdit, error) {
	l, err := s.load(ctx, pid)
	if err != nil {
		return nil, err
	}
	if err := s.authorizeView(ctx, l); err != nil {
		return nil, err
	}
	var items []outcomeEditItem
	err = s.st.Table().Get(tabledef.PK, tabledef.PollPK(pid)).Range(tabledef.SK, dynamo.BeginsWith, prefixOutcomeEdit).
		Order(dynamo.Descending).Limit(MaxOutcomeHistory).All(ctx, &items)
	if err != nil {
		return nil, store.Classify(err)
	}
	out := make([]OutcomeEdit, 0, len(items))
	for _, h := range items {
		out = append(out, OutcomeEdit{EditorID: h.EditorID, At: h.At, Before: Outcome{PollID: pid, Statement: h.Statement,
			StatementHTML: statementHTML(s.r, h.Statement, "", 0), ReviewOn: h.ReviewOn, MeetingOptionID: h.MeetingOptionID}})
	}
	return out, nil
}
