package discussion

import (
	"context"
	"time"

	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/reaction"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Stored items (docs/data-model.md, patterns 22-30).

func itemSK(id string) string           { return "ITEM#" + id }
func fileSK(fid string) string          { return "FILE#" + fid }
func readSK(tid string) string          { return "READ#" + tid }
func threadsPK(gid string) string       { return "THREADS#" + gid }
func historyPK(ref string) string       { return "HISTORY#" + ref }
func threadRef(tid string) string       { return "THREAD#" + tid }
func commentRef(tid, cid string) string { return "THREAD#" + tid + "#ITEM#" + cid }

const (
	threadSK   = "THREAD"
	itemPrefix = "ITEM#"
	purgePK    = "PURGE#THREAD"
	// activityLayout is fixed-width, so keys sort by time.
	activityLayout = "2006-01-02T15:04:05.000000000Z"
)

// activityKey is GSI1SK of a thread: pinned threads sort first in a
// descending query because "P#" > any digit.
func activityKey(t time.Time, pinned bool, tid string) string {
	k := t.UTC().Format(activityLayout) + "#" + tid
	if pinned {
		return "P#" + k
	}
	return k
}

// threadItem: PK=THREAD#<tid> SK=THREAD; GSI1PK=THREADS#<gid>
// GSI1SK=[P#]<activity>#<tid> while not deleted; GSI2PK=PURGE#THREAD
// GSI2SK=<purge at>#<tid> once deleted.
type threadItem struct {
	store.Item
	ID          string    `dynamo:"ID"`
	GroupID     string    `dynamo:"GroupID"`
	Title       string    `dynamo:"Title"`
	Description string    `dynamo:"Description"`
	AuthorID    string    `dynamo:"AuthorID"`
	AuthorName  string    `dynamo:"AuthorName"`
	CreatedAt   time.Time `dynamo:"CreatedAt"`
	UpdatedAt   time.Time `dynamo:"UpdatedAt"`
	EditedAt    time.Time `dynamo:"EditedAt,omitempty"`
	Activity    time.Time `dynamo:"Activity"`
	Closed      bool      `dynamo:"Closed"`
	Pinned      bool      `dynamo:"Pinned"`
	Deleted     bool      `dynamo:"Deleted"`
	DeletedAt   time.Time `dynamo:"DeletedAt,omitempty"`
	DeletedBy   string    `dynamo:"DeletedBy,omitempty"`
	// ItemCount counts timeline items ever appended (ADD, never versioned),
	// CommentCount visible comments.
	ItemCount    int64     `dynamo:"ItemCount"`
	CommentCount int64     `dynamo:"CommentCount"`
	Files        []FileRef `dynamo:"Files,omitempty"`
	// Tags are ids of the group's tags (written only through tags.go, with
	// the tag index in the same transaction; internal/tag).
	Tags []string `dynamo:"Tags,set,omitempty"`
	// GroupMentioned: an @group in the description told the whole group
	// (at the start or by an edit); a later edit never tells it again.
	GroupMentioned bool `dynamo:"GroupMentioned,omitempty"`
	// The description's @mentions, as a comment's (mentions.go): DescV
	// counts the description's versions (its fan-out job records only on
	// the one it read); DescHTML is the description rendered with the
	// mentions linked, valid while DescRenderV equals render.Version;
	// Mentions are the people it was found to mention.
	DescV       int64    `dynamo:"DescV,omitempty"`
	DescHTML    string   `dynamo:"DescHTML,omitempty"`
	DescRenderV int      `dynamo:"DescRenderV,omitempty"`
	Mentions    []string `dynamo:"Mentions,set,omitempty"`
	// Forking is set while comments are being forked into this new thread
	// (fork.go): it is not listed nor readable until the fork switches.
	Forking bool `dynamo:"Forking,omitempty"`
	// GuestCount counts the thread's guest grants: never below their
	// number, kept below MaxGuests by every write that adds one
	// (guestcap.go); absent until a guest is added or removed.
	GuestCount *int64 `dynamo:"GuestCount,omitempty"`
	// Reactions to the thread itself (thread_react.go).
	reactionSets
}

// reactionSets are the reactions of a comment or a thread: one top-level string set of
// user ids per allowed kind (DynamoDB's ADD works on top-level attributes).
type reactionSets struct {
	Thumbsup   []string `dynamo:"R_thumbsup,set,omitempty"`
	Thumbsdown []string `dynamo:"R_thumbsdown,set,omitempty"`
	Heart      []string `dynamo:"R_heart,set,omitempty"`
	Tada       []string `dynamo:"R_tada,set,omitempty"`
	Laugh      []string `dynamo:"R_laugh,set,omitempty"`
	Thinking   []string `dynamo:"R_thinking,set,omitempty"`
	Eyes       []string `dynamo:"R_eyes,set,omitempty"`
	Rocket     []string `dynamo:"R_rocket,set,omitempty"`
}

func (r *reactionSets) get(name string) []string {
	switch name {
	case "thumbsup":
		return r.Thumbsup
	case "thumbsdown":
		return r.Thumbsdown
	case "heart":
		return r.Heart
	case "tada":
		return r.Tada
	case "laugh":
		return r.Laugh
	case "thinking":
		return r.Thinking
	case "eyes":
		return r.Eyes
	case "rocket":
		return r.Rocket
	}
	return nil
}

func reactionAttr(name string) string { return reaction.Attr(name) }

// timelineItem: PK=THREAD#<tid> SK=ITEM#<sortable id>. Comments, replies
// and events share the shape; Removed items (deleted comments without
// replies) stay as counters' anchors but are not shown.
type timelineItem struct {
	store.Item
	ID        string    `dynamo:"ID"`
	ThreadID  string    `dynamo:"ThreadID"`
	Kind      string    `dynamo:"Kind"`
	ActorID   string    `dynamo:"ActorID,omitempty"`
	ActorName string    `dynamo:"ActorName,omitempty"`
	At        time.Time `dynamo:"At"`
	// Comments.
	ParentID  string   `dynamo:"ParentID,omitempty"`
	Ancestors []string `dynamo:"Ancestors,omitempty"`
	Depth     int      `dynamo:"Depth,omitempty"`
	Body      string   `dynamo:"Body,omitempty"`
	// HTML is Body rendered when written (render.Markdown), valid while
	// RenderV equals render.Version: a thread page does not render every
	// comment's Markdown again on every read.
	HTML     string    `dynamo:"HTML,omitempty"`
	RenderV  int       `dynamo:"RenderV,omitempty"`
	EditedAt time.Time `dynamo:"EditedAt,omitempty"`
	Deleted  bool      `dynamo:"Deleted,omitempty"`
	Removed  bool      `dynamo:"Removed,omitempty"`
	// Erased: removed in place with everything it held (remove.go); shown
	// as "comment removed".
	Erased     bool     `dynamo:"Erased,omitempty"`
	ReplyCount int64    `dynamo:"ReplyCount,omitempty"`
	Mentions   []string `dynamo:"Mentions,set,omitempty"`
	// GroupMentioned: an @group in the comment told the whole group (when
	// written or by an edit); a later edit never tells it again.
	GroupMentioned bool      `dynamo:"GroupMentioned,omitempty"`
	Files          []FileRef `dynamo:"Files,omitempty"`
	reactionSets
	// ForkedTo is the thread a forked comment went to (its place here is a
	// tombstone while it keeps replies that stayed).
	ForkedTo string `dynamo:"ForkedTo,omitempty"`
	// Events.
	RefID string            `dynamo:"RefID,omitempty"`
	Data  map[string]string `dynamo:"Data,omitempty"`
}

// historyItem: PK=HISTORY#<ref> SK=<sortable id>: one edit, with the
// values before and after of each changed field.
type historyItem struct {
	store.Item
	Ref      string            `dynamo:"Ref"`
	EditorID string            `dynamo:"EditorID"`
	Editor   string            `dynamo:"Editor"`
	At       time.Time         `dynamo:"At"`
	Before   map[string]string `dynamo:"Before"`
	After    map[string]string `dynamo:"After"`
}

// readItem: PK=USER#<uid> SK=READ#<tid>.
type readItem struct {
	store.Item
	ThreadID string    `dynamo:"ThreadID"`
	LastSeen string    `dynamo:"LastSeen"`
	Seen     int64     `dynamo:"Seen"`
	At       time.Time `dynamo:"At"`
	// Level is the reader's notification level for the thread, read with
	// the mark (threadAndRead); not stored here.
	Level notify.Level `dynamo:"-"`
}

// fileItem: PK=THREAD#<tid> SK=FILE#<fid>. Pending until confirmed
// (expires after a day if never confirmed).
type fileItem struct {
	store.Item
	ID          string    `dynamo:"ID"`
	ThreadID    string    `dynamo:"ThreadID"`
	CommentID   string    `dynamo:"CommentID,omitempty"`
	Key         string    `dynamo:"Key"`
	Name        string    `dynamo:"Name"`
	ContentType string    `dynamo:"ContentType"`
	Size        int64     `dynamo:"Size"`
	UploaderID  string    `dynamo:"UploaderID"`
	Status      string    `dynamo:"Status"` // pending, ready
	CreatedAt   time.Time `dynamo:"CreatedAt"`
}

// memberRow is a membership as the group core reports it
// (group.DecodeMembership), for mentions and fan-out.
type memberRow struct {
	GroupID string
	UserID  string
	Role    string
}

// EraseReadMarks deletes a batch of a deleted account's read positions
// (USER#<uid> / READ#<tid>); done when none are left.
func (s *Service) EraseReadMarks(ctx context.Context, uid string) (bool, error) {
	n, err := s.st.DeletePrefix(ctx, tabledef.UserPK(uid), "READ#", 25)
	return n == 0 && err == nil, err
}
