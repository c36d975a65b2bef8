package inbox

import (
	"context"
	"time"

	"github.com/quorum-app/quorum/internal/store"
)

// Personal export (#16): the mail a person sent that Quorum holds (replies
// and votes waiting for their confirmation, mail to a group waiting for
// its admins), while it is kept (held mail expires after 14 days). Held
// items are not indexed by person: a resumable scan of HELD# items. The
// raw message stays in the inbound bucket and is not copied.

const exportPage = 1000

// ExportHeld is one held message the person sent.
type ExportHeld struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"`
	Status   string    `json:"status"`
	Received time.Time `json:"received"`
	Expires  time.Time `json:"expires"`
	ThreadID string    `json:"thread_id,omitempty"`
	PollID   string    `json:"poll_id,omitempty"`
	GroupID  string    `json:"group_id,omitempty"`
	Target   string    `json:"target,omitempty"`
	From     string    `json:"from"`
	Subject  string    `json:"subject"`
	Text     string    `json:"text"`
	Files    []string  `json:"files,omitempty"`
}

// ExportEntity names the row's file in the archive.
func (ExportHeld) ExportEntity() string { return "held_mail" }

// ExportUser does one step of uid's export scan from cursor ("" first) and
// returns its rows and the next cursor ("" when the scan is done).
func (s *Service) ExportUser(ctx context.Context, uid, cursor string) ([]any, string, error) {
	found, next, err := store.ScanStep[heldItem](ctx, s.st, "HELD#", "$ = ? OR $ = ?",
		[]any{"UserID", uid, "SenderUserID", uid}, cursor, exportPage)
	if err != nil {
		return nil, "", err
	}
	var rows []any
	for _, h := range found {
		rows = append(rows, ExportHeld{ID: h.ID, Kind: h.Kind, Status: h.Status, Received: h.Received, Expires: h.Expires,
			ThreadID: h.ThreadID, PollID: h.PollID, GroupID: h.GroupID, Target: h.Target, From: h.FromAddress,
			Subject: h.Subject, Text: h.Text, Files: h.Files})
	}
	return rows, next, nil
}
