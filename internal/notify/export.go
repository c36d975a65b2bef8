package notify

import (
	"context"
	"errors"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Personal export (#16): a person's notifications (newest first, in pages)
// and their notification levels (in the first step).

const (
	exportPage = 500
	// maxExportLevels bounds the levels the first step reads.
	maxExportLevels = 1000
)

// ExportNotification is one notification as the person saw it.
type ExportNotification struct{ Notification }

// ExportEntity names the row's file in the archive.
func (ExportNotification) ExportEntity() string { return "notifications" }

// ExportLevel is a notification level the person set for a group or thread.
type ExportLevel struct {
	Scope string `json:"scope"`
	Level Level  `json:"level"`
}

// ExportEntity names the row's file in the archive.
func (ExportLevel) ExportEntity() string { return "notification_levels" }

// ExportUser does one step of uid's export from cursor ("" first) and
// returns its rows and the next cursor ("" when done).
func (s *Service) ExportUser(ctx context.Context, uid, cursor string) ([]any, string, error) {
	var rows []any
	if cursor == "" {
		var levels []levelItem
		err := s.st.Table().Get(tabledef.PK, tabledef.UserPK(uid)).Range(tabledef.SK, dynamo.BeginsWith, "NOTIFLEVEL#").
			Limit(maxExportLevels).All(ctx, &levels)
		if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
			return nil, "", store.Classify(err)
		}
		for _, l := range levels {
			rows = append(rows, ExportLevel{Scope: l.Scope, Level: l.Level})
		}
	}
	var c counterItem
	if err := s.st.Get(ctx, tabledef.UserPK(uid), countSK, &c); err != nil && domain.ErrorCode(err) != domain.NotFound {
		return nil, "", err
	}
	q := s.st.Table().Get(tabledef.PK, tabledef.UserPK(uid)).Range(tabledef.SK, dynamo.BeginsWith, notifPrefix).Order(dynamo.Descending)
	page, err := store.QueryPage[notifItem](ctx, s.st, q, "export:"+uid, cursor, exportPage)
	if err != nil {
		return nil, "", err
	}
	for _, it := range page.Items {
		rows = append(rows, ExportNotification{Notification{ID: it.ID, Kind: it.Kind, ActorID: it.ActorID,
			ActorName: it.ActorName, GroupID: it.GroupID, ThreadID: it.ThreadID, CommentID: it.CommentID, PollID: it.PollID,
			Title: it.Title, Excerpt: it.Excerpt, CreatedAt: it.CreatedAt, Read: it.ReadAt != 0 || it.ID <= c.ReadThrough}})
	}
	return rows, page.Next, nil
}
