// Package export is "Take your data with you" (#16): a person's personal
// export and a group's export for its admins. It orchestrates; it reads no
// other core's items. Each core exports its own entities through a
// Section (wired in internal/cores): one bounded step at a time, resumable
// from a cursor the core returns.
//
// The flow:
//  1. Request (personal) or RequestGroup (admins) writes, in one
//     transaction, the job item (EXPORT#<id>, on the GSI2 queue EXPORTS),
//     the subject's lock (one pending export per person and per group) and,
//     for a group, the audit entry. Nothing else happens in the request.
//  2. Run (the scheduler's tick) takes pending jobs and does steps: a step
//     asks one section for one batch of rows and writes them as a part
//     object (exports/<id>/parts/<n>.jsonl, SSE-KMS), then moves the job's
//     cursor with an update conditioned on the cursor read, so two runs
//     never both advance a job and a repeated part overwrites itself.
//  3. When every section is done, the parts become one zip
//     (exports/<id>/<name>.zip, SSE-KMS), the parts are deleted, the job is
//     marked ready (off the queue), the lock goes and the owner gets an
//     email in their language.
//  4. Download presigns a GET of the zip for two minutes, for the signed-in
//     owner only. The job item expires 7 days after the request (TTL) and
//     the bucket's lifecycle rule deletes objects under exports/ after 7
//     days (infra/), so nothing is kept longer.
package export

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Kinds of export.
const (
	Personal = "personal"
	Group    = "group"
)

// States of an export.
const (
	Queued  = "queued"
	Running = "running"
	Ready   = "ready"
	Failed  = "failed"
)

// InProgress reports whether an export or import in state is still being
// prepared (queued or running): its page refreshes to show the progress.
func InProgress(state string) bool { return state == Queued || state == Running }

const (
	// Retention is how long an export (item and archive) is kept.
	Retention = 7 * 24 * time.Hour
	// LinkTTL is how long a download link works.
	LinkTTL = 2 * time.Minute
	// Queue is the GSI2 partition of pending exports.
	Queue = "EXPORTS"
	// MaxPerDay bounds the exports one person or group asks for in 24 hours.
	MaxPerDay = 3
	// maxAttempts failed steps fail the export.
	maxAttempts = 5
	// maxListed bounds the exports listed for one owner.
	maxListed = 10
	// maxParts bounds the parts of one export (a step's rows are at most a
	// scan page: thousands of parts are millions of rows).
	maxParts = 20000
	// runReserve is the time a run keeps before its deadline.
	runReserve = 10 * time.Second
)

// Section is one core's part of an export: Step returns one bounded batch
// of rows about subject (a user id, or a group id) from cursor ("" first)
// and the next cursor ("" when the section is done). Each row is a value of
// the core's own type with a method ExportEntity() string naming its entity
// (the archive's file); rows are encoded as JSON.
type Section struct {
	Name string
	Step func(ctx context.Context, subject, cursor string) (rows []any, next string, err error)
}

// Single adapts a one-step export (no cursor) to Section.Step.
func Single(f func(ctx context.Context, subject string) ([]any, error)) func(context.Context, string, string) ([]any, string, error) {
	return func(ctx context.Context, subject, _ string) ([]any, string, error) {
		rows, err := f(ctx, subject)
		return rows, "", err
	}
}

// Objects is where parts and archives are stored (blob.Objects on the
// uploads bucket's exports/ prefix).
type Objects interface {
	Put(ctx context.Context, key, contentType string, data []byte) error
	Get(ctx context.Context, key string) ([]byte, error)
	Delete(ctx context.Context, keys ...string) error
	PresignGet(ctx context.Context, key, filename string, ttl time.Duration) (string, error)
}

// versionEraser is implemented by Objects in a versioned bucket: it
// removes every version and delete marker (blob.Objects.Erase).
type versionEraser interface {
	Erase(ctx context.Context, keys ...string) error
}

// Contacts gives the address and language of an export's owner (the
// account core).
type Contacts interface {
	ExportContact(ctx context.Context, uid string) (email, locale string, err error)
}

// Policy decides group actions (the group core).
type Policy interface {
	Authorize(ctx context.Context, gid string, action authz.Action, t authz.Target) error
}

