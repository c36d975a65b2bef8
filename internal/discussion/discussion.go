// Package discussion is Quorum's domain core for written discussions:
// threads in groups (and their invited guests), comments with nested
// replies, reactions and @mentions, one ordered timeline per thread that
// other cores (polls) append to, attachments uploaded straight to S3, edit
// history, read state and the notifications these cause (internal/notify).
//
// Every operation reads the actor from the context and asks the group
// policy through Policy (the group service), so secret groups and their
// threads and files answer NotFound to outsiders. Markdown is stored as
// written and rendered at read time through internal/render.
//
// Costs are bounded and documented in docs/data-model.md (patterns 22-30,
// 42-43, 49): a thread page is 4 DynamoDB calls for a member of a
// top-level group, however many comments it holds (up to 1 MB per page).
package discussion

import (
	"context"
	"html/template"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/reaction"
	"github.com/quorum-app/quorum/internal/render"
	"github.com/quorum-app/quorum/internal/secrets"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tag"
)

// Policy is what this core asks the group core, which owns groups and
// memberships: the policy and a few system reads (*group.Service
// implements it). Membership checks that ride in this core's own batch
// use group.MembershipKey, so the layout still lives in internal/group.
type Policy interface {
	// Authorize decides action on group gid (and target) for the actor of ctx.
	Authorize(ctx context.Context, gid string, action authz.Action, target authz.Target) error
	// Facts are the policy facts of group gid for the actor of ctx (what
	// Caps decides the thread page's controls from).
	Facts(ctx context.Context, gid string) (authz.GroupFacts, error)
	// GroupsOf lists up to limit groups uid is a member of (up to
	// group.MaxDashboardGroups, read once per read-only request).
	GroupsOf(ctx context.Context, uid string, limit int) ([]string, error)
	// Name is a group's name ("" for none); the caller has authorized.
	Name(ctx context.Context, gid string) (string, error)
	// The guest grants are the group core's (the policy's fact "guest
	// of"); this core writes them in its own writes with
	// group.NewThreadGuest, group.GuestKey and group.RefileThreadGuest.
	// ThreadGuests lists up to limit guests of a thread.
	ThreadGuests(ctx context.Context, tid string, limit int) ([]group.ThreadGuest, error)
	// ThreadGuestIDs lists the ids of up to limit guests of a thread.
	ThreadGuestIDs(ctx context.Context, tid string, limit int) ([]string, error)
	// ThreadGuestPage is a page of a thread's guests after cursor.
	ThreadGuestPage(ctx context.Context, tid, cursor string, limit int) (store.Page[group.ThreadGuest], error)
	// GuestGrantsOf lists up to limit of a person's guest grants, read
	// once per read-only request (the dashboard's polls ask them too).
	GuestGrantsOf(ctx context.Context, uid string, limit int) ([]group.GuestOf, error)
}

// Person is what discussions need to know about a user.
type Person struct {
	ID   string
	Name string
	// Email is the account's (verified) address; accepting a guest
	// invitation compares it with the invited one.
	Email string
	// Lang and TimeZone are the person's settings: emails to them are in
	// their language, with dates in their zone ("" is English, UTC).
	Lang     lang.Lang
	TimeZone string
}

// People looks people up (the account service, through an adapter).
type People interface {
	// UserByID returns the person or a domain NotFound error.
	UserByID(ctx context.Context, id string) (Person, error)
	// UserIDByEmail returns the account registered with email, false if none.
	UserIDByEmail(ctx context.Context, email string) (string, bool, error)
}

// Config are the Service's dependencies.
type Config struct {
	Store    storage
	Policy   Policy
	People   People
	Notify   *notify.Service
	Uploads  *blob.Uploads
	Renderer *render.Renderer
	// SigningKey is the root secret (timeline cursors derive their key from it).
	SigningKey []byte
	Log        *slog.Logger
	Now        func() time.Time
	// MaxDepth is the deepest reply level (1 = top-level comments only);
	// default 2. Deeper replies attach to the deepest allowed parent.
	MaxDepth int
	// PurgeAfter is how long a deleted thread stays restorable; default 30 days.
	PurgeAfter time.Duration
	// Mail sends guest invitations from MailFrom, with links under
	// BaseURL; without them, inviting an address without an account
	// answers Unavailable.
	Mail     mail.Sender
	MailFrom string
	BaseURL  *url.URL
	// OnGuestRemoved, if set, runs after a guest of thread tid (group gid)
	// lost their grant: the decision core withdraws their ballots from the
	// thread's open polls, as for a member who leaves. Its error is logged.
	OnGuestRemoved func(ctx context.Context, gid, tid, uid string) error
	// Audit records edits and deletions of other people's content and
	// thread deletions in the group's record, in the change's own
	// transaction (audit.Service); nil records nothing (unit tests).
	Audit Recorder
	// Catalog words the emails in their reader's language (nil: a new one).
	Catalog *i18n.Catalog
	// Tags are the groups' tags (nil: a tag.Service on Store and Policy).
	Tags *tag.Service
	// Polls finds and moves a thread's polls when the thread moves to
	// another group (move.go); nil looks for none (unit tests).
	Polls ThreadPolls
	// Files reads attached files' contents for a group export (blob.Objects
	// on the uploads bucket; nil: exports list files without contents).
	Files FileReader
}

