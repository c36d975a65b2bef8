package discussion

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/tag"
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

// ExportReaction is a reaction the person left on a comment (anyone's),
// or on a thread itself (no CommentID).
type ExportReaction struct {
	ThreadID  string `json:"thread_id"`
	CommentID string `json:"comment_id,omitempty"`
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
	// A file item's (FILE#; its id is ID).
	Name        string `dynamo:"Name"`
	ContentType string `dynamo:"ContentType"`
	Size        int64  `dynamo:"Size"`
}

// ExportUser does one step of uid's export scan from cursor ("" first) and
// returns its rows and the next cursor ("" when the scan is done).
func (s *Service) ExportUser(ctx context.Context, uid, cursor string) ([]any, string, error) {
	conds := []string{"$ = ?", "(begins_with($, ?) AND $ = ? AND $ = ?)", "(begins_with($, ?) AND $ = ? AND $ = ?)"}
	args := []any{"AuthorID", uid, "SK", "ITEM#", "ActorID", uid, "Kind", KindComment, "SK", "FILE#", "UploaderID", uid, "Status", "ready"}
	for _, r := range ReactionNames {
		conds = append(conds, "contains($, ?)")
		args = append(args, reactionAttr(r), uid)
	}
	found, next, err := store.ScanStep[exportScanItem](ctx, s.st, tabledef.ThreadPrefix, strings.Join(conds, " OR "), args, cursor, exportPage)
	if err != nil {
		return nil, "", err
	}
	var rows []any
	for _, it := range found {
		if it.SK == "THREAD" {
			for _, r := range ReactionNames {
				if slices.Contains(it.get(r), uid) {
					rows = append(rows, ExportReaction{ThreadID: strings.TrimPrefix(it.PK, tabledef.ThreadPrefix), Reaction: r})
				}
			}
		}
		switch {
		case strings.HasPrefix(it.SK, "FILE#"):
			// A file the person uploaded: listed here, its contents put in
			// the archive by the export (ExportOwnFile).
			rows = append(rows, ExportGroupFile{ThreadID: strings.TrimPrefix(it.PK, tabledef.ThreadPrefix), ID: it.ID,
				Name: it.Name, ContentType: it.ContentType, Size: it.Size})
		case it.SK == "THREAD" && it.AuthorID == uid:
			rows = append(rows, ExportThread{ID: strings.TrimPrefix(it.PK, tabledef.ThreadPrefix), GroupID: it.GroupID, Title: it.Title,
				Description: it.Description, CreatedAt: it.CreatedAt, EditedAt: it.EditedAt, Closed: it.Closed,
				Deleted: it.Deleted, Files: fileNames(it.Files)})
		case strings.HasPrefix(it.SK, "ITEM#") && it.Kind == KindComment:
			tid := strings.TrimPrefix(it.PK, tabledef.ThreadPrefix)
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

// reactionCounts is how many of each kind (nil when none).
func reactionCounts(rs []Reaction) map[string]int {
	var out map[string]int
	for _, r := range rs {
		if out == nil {
			out = map[string]int{}
		}
		out[r.Name] = r.Count
	}
	return out
}

func fileNames(fs []FileRef) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Name)
	}
	return out
}

// Group export (#16, admins): the group's threads, each with its whole
// timeline (comments with authors and text, events) and its files' names,
// read through Threads and Page as the export's owner (ctx's actor), so
// the policy is asked at every step. A step reads one page of threads'
// list or one page of one thread's timeline.

// ExportGroupThread is a thread of a group export.
type ExportGroupThread struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	AuthorID    string     `json:"author_id"`
	AuthorName  string     `json:"author_name"`
	CreatedAt   time.Time  `json:"created_at"`
	EditedAt    *time.Time `json:"edited_at,omitempty"`
	Closed      bool       `json:"closed"`
	Pinned      bool       `json:"pinned"`
	Comments    int64      `json:"comments"`
	// Tags are the group's tags on the thread (names and colours, as the
	// export's "tags" entity defines them), sorted by name.
	Tags []tag.Tag `json:"tags,omitempty"`
	// Reactions to the thread itself: how many of each kind.
	Reactions map[string]int `json:"reactions,omitempty"`
}

// ExportEntity names the row's file in the archive.
func (ExportGroupThread) ExportEntity() string { return "threads" }