// FileSource reads a file attached in a thread, as the export's owner.
type FileSource interface {
	ExportFile(ctx context.Context, threadID, fileID string) ([]byte, error)
}

// DefaultMaxFileBytes bounds the files' contents in one group archive.
const DefaultMaxFileBytes = 200 << 20

// Subgrouper lists the ids of group gid's subgroups the actor may see.
type Subgrouper interface {
	SubgroupIDs(ctx context.Context, gid string) ([]string, error)
}

// maxSubgroups bounds the subgroups one export includes.
const maxSubgroups = 100

// Auditor records a group export in the group's record, in the request's
// transaction (internal/audit).
type Auditor interface {
	RecordExport(ctx context.Context, tx *store.Tx, gid, format string) error
}

// Config wires a Service.
type Config struct {
	Store    storage
	Objects  Objects
	Contacts Contacts
	Mail     mail.Sender
	Catalog  *i18n.Catalog
	MailFrom string
	BaseURL  string
	// Personal and Group are the sections of each kind, in archive order.
	Personal []Section
	Group    []Section
	Policy   Policy
	Audit    Auditor
	// Files gives attached files' contents for group archives (the
	// discussion core); nil: files are listed without contents.
	Files FileSource
	// OwnFiles gives the contents of the files a person uploaded for their
	// personal archive (the discussion core's ExportOwnFile, as the
	// person); nil: listed without contents.
	OwnFiles FileSource
	// MaxFileBytes bounds the files' contents in one archive (0:
	// DefaultMaxFileBytes).
	MaxFileBytes int64
	// Subgroups lists a group's subgroups the actor may see (the group
	// core); nil: exports never include subgroups.
	Subgroups Subgrouper
	// Importer writes imports through the cores (nil: no imports);
	// Presigner presigns the archive's upload to ImportPrefix + key (the
	// uploads bucket's exports/ prefix, where Objects reads it).
	Importer     Importer
	Presigner    Presigner
	ImportPrefix string
	Log          *slog.Logger
	Now          func() time.Time
}

// Service runs exports.
type Service struct {
	c   Config
	now func() time.Time
}

// New returns the export service.
func New(c Config) *Service {
	now := c.Now
	if now == nil {
		now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{c: c, now: now}
}

// Export is one export as its owner sees it.
type Export struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	GroupID   string    `json:"group_id,omitempty"`
	State     string    `json:"state"`
	Rows      int       `json:"rows"`
	Step      int       `json:"step"`
	Steps     int       `json:"steps"`
	CreatedAt time.Time `json:"created_at"`
	ReadyAt   time.Time `json:"ready_at,omitzero"`
	ExpiresAt time.Time `json:"expires_at"`
	Size      int64     `json:"size,omitempty"`
	// Subgroups: how many subgroups the export includes.
	Subgroups int `json:"subgroups,omitempty"`
	// FileParts: how many further archives hold the files that did not fit
	// in the first (each up to the files' budget, 200 MB); downloaded with
	// their number, 1 to FileParts (DownloadPart).
	FileParts int `json:"file_parts,omitempty"`
	// Mine: the viewer asked for it (only they may download it).
	Mine bool `json:"mine"`
}

// jobItem: PK=EXPORT#<id> SK=EXPORT; GSI1PK=USER#<owner> (or
// EXPORTS#GROUP#<gid>) GSI1SK=EXPORT#<created>#<id>; GSI2PK=EXPORTS
// GSI2SK=<created>#<id> while pending; TTL = created + Retention.
type jobItem struct {
	store.Item
	ID        string    `dynamo:"ID"`
	Kind      string    `dynamo:"Kind"`
	OwnerID   string    `dynamo:"OwnerID"`
	GroupID   string    `dynamo:"GroupID,omitempty"`
	State     string    `dynamo:"State"`
	Section   int       `dynamo:"Section"`
	Cursor    string    `dynamo:"Cursor,omitempty"`
	Part      int       `dynamo:"Part"`
	Rows      int       `dynamo:"Rows"`
	Attempts  int       `dynamo:"Attempts"`
	CreatedAt time.Time `dynamo:"CreatedAt"`
	ReadyAt   time.Time `dynamo:"ReadyAt,omitempty"`
	Key       string    `dynamo:"Key,omitempty"`
	Size      int64     `dynamo:"Size,omitempty"`
	// FileParts: further archives of the files that did not fit in the
	// first; FilesDone: how many of them are written.
	FileParts int `dynamo:"FileParts,omitempty"`
	FilesDone int `dynamo:"FilesDone,omitempty"`
	// Subgroups are the subgroups a group export includes, in order, after
	// the group itself; Subject is the one being exported (0: the group,
	// k: Subgroups[k-1]) and SubjectParts the first part of each.
	Subgroups    []string `dynamo:"Subgroups,omitempty"`
	Subject      int      `dynamo:"Subject,omitempty"`
	SubjectParts []int    `dynamo:"SubjectParts,omitempty"`
}