// FileReader reads an object of the uploads bucket by its key.
type FileReader interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// Recorder adds an admin action's entry to the transaction that does it.
type Recorder interface {
	Record(ctx context.Context, tx *store.Tx, gid string, action audit.Action, target audit.Target, details map[string]string) error
}

// record adds an audit entry about a thread or comment to tx.
func (s *Service) record(ctx context.Context, tx *store.Tx, gid string, action audit.Action, kind, id string, details map[string]string) error {
	return s.audit.Record(ctx, tx, gid, action, audit.Target{Kind: kind, ID: id}, details)
}

// Service implements discussions.
type Service struct {
	st         storage
	policy     Policy
	people     People
	notify     *notify.Service
	uploads    *blob.Uploads
	files      FileReader
	r          *render.Renderer
	cursorKey  []byte
	log        *slog.Logger
	now        func() time.Time
	maxDepth   int
	purgeAfter time.Duration
	mail       mail.Sender
	from       string
	base       string
	inviteKey  []byte
	onGuestOut func(ctx context.Context, gid, tid, uid string) error
	audit      Recorder
	cat        *i18n.Catalog
	tags       *tag.Service
	polls      ThreadPolls
	forkKey    []byte
	// moveFault, set only by tests (export_test.go), fails a move's step
	// of the phase it names, as a crash there would.
	moveFault func(phase string) error
}