// ExportGroupItem is one timeline item of a thread in a group export.
type ExportGroupItem struct {
	ThreadID  string            `json:"thread_id"`
	ID        string            `json:"id"`
	Kind      string            `json:"kind"`
	ActorID   string            `json:"actor_id,omitempty"`
	ActorName string            `json:"actor_name,omitempty"`
	At        time.Time         `json:"at"`
	ParentID  string            `json:"parent_id,omitempty"`
	Body      string            `json:"body,omitempty"`
	EditedAt  *time.Time        `json:"edited_at,omitempty"`
	Deleted   bool              `json:"deleted,omitempty"`
	Reactions map[string]int    `json:"reactions,omitempty"`
	RefID     string            `json:"ref_id,omitempty"`
	Data      map[string]string `json:"data,omitempty"`
}

// ExportEntity names the row's file in the archive.
func (ExportGroupItem) ExportEntity() string { return "timeline" }

// ExportGroupFile is a file attached in a thread (name and size; the
// archive does not hold its bytes yet).
type ExportGroupFile struct {
	ThreadID    string `json:"thread_id"`
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

// ExportEntity names the row's file in the archive.
func (ExportGroupFile) ExportEntity() string { return "files" }

// groupExportCursor is where a group export of threads stands: the threads
// list's cursor, the threads of the current list page still to do, and the
// timeline cursor of the first of them.
type groupExportCursor struct {
	List    string   `json:"l,omitempty"`
	Todo    []string `json:"t,omitempty"`
	Items   string   `json:"i,omitempty"`
	Started bool     `json:"s,omitempty"`
	Listed  bool     `json:"d,omitempty"` // the list has no more pages
}

const exportThreadsPage = 50

// ExportGroup does one step of group gid's threads export from cursor (""
// first) and returns its rows and the next cursor ("" when done).
func (s *Service) ExportGroup(ctx context.Context, gid, cursor string) ([]any, string, error) {
	var c groupExportCursor
	if cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || json.Unmarshal(raw, &c) != nil {
			return nil, "", domain.Errorf(domain.Internal, "discussion: malformed export cursor")
		}
	}
	var rows []any
	if len(c.Todo) == 0 {
		if c.Listed {
			return nil, "", nil
		}
		page, err := s.Threads(ctx, gid, c.List, exportThreadsPage)
		if err != nil {
			return nil, "", err
		}
		for _, t := range page.Items {
			c.Todo = append(c.Todo, t.ID)
		}
		c.List, c.Listed, c.Items, c.Started = page.Next, page.Next == "", "", false
	} else {
		tid := c.Todo[0]
		p, err := s.Page(ctx, tid, c.Items, MaxTimelinePage)
		switch {
		case domain.ErrorCode(err) == domain.NotFound:
			c.Todo, c.Items, c.Started = c.Todo[1:], "", false // deleted meanwhile
		case err != nil:
			return nil, "", err
		default:
			if !c.Started {
				t := p.Thread
				rows = append(rows, ExportGroupThread{ID: t.ID, Title: t.Title, Description: t.Description,
					AuthorID: t.AuthorID, AuthorName: t.AuthorName, CreatedAt: t.CreatedAt, EditedAt: t.EditedAt,
					Closed: t.Closed, Pinned: t.Pinned, Comments: t.Comments, Tags: t.Tags, Reactions: reactionCounts(t.Reactions)})
				for _, f := range t.Files {
					rows = append(rows, ExportGroupFile{ThreadID: tid, ID: f.ID, Name: f.Name, ContentType: f.ContentType, Size: f.Size})
				}
			}
			for _, it := range p.Items {
				rows = append(rows, ExportGroupItem{ThreadID: tid, ID: it.ID, Kind: it.Kind, ActorID: it.ActorID,
					ActorName: it.ActorName, At: it.At, ParentID: it.ParentID, Body: it.Body, EditedAt: it.EditedAt,
					Deleted: it.Deleted, Reactions: reactionCounts(it.Reactions), RefID: it.RefID, Data: it.Data})
				for _, f := range it.Files {
					rows = append(rows, ExportGroupFile{ThreadID: tid, ID: f.ID, Name: f.Name, ContentType: f.ContentType, Size: f.Size})
				}
			}
			c.Started = true
			if p.Next == "" {
				c.Todo, c.Items, c.Started = c.Todo[1:], "", false
			} else {
				c.Items = p.Next
			}
		}
	}
	if len(c.Todo) == 0 && c.Listed {
		return rows, "", nil
	}
	raw, _ := json.Marshal(c)
	return rows, base64.RawURLEncoding.EncodeToString(raw), nil
}