// lockItem: PK=EXPORTLOCK#USER#<uid> or EXPORTLOCK#GROUP#<gid> SK=LOCK:
// the subject's pending export (one at a time), deleted when it ends.
type lockItem struct {
	store.Item
	ExportID string `dynamo:"ExportID"`
}

const (
	jobSK  = "EXPORT"
	lockSK = "LOCK"
)

func jobPK(id string) string { return "EXPORT#" + id }

func lockPK(kind, subject string) string {
	if kind == Group {
		return "EXPORTLOCK#GROUP#" + subject
	}
	return "EXPORTLOCK#USER#" + subject
}

func listPK(kind, subject string) string {
	if kind == Group {
		return "EXPORTS#GROUP#" + subject
	}
	return tabledef.UserPK(subject)
}

func (j *jobItem) subject() string {
	if j.Kind == Group {
		if j.Subject > 0 && j.Subject <= len(j.Subgroups) {
			return j.Subgroups[j.Subject-1]
		}
		return j.GroupID
	}
	return j.OwnerID
}

// lockSubject is the subject whose lock the job holds (the group itself).
func (j *jobItem) lockSubject() string {
	if j.Kind == Group {
		return j.GroupID
	}
	return j.OwnerID
}

func (s *Service) sections(kind string) []Section {
	if kind == Group {
		return s.c.Group
	}
	return s.c.Personal
}

func (s *Service) view(j *jobItem) Export {
	per := len(s.sections(j.Kind))
	steps := per*(1+len(j.Subgroups)) + 1
	step := min(j.Subject*per+j.Section, steps-1)
	if j.State == Ready {
		step = steps
	}
	return Export{ID: j.ID, Kind: j.Kind, GroupID: j.GroupID, State: j.State, Rows: j.Rows, Step: step, Steps: steps,
		CreatedAt: j.CreatedAt, ReadyAt: j.ReadyAt, ExpiresAt: j.CreatedAt.Add(Retention), Size: j.Size, Subgroups: len(j.Subgroups),
		FileParts: j.FileParts}
}

