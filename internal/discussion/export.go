package discussion

import (
	"context"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/store"
)

// Personal export (#16): the threads a person started, the comments they
// wrote and their reactions. Threads and comments are not indexed by
// author, so this is a resumable scan of the core's THREAD# items
// (store.ScanStep), one page per call, as the deletion's rename scan is.

// exportPage bounds the items one export step evaluates.
const exportPage = 1000

// ExportThread is a thread the person started.
type ExportThread struct {
	ID          string    `json:"id"`
	GroupID     string    `json:"group_id"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	EditedAt    time.Time `json:"edited_at,omitzero"`
	Closed      bool      `json:"closed"`
	Deleted     bool      `json:"deleted"`
	Files       []string  `json:"files,omitempty"`
}

// ExportEntity names the row's file in the archive.
func (ExportThread) ExportEntity() string { return "threads" }

// ExportComment is a comment the person wrote (its text, or that it was
// deleted).
type ExportComment struct {
	ID       string    `json:"id"`
	ThreadID string    `json:"thread_id"`
	ParentID string    `json:"parent_id,omitempty"`
	Body     string    `json:"body"`
	At       time.Time `json:"at"`
	EditedAt time.Time `json:"edited_at,omitzero"`
	Deleted  bool      `json:"deleted,omitempty"`
	Files    []string  `json:"files,omitempty"`
}

// ExportEntity names the row's file in the archive.
func (ExportComment) ExportEntity() string { return "comments" }

// ExportReaction is a reaction the person left on a comment (anyone's).
type ExportReaction struct {
	ThreadID  string `json:"thread_id"`
	CommentID string `json:"comment_id"`
	Reaction  string `json:"reaction"`
}

// ExportEntity names the row's file in the archive.
func (ExportReaction) ExportEntity() string { return "reactions" }

// exportScanItem is the union of the thread and timeline items the scan reads.
type exportScanItem struct {
	timelineItem
	GroupID     string    `dynamo:"GroupID"`
	Title       string    `dynamo:"Title"`
	Description string    `dynamo:"Description"`
	AuthorID    string    `dynamo:"AuthorID"`
	CreatedAt   time.Time `dynamo:"CreatedAt"`
	Closed      bool      `dynamo:"Closed"`
}

// ExportUser does one step of uid's export scan from cursor ("" first) and
// returns its rows and the next cursor ("" when the scan is done).
func (s *Service) ExportUser(ctx context.Context, uid, cursor string) ([]any, string, error) {
	conds := []string{"$ = ?", "(begins_with($, ?) AND $ = ? AND $ = ?)"}
	args := []any{"AuthorID", uid, "SK", "ITEM#", "ActorID", uid, "Kind", KindComment}
	for _, r := range ReactionNames {
		conds = append(conds, "contains($, ?)")
		args = append(args, reactionAttr(r), uid)
	}
	found, next, err := store.ScanStep[exportScanItem](ctx, s.st, "THREAD#", strings.Join(conds, " OR "), args, cursor, exportPage)
	if err != nil {
		return nil, "", err
	}
	var rows []any
	for _, it := range found {
		switch {
		case it.SK == "THREAD" && it.AuthorID == uid:
			rows = append(rows, ExportThread{ID: strings.TrimPrefix(it.PK, "THREAD#"), GroupID: it.GroupID, Title: it.Title,
				Description: it.Description, CreatedAt: it.CreatedAt, EditedAt: it.EditedAt, Closed: it.Closed,
				Deleted: it.Deleted, Files: fileNames(it.Files)})
		case strings.HasPrefix(it.SK, "ITEM#") && it.Kind == KindComment:
			tid := strings.TrimPrefix(it.PK, "THREAD#")
			if it.ActorID == uid && !it.Removed {
				rows = append(rows, ExportComment{ID: it.ID, ThreadID: tid, ParentID: it.ParentID, Body: it.Body, At: it.At,
					EditedAt: it.EditedAt, Deleted: it.Deleted, Files: fileNames(it.Files)})
			}
			for _, r := range ReactionNames {
				for _, who := range it.get(r) {
					if who == uid {
						rows = append(rows, ExportReaction{ThreadID: tid, CommentID: it.ID, Reaction: r})
					}
				}
			}
		}
	}
	return rows, next, nil
}

func fileNames(fs []FileRef) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Name)
	}
	return out
}