// New returns a Service.
func New(c Config) *Service {
	s := &Service{st: c.Store, policy: c.Policy, people: c.People, notify: c.Notify, uploads: c.Uploads, files: c.Files, r: c.Renderer,
		cursorKey: secrets.DeriveKey(c.SigningKey, "timeline-cursor"), log: c.Log, now: c.Now, maxDepth: c.MaxDepth,
		purgeAfter: c.PurgeAfter, mail: c.Mail, from: c.MailFrom, onGuestOut: c.OnGuestRemoved, audit: c.Audit,
		inviteKey: secrets.DeriveKey(c.SigningKey, "thread-guest-invitation"), cat: c.Catalog, tags: c.Tags, polls: c.Polls,
		forkKey: secrets.DeriveKey(c.SigningKey, "thread-fork")}
	if s.cat == nil {
		s.cat = i18n.New()
	}
	if s.tags == nil {
		s.tags = tag.New(tag.Config{Store: c.Store, Policy: c.Policy, Audit: c.Audit, Now: c.Now, Log: c.Log})
	}
	s.tags.Own(tag.Thread, s) // the tags' purge asks this core to write its items' Tags
	if c.BaseURL != nil {
		s.base = strings.TrimRight(c.BaseURL.String(), "/")
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.audit == nil {
		s.audit = audit.Discard
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.maxDepth <= 0 {
		s.maxDepth = 2
	}
	if s.purgeAfter <= 0 {
		s.purgeAfter = 30 * 24 * time.Hour
	}
	if s.r == nil {
		s.r = render.New()
	}
	if s.notify == nil {
		s.notify = notify.New(c.Store, s.now)
	}
	return s
}

// Limits of user input.
const (
	MaxTitle       = 200
	MaxBody        = 50_000
	MaxMentions    = 20
	MaxFileName    = 200
	MaxFilesPerRef = 20
	// TimelinePageSize is the default (and largest useful) page of a
	// timeline: one Query returns it, up to DynamoDB's 1 MB per response.
	TimelinePageSize = 500
	MaxTimelinePage  = 1000
)

// Errors with meaning for the user.
var (
	ErrNoThread     = domain.Errorf(domain.NotFound, "not found")
	ErrNoComment    = domain.Errorf(domain.NotFound, "there is no such comment")
	ErrNoFile       = domain.Errorf(domain.NotFound, "there is no such file")
	ErrClosed       = domain.Errorf(domain.Conflict, "this thread is closed: reopen it to comment")
	ErrAlreadyOpen  = domain.Errorf(domain.Conflict, "this thread is already open")
	ErrAlreadyShut  = domain.Errorf(domain.Conflict, "this thread is already closed")
	ErrChanged      = domain.Errorf(domain.Conflict, "this was changed by someone else in the meantime; reload and try again")
	ErrParentGone   = domain.Errorf(domain.Conflict, "the comment you replied to was deleted")
	ErrBadReaction  = domain.Validation(domain.FieldError{Field: "reaction", Message: "is not one of the allowed reactions"})
	ErrFileNotReady = domain.Errorf(domain.Conflict, "the file has not been confirmed yet")
)

// Reactions is the allow-list: name → emoji (internal/reaction, shared
// with the reactions of polls).
var Reactions = reaction.Emoji

// ReactionNames is the allow-list in display order.
var ReactionNames = reaction.Names

// FileRef is an attachment as shown on a thread or comment.
type FileRef struct {
	ID          string `json:"id" dynamo:"ID"`
	Name        string `json:"name" dynamo:"Name"`
	ContentType string `json:"content_type" dynamo:"ContentType"`
	Size        int64  `json:"size" dynamo:"Size"`
}

// Thread is a thread as the actor may see it.
type Thread struct {
	ID          string        `json:"id"`
	GroupID     string        `json:"group_id"`
	Title       string        `json:"title"`
	Description string        `json:"description"` // Markdown source
	HTML        template.HTML `json:"description_html"`
	AuthorID    string        `json:"author_id"`
	AuthorName  string        `json:"author_name"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
	EditedAt    *time.Time    `json:"edited_at,omitempty"`
	Activity    time.Time     `json:"last_activity"`
	Closed      bool          `json:"closed"`
	Pinned      bool          `json:"pinned"`
	Items       int64         `json:"items"`
	Comments    int64         `json:"comments"`
	Unread      int64         `json:"unread"`
	Files       []FileRef     `json:"files"`
	// Tags are the group's tags on the thread, sorted by name.
	Tags []tag.Tag `json:"tags"`
	// Reactions to the thread itself, in the allow-list's order.
	Reactions []Reaction `json:"reactions"`
	Version   int64      `json:"version"`
	// Notices tell the author of what did not happen as written (an
	// @group they may not send); only in the answer to their write.
	Notices []string `json:"notices,omitempty"`
}

// Reaction is one kind of reaction on a comment or a thread.
type Reaction struct {
	Name  string   `json:"name"`
	Emoji string   `json:"emoji"`
	Count int      `json:"count"`
	Mine  bool     `json:"mine"`
	Users []string `json:"users"`
}

// Item kinds on a timeline.
const (
	KindComment      = "comment"
	KindThreadEdited = "thread.edited"
	KindClosed       = "thread.closed"
	KindReopened     = "thread.reopened"
)

// Item is one entry of a thread's timeline: a comment (or reply) or an
// event. Comment fields are empty for events.
type Item struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	ActorID   string    `json:"actor_id,omitempty"`
	ActorName string    `json:"actor_name,omitempty"`
	At        time.Time `json:"at"`
	New       bool      `json:"new"` // after the reader's last seen position
	// Comments.
	ParentID string        `json:"parent_id,omitempty"`
	Depth    int           `json:"depth,omitempty"`
	Body     string        `json:"body,omitempty"` // Markdown source
	HTML     template.HTML `json:"body_html,omitempty"`
	EditedAt *time.Time    `json:"edited_at,omitempty"`
	Deleted  bool          `json:"deleted,omitempty"` // tombstone: replies remain
	// Removed: the comment was removed with everything it held (its
	// author's account deletion or an admin's moderation).
	Removed   bool       `json:"removed,omitempty"`
	Replies   int64      `json:"replies,omitempty"`
	Reactions []Reaction `json:"reactions,omitempty"`
	Files     []FileRef  `json:"files,omitempty"`
	Version   int64      `json:"version,omitempty"`
	// ForkedTo is the thread this comment was forked into (a tombstone
	// here while replies that stayed hang under it).
	ForkedTo string `json:"forked_to,omitempty"`
	// Events from other cores (polls): reference and small payload.
	RefID string            `json:"ref_id,omitempty"`
	Data  map[string]string `json:"data,omitempty"`
	// Notices tell the author of what did not happen as written (an
	// @group they may not send); only in the answer to their write.
	Notices []string `json:"notices,omitempty"`
}

// ThreadPage is everything a thread page shows.
type ThreadPage struct {
	Thread Thread `json:"thread"`
	Items  []Item `json:"items"`
	Next   string `json:"next,omitempty"`
	// LastSeen is the reader's position before this page was read.
	LastSeen string `json:"last_seen,omitempty"`
	// FirstUnread is the first item of this page that is new for the
	// reader (Item.New), where the page opens.
	FirstUnread string `json:"first_unread,omitempty"`
	// Earlier is true when the page does not start at the beginning of
	// the thread (a cursor, or PageAt beyond the first page).
	Earlier bool `json:"-"`
	// Level is the reader's own notification level for the thread ("" when
	// unset: the group's level applies, group.Group.MyLevel), read in the
	// batch that reads the thread and the read mark.
	Level notify.Level `json:"level,omitempty"`
}

// ThreadPageCalls is the number of DynamoDB calls of Page for a member of a
// top-level group, whatever the number of comments (up to 1 MB per page):
// BatchGetItem (thread + read state), BatchGetItem of the group and the
// membership (the policy's facts), Query timeline. Subgroups add 1 (parent
// group and membership in one batch), guests 1 (their grants). A page
// holding comments stored by an older renderer that mention people adds a
// Query of the thread's guests and a lookup per person mentioned (at most
// MaxStaleMentions) to link those mentions.
const ThreadPageCalls = 3