// FilePartNumbers are the numbers of the further archives, 1 to FileParts
// (for a page's list of downloads).
func (e Export) FilePartNumbers() []int {
	out := make([]int, e.FileParts)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

var (
	errPending = domain.Errorf(domain.Conflict, "an export is already being prepared; wait for it to finish")
	errGone    = domain.Errorf(domain.Gone, "this export has expired; ask for a new one")
	errNotYet  = domain.Errorf(domain.Conflict, "this export is not ready yet")
	errNoSuch  = domain.Errorf(domain.NotFound, "no such export")
)

// Request starts the actor's personal export. Browser sessions only (an
// API token cannot take everything about its owner away).
// Errors: Unauthorized, Forbidden (API token), Conflict (one is being
// prepared), RateLimited (MaxPerDay).
func (s *Service) Request(ctx context.Context) (Export, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.Account(a, authz.AccountExport, a.UserID); err != nil {
		return Export{}, err
	}
	return s.start(ctx, Personal, a.UserID, "", nil, nil)
}

// GroupOptions choose what a group export holds besides the group.
type GroupOptions struct {
	// Subgroups: each subgroup the admin may export (admins of the
	// subgroup), nested in the archive under subgroups/<id>/.
	Subgroups bool `json:"subgroups"`
}

// RequestGroup starts an export of group gid (admins; recorded in the
// group's audit log in the same transaction).
func (s *Service) RequestGroup(ctx context.Context, gid string) (Export, error) {
	return s.RequestGroupWith(ctx, gid, GroupOptions{})
}

// RequestGroupWith is RequestGroup with options: with Subgroups, every
// subgroup the admin may export too (they are asked again at every step).
func (s *Service) RequestGroupWith(ctx context.Context, gid string, opt GroupOptions) (Export, error) {
	a := authz.ActorFrom(ctx)
	if !ids.Valid(gid) {
		return Export{}, errNoSuch
	}
	if err := s.c.Policy.Authorize(ctx, gid, authz.GroupExport, authz.Target{Kind: "group", ID: gid}); err != nil {
		return Export{}, err
	}
	var subs []string
	if opt.Subgroups && s.c.Subgroups != nil {
		ids, err := s.c.Subgroups.SubgroupIDs(ctx, gid)
		if err != nil {
			return Export{}, err
		}
		for _, id := range ids {
			if len(subs) == maxSubgroups {
				break
			}
			if s.c.Policy.Authorize(ctx, id, authz.GroupExport, authz.Target{Kind: "group", ID: id}) == nil {
				subs = append(subs, id)
			}
		}
	}
	format := "jsonl+csv+html"
	if opt.Subgroups {
		format += "+subgroups"
	}
	return s.start(ctx, Group, a.UserID, gid, subs, func(tx *store.Tx) error {
		if s.c.Audit == nil {
			return nil
		}
		return s.c.Audit.RecordExport(ctx, tx, gid, format)
	})
}

func (s *Service) start(ctx context.Context, kind, owner, gid string, subs []string, extra func(*store.Tx) error) (Export, error) {
	subject := owner
	if kind == Group {
		subject = gid
	}
	now := s.now().UTC()
	recent, err := s.list(ctx, kind, subject)
	if err != nil {
		return Export{}, err
	}
	n := 0
	for _, j := range recent {
		if now.Sub(j.CreatedAt) < 24*time.Hour {
			n++
		}
	}
	if n >= MaxPerDay {
		return Export{}, &domain.Error{Code: domain.RateLimited, Message: "at most 3 exports a day; try again tomorrow",
			RetryAfter: 24 * time.Hour}
	}
	id := ids.NewSortable(now)
	created := now.Format(time.RFC3339Nano)
	j := &jobItem{Item: store.Item{PK: jobPK(id), SK: jobSK, Type: "export",
		GSI1PK: listPK(kind, subject), GSI1SK: "EXPORT#" + created + "#" + id,
		GSI2PK: Queue, GSI2SK: created + "#" + id},
		ID: id, Kind: kind, OwnerID: owner, GroupID: gid, State: Queued, CreatedAt: now, Subgroups: subs}
	j.ExpireAt(now.Add(Retention))
	l := &lockItem{Item: store.Item{PK: lockPK(kind, subject), SK: lockSK, Type: "export_lock"}, ExportID: id}
	l.ExpireAt(now.Add(Retention))
	tx := s.c.Store.Tx().Create(j, nil).Create(l, errPending)
	if kind == Group {
		// The admin's index of the group exports they asked for: erased with
		// their account.
		o := &ownerIndexItem{Item: store.Item{PK: tabledef.UserPK(owner), SK: ownerIndexSK(id), Type: "export_owner_index"}, ExportID: id}
		o.ExpireAt(now.Add(Retention))
		tx.Put(o)
	}
	if extra != nil {
		if err := extra(tx); err != nil {
			return Export{}, err
		}
	}
	if err := tx.Run(ctx, ""); err != nil {
		return Export{}, err
	}
	s.c.Log.InfoContext(ctx, "export requested", "export_id", id, "kind", kind)
	return s.view(j), nil
}

func (s *Service) list(ctx context.Context, kind, subject string) ([]jobItem, error) {
	var out []jobItem
	err := s.c.Store.Table().Get(tabledef.GSI1PK, listPK(kind, subject)).Index(tabledef.GSI1).
		Range(tabledef.GSI1SK, dynamo.BeginsWith, "EXPORT#").Order(dynamo.Descending).Limit(maxListed).All(ctx, &out)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return nil, store.Classify(err)
	}
	return out, nil
}

// List returns the actor's personal exports of the last 7 days, newest
// first (at most 10).
func (s *Service) List(ctx context.Context) ([]Export, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.Account(a, authz.AccountExport, a.UserID); err != nil {
		return nil, err
	}
	return s.views(ctx, Personal, a.UserID)
}

// ListGroup returns group gid's exports of the last 7 days (admins).
func (s *Service) ListGroup(ctx context.Context, gid string) ([]Export, error) {
	if !ids.Valid(gid) {
		return nil, errNoSuch
	}
	if err := s.c.Policy.Authorize(ctx, gid, authz.GroupExport, authz.Target{Kind: "group", ID: gid}); err != nil {
		return nil, err
	}
	return s.views(ctx, Group, gid)
}

func (s *Service) views(ctx context.Context, kind, subject string) ([]Export, error) {
	js, err := s.list(ctx, kind, subject)
	if err != nil {
		return nil, err
	}
	now := s.now()
	me := authz.ActorFrom(ctx).UserID
	out := make([]Export, 0, len(js))
	for i := range js {
		if now.Sub(js[i].CreatedAt) >= Retention {
			continue // the TTL will remove it
		}
		v := s.view(&js[i])
		v.Mine = js[i].OwnerID == me
		out = append(out, v)
	}
	return out, nil
}

// Download returns a link to export id's archive that works for LinkTTL:
// only for the person who asked for it, signed in (a personal export with
// a browser session; a group export while they are still its admin).
// Errors: NotFound (unknown, or someone else's), Conflict (not ready),
// Gone (expired).
func (s *Service) Download(ctx context.Context, id string) (string, time.Time, error) {
	return s.DownloadPart(ctx, id, 0)
}

// DownloadPart is Download of the export's archive part: 0 the archive,
// 1 to FileParts the further archives of files that did not fit in it.
// Errors: as Download; NotFound for a part the export does not have.
func (s *Service) DownloadPart(ctx context.Context, id string, part int) (string, time.Time, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.RequireUser(a); err != nil {
		return "", time.Time{}, err
	}
	if !ids.Valid(id) {
		return "", time.Time{}, errNoSuch
	}
	var j jobItem
	if err := s.c.Store.Get(ctx, jobPK(id), jobSK, &j); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return "", time.Time{}, errNoSuch
		}
		return "", time.Time{}, err
	}
	if j.OwnerID != a.UserID {
		return "", time.Time{}, errNoSuch
	}
	switch j.Kind {
	case Group:
		if err := s.c.Policy.Authorize(ctx, j.GroupID, authz.GroupExport, authz.Target{Kind: "group", ID: j.GroupID}); err != nil {
			return "", time.Time{}, err
		}
	default:
		if err := authz.Account(a, authz.AccountExport, a.UserID); err != nil {
			return "", time.Time{}, err
		}
	}
	now := s.now()
	if now.Sub(j.CreatedAt) >= Retention {
		return "", time.Time{}, errGone
	}
	if j.State != Ready {
		return "", time.Time{}, errNotYet
	}
	key, name := j.Key, archiveName(&j)
	if part < 0 || part > j.FileParts {
		return "", time.Time{}, errNoSuch
	}
	if part > 0 {
		key, name = filePartKey(j.ID, part), filePartName(&j, part)
	}
	url, err := s.c.Objects.PresignGet(ctx, key, name, LinkTTL)
	if err != nil {
		return "", time.Time{}, err
	}
	return url, now.Add(LinkTTL), nil
}

// EraseUser deletes a deleted account's personal exports (items, parts,
// archives, with every version) and its pending lock, and the group exports
// the person asked for (nobody else may download them): one call does up to
// 10 of each. It reports done when none were left.
func (s *Service) EraseUser(ctx context.Context, uid string) (bool, error) {
	js, err := s.list(ctx, Personal, uid)
	if err != nil {
		return false, err
	}
	for i := range js {
		if err := s.eraseJob(ctx, &js[i]); err != nil {
			return false, err
		}
	}
	if err := s.c.Store.Delete(ctx, lockPK(Personal, uid), lockSK); err != nil {
		return false, err
	}
	n, err := s.eraseGroupExportsOf(ctx, uid)
	if err != nil || len(js) == maxListed || n == maxListed {
		return false, err
	}
	return s.sweepGroupExportsOf(ctx, uid)
}

// SetFileBudget sets the bytes of files one archive holds (default
// DefaultMaxFileBytes); the files past it go into further archives.
// Wiring and tests only, before the first export runs.
func (s *Service) SetFileBudget(n int64) { s.c.MaxFileBytes = n }
