package export

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Import is the other half of "take your data with you" (#16): a group
// export's JSON Lines (group.jsonl, in the archive as downloaded) become a
// new group on this deployment, created by the person who imports it (its
// only member, its admin).
//
// The flow, like an export's:
//  1. StartImport records the job (IMPORT#<id>) and returns a presigned
//     PUT of the archive to exports/imports/<id>/archive.zip (SSE-KMS; the
//     bucket's lifecycle removes it with the exports after 7 days);
//     Begin, after the upload, puts the job on the IMPORTS queue.
//     UploadImport does both for the page's form (no script needed).
//  2. The scheduler's tick runs steps as the importer. The first reads the
//     archive and splits group.jsonl into units (the group with its tags,
//     one per thread with its timeline, one per poll with its results,
//     outcome and ballots), stored as objects beside the archive; every
//     next step writes one bounded chunk of one unit through the core that
//     owns it (Importer), then moves the job's cursor with an update
//     conditioned on the cursor read. New ids are derived from the import's
//     id and the old ones, and every write is a put, so a repeated step
//     writes the same items again and nothing twice.
//  3. The last step records the import in the new group's audit log,
//     deletes the archive and the units and marks the job ready.
//
// People: a group export holds no email addresses (by design), so nobody
// in it can be matched with an account here. Every author and voter
// becomes a named placeholder, "Ada (imported)", with no account: their
// comments and ballots count and show their name; nobody can sign in as
// them, edit them or be notified for them. Members are not imported: the
// importer invites people afterwards.

// Import states besides the export's.
const (
	// Uploading: the job waits for its archive.
	Uploading = "uploading"
)

const (
	// ImportQueue is the GSI2 partition of pending imports.
	ImportQueue = "IMPORTS"
	// MaxImportArchive bounds the archive's size (the upload's limit).
	MaxImportArchive = 25 << 20
	// maxImportJSONL bounds group.jsonl uncompressed.
	maxImportJSONL = 200 << 20
	// maxImportUnits bounds the units (threads + polls + 1) of an import.
	maxImportUnits = 50000
	// maxImportLine bounds one line of group.jsonl.
	maxImportLine = 4 << 20
)

// Unit kinds.
const (
	UnitGroup  = "group"
	UnitThread = "thread"
	UnitPoll   = "poll"
)

// Line is one row of group.jsonl.
type Line = line

// Unit is one bounded piece of an import: the group with its tags, a
// thread with its timeline, or a poll with its results, outcome and
// ballots; Rows as they are in group.jsonl.
type Unit struct {
	Kind string `json:"kind"`
	Rows []Line `json:"rows"`
}

// Importer writes an import's units through the cores that own them, as
// the importer (ctx's actor).
type Importer interface {
	// ImportGroup creates the group (id fixed by the import) from unit 0
	// and its tags; repeated, it returns the same group.
	ImportGroup(ctx context.Context, importID, gid string, u Unit) error
	// ImportUnit writes unit u into group gid from cursor (0 first) and
	// returns the next cursor, -1 when u is done.
	ImportUnit(ctx context.Context, importID, gid string, u Unit, from int) (int, error)
	// FinishImport records the import in the group's audit log.
	FinishImport(ctx context.Context, gid string, details map[string]string) error
}

// Presigner presigns the archive's upload (blob.Uploads).
type Presigner interface {
	PresignPut(ctx context.Context, key, contentType string, size int64) (PresignedPut, error)
}

// PresignedPut is what the client needs to upload the archive.
type PresignedPut struct {
	URL     string            `json:"url"`
	Method  string            `json:"method"`
	Headers map[string]string `json:"headers"`
	Expires time.Time         `json:"expires"`
}

// ImportJob is an import as its owner sees it.
type ImportJob struct {
	ID        string        `json:"id"`
	State     string        `json:"state"`
	GroupID   string        `json:"group_id,omitempty"`
	Step      int           `json:"step"`
	Steps     int           `json:"steps"`
	Threads   int           `json:"threads"`
	Polls     int           `json:"polls"`
	Problem   string        `json:"problem,omitempty"`
	CreatedAt time.Time     `json:"created_at"`
	ReadyAt   time.Time     `json:"ready_at,omitzero"`
	ExpiresAt time.Time     `json:"expires_at"`
	Upload    *PresignedPut `json:"upload,omitempty"`
}

// importItem: PK=IMPORT#<id> SK=IMPORT; GSI1PK=USER#<owner>
// GSI1SK=IMPORT#<created>#<id>; GSI2PK=IMPORTS GSI2SK=<created>#<id> while
// queued or running; TTL = created + Retention.
type importItem struct {
	store.Item
	ID        string    `dynamo:"ID"`
	OwnerID   string    `dynamo:"OwnerID"`
	State     string    `dynamo:"State"`
	GroupID   string    `dynamo:"GroupID"`
	Units     int       `dynamo:"Units"`
	Unit      int       `dynamo:"Unit"`
	Cursor    int       `dynamo:"Cursor"`
	Threads   int       `dynamo:"Threads"`
	Polls     int       `dynamo:"Polls"`
	Attempts  int       `dynamo:"Attempts"`
	Problem   string    `dynamo:"Problem,omitempty"`
	CreatedAt time.Time `dynamo:"CreatedAt"`
	ReadyAt   time.Time `dynamo:"ReadyAt,omitempty"`
}

const importSK = "IMPORT"

func importPK(id string) string       { return "IMPORT#" + id }
func archiveKey(id string) string     { return "imports/" + id + "/archive.zip" }
func unitKey(id string, n int) string { return fmt.Sprintf("imports/%s/units/%06d.json", id, n) }

// ImportedID is the id, on this deployment, of thing old of import
// importID: derived, so a repeated step writes the same items.
func ImportedID(importID, old string) string {
	sum := sha256.Sum256([]byte("import#" + importID + "#" + old))
	return ids.FromHash(sum[:])
}

// Placeholder is the name an author or voter of an import shows under
// (they have no account here).
func Placeholder(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "Someone"
	}
	return name + " (imported)"
}

var (
	errNoImport    = domain.Errorf(domain.NotFound, "no such import")
	errImportBegun = domain.Errorf(domain.Conflict, "this import has started already")
	errNotUploaded = domain.Errorf(domain.Conflict, "the archive has not been uploaded yet")
)

func (s *Service) importView(j *importItem) ImportJob {
	steps := j.Units + 2 // reading the archive, the units, finishing
	step := 0
	switch {
	case j.State == Ready:
		step = steps
	case j.Units > 0:
		step = 1 + j.Unit
	}
	return ImportJob{ID: j.ID, State: j.State, GroupID: j.GroupID, Step: step, Steps: steps, Threads: j.Threads, Polls: j.Polls,
		Problem: j.Problem, CreatedAt: j.CreatedAt, ReadyAt: j.ReadyAt, ExpiresAt: j.CreatedAt.Add(Retention)}
}

// authorizeImport: whoever may create a group may import one, from a
// browser session or an API token.
func authorizeImport(a authz.Actor) error {
	return authz.Group(a, authz.GroupCreate, authz.GroupFacts{})
}

func (s *Service) newImport(ctx context.Context, state string) (*importItem, error) {
	a := authz.ActorFrom(ctx)
	if err := authorizeImport(a); err != nil {
		return nil, err
	}
	if s.c.Importer == nil {
		return nil, domain.Errorf(domain.Unavailable, "imports are not available here")
	}
	now := s.now().UTC()
	recent, err := s.importsOf(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, j := range recent {
		if now.Sub(j.CreatedAt) < 24*time.Hour {
			n++
		}
	}
	if n >= MaxPerDay {
		return nil, &domain.Error{Code: domain.RateLimited, Message: "at most 3 imports a day; try again tomorrow", RetryAfter: 24 * time.Hour}
	}
	id := ids.NewSortable(now)
	created := now.Format(time.RFC3339Nano)
	j := &importItem{Item: store.Item{PK: importPK(id), SK: importSK, Type: "import",
		GSI1PK: tabledef.UserPK(a.UserID), GSI1SK: "IMPORT#" + created + "#" + id},
		ID: id, OwnerID: a.UserID, State: state, CreatedAt: now}
	if state == Queued {
		j.GSI2PK, j.GSI2SK = ImportQueue, created+"#"+id
	}
	j.ExpireAt(now.Add(Retention))
	return j, nil
}

// StartImport records a new import waiting for its archive and returns
// where to upload it (size bytes of application/zip).
func (s *Service) StartImport(ctx context.Context, size int64) (ImportJob, error) {
	if size <= 0 || size > MaxImportArchive {
		return ImportJob{}, domain.Validation(domain.FieldError{Field: "size", Message: fmt.Sprintf("the archive must be 1 byte to %d MB", MaxImportArchive>>20)})
	}
	j, err := s.newImport(ctx, Uploading)
	if err != nil {
		return ImportJob{}, err
	}
	if s.c.Presigner == nil {
		return ImportJob{}, domain.Errorf(domain.Unavailable, "uploads are not available here")
	}
	put, err := s.c.Presigner.PresignPut(ctx, s.c.ImportPrefix+archiveKey(j.ID), "application/zip", size)
	if err != nil {
		return ImportJob{}, err
	}
	if err := s.c.Store.Create(ctx, j, nil); err != nil {
		return ImportJob{}, err
	}
	s.c.Log.InfoContext(ctx, "import requested", "import_id", j.ID)
	v := s.importView(j)
	v.Upload = &put
	return v, nil
}

// UploadImport records a new import with its archive (the page's form)
// and queues it.
func (s *Service) UploadImport(ctx context.Context, archive []byte) (ImportJob, error) {
	if len(archive) == 0 || len(archive) > MaxImportArchive {
		return ImportJob{}, domain.Validation(domain.FieldError{Field: "archive", Message: fmt.Sprintf("choose the archive of a group export (at most %d MB)", MaxImportArchive>>20)})
	}
	if _, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive))); err != nil {
		return ImportJob{}, domain.Validation(domain.FieldError{Field: "archive", Message: "this file is not a zip archive; choose the .zip a group export gave you"})
	}
	j, err := s.newImport(ctx, Queued)
	if err != nil {
		return ImportJob{}, err
	}
	if err := s.c.Objects.Put(ctx, archiveKey(j.ID), "application/zip", archive); err != nil {
		return ImportJob{}, err
	}
	if err := s.c.Store.Create(ctx, j, nil); err != nil {
		return ImportJob{}, err
	}
	s.c.Log.InfoContext(ctx, "import requested", "import_id", j.ID)
	return s.importView(j), nil
}

// ownImport reads import id for its owner (NotFound for anyone else).
func (s *Service) ownImport(ctx context.Context, id string) (*importItem, error) {
	a := authz.ActorFrom(ctx)
	if err := authorizeImport(a); err != nil {
		return nil, err
	}
	if !ids.Valid(id) {
		return nil, errNoImport
	}
	var j importItem
	if err := s.c.Store.Get(ctx, importPK(id), importSK, &j); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return nil, errNoImport
		}
		return nil, err
	}
	if j.OwnerID != a.UserID || s.now().Sub(j.CreatedAt) >= Retention {
		return nil, errNoImport
	}
	return &j, nil
}

// Begin queues import id once its archive is uploaded (its owner).
func (s *Service) Begin(ctx context.Context, id string) (ImportJob, error) {
	j, err := s.ownImport(ctx, id)
	if err != nil {
		return ImportJob{}, err
	}
	if j.State != Uploading {
		return s.importView(j), nil // begun already: a retry
	}
	if _, err := s.c.Objects.Get(ctx, archiveKey(j.ID)); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return ImportJob{}, errNotUploaded
		}
		return ImportJob{}, err
	}
	created := j.CreatedAt.UTC().Format(time.RFC3339Nano)
	err = s.c.Store.Update(j.PK, j.SK).Set("State", Queued).Set(tabledef.GSI2PK, ImportQueue).Set(tabledef.GSI2SK, created+"#"+j.ID).
		If("$ = ?", "State", Uploading).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return ImportJob{}, errImportBegun
	}
	if err != nil {
		return ImportJob{}, store.Classify(err)
	}
	j.State = Queued
	return s.importView(j), nil
}

// GetImport returns import id to its owner.
func (s *Service) GetImport(ctx context.Context, id string) (ImportJob, error) {
	j, err := s.ownImport(ctx, id)
	if err != nil {
		return ImportJob{}, err
	}
	return s.importView(j), nil
}

// Imports lists the actor's imports of the last 7 days, newest first (at
// most 10).
func (s *Service) Imports(ctx context.Context) ([]ImportJob, error) {
	a := authz.ActorFrom(ctx)
	if err := authorizeImport(a); err != nil {
		return nil, err
	}
	js, err := s.importsOf(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]ImportJob, 0, len(js))
	for i := range js {
		if now.Sub(js[i].CreatedAt) < Retention {
			out = append(out, s.importView(&js[i]))
		}
	}
	return out, nil
}

func (s *Service) importsOf(ctx context.Context, owner string) ([]importItem, error) {
	var out []importItem
	err := s.c.Store.Table().Get(tabledef.GSI1PK, tabledef.UserPK(owner)).Index(tabledef.GSI1).
		Range(tabledef.GSI1SK, dynamo.BeginsWith, "IMPORT#").Order(dynamo.Descending).Limit(maxListed).All(ctx, &out)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return nil, store.Classify(err)
	}
	return out, nil
}

// RunImports advances pending imports (the scheduler's tick), like Run.
func (s *Service) RunImports(ctx context.Context, maxJobs, maxSteps int) (Report, error) {
	var r Report
	if s.c.Importer == nil {
		return r, nil
	}
	var queued []store.Item
	err := s.c.Store.Table().Get(tabledef.GSI2PK, ImportQueue).Index(tabledef.GSI2).Limit(maxJobs).All(ctx, &queued)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return r, store.Classify(err)
	}
	var errs []error
	for _, q := range queued {
		id := strings.TrimPrefix(q.PK, "IMPORT#")
		for r.Steps < maxSteps {
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) < runReserve {
				return r, errors.Join(errs...)
			}
			done, failed, err := s.ImportStep(ctx, id)
			r.Steps++
			if err != nil {
				errs = append(errs, err)
				break
			}
			if done {
				if failed {
					r.Failed++
				} else {
					r.Finished++
				}
				break
			}
		}
	}
	return r, errors.Join(errs...)
}

// ImportStep does one step of import id: reading the archive, a chunk of
// one unit, or finishing. It reports done when the import has ended and
// failed when it failed for good.
func (s *Service) ImportStep(ctx context.Context, id string) (done, failed bool, err error) {
	var j importItem
	if err := s.c.Store.Get(ctx, importPK(id), importSK, &j); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return true, false, nil
		}
		return false, false, err
	}
	switch j.State {
	case Ready, Failed:
		return true, j.State == Failed, nil
	case Uploading:
		return true, false, nil
	}
	actx := authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: j.OwnerID, SessionID: "import:" + j.ID})
	if j.Units == 0 {
		err = s.splitImport(ctx, &j)
	} else if j.Unit >= j.Units {
		err = s.finishImport(actx, &j)
		if err == nil {
			return true, false, nil
		}
	} else {
		err = s.importUnit(actx, &j)
	}
	if err == nil {
		return false, false, nil
	}
	if code := domain.ErrorCode(err); code == domain.Invalid || code == domain.Forbidden || code == domain.NotFound {
		// The archive is wrong, or the importer may no longer create
		// groups: trying again will not help.
		return true, s.failImport(ctx, &j, err, true), nil
	}
	return false, s.failImport(ctx, &j, err, false), err
}

// failImport counts a failed step; a permanent failure, or maxAttempts of
// them, fails the import (off the queue) with a message for its owner.
func (s *Service) failImport(ctx context.Context, j *importItem, cause error, permanent bool) bool {
	s.c.Log.WarnContext(ctx, "import step failed", "import_id", j.ID, "unit", j.Unit, "error", cause.Error())
	if !permanent && j.Attempts+1 < maxAttempts {
		_ = s.c.Store.Update(j.PK, j.SK).Add("Attempts", 1).Run(ctx)
		return false
	}
	msg := "the import failed; try again later"
	var de *domain.Error
	if permanent && errors.As(cause, &de) {
		msg = de.Message
		if len(de.Fields) > 0 {
			msg = de.Fields[0].Message
		}
	}
	err := s.c.Store.Update(j.PK, j.SK).Set("State", Failed).Set("Problem", msg).Remove(tabledef.GSI2PK, tabledef.GSI2SK).Run(ctx)
	if err != nil {
		return false
	}
	s.c.Log.WarnContext(ctx, "import failed", "import_id", j.ID)
	return true
}

// splitImport reads the archive's group.jsonl and stores it as units.
func (s *Service) splitImport(ctx context.Context, j *importItem) error {
	archive, err := s.c.Objects.Get(ctx, archiveKey(j.ID))
	if err != nil {
		return err
	}
	jsonl, err := groupJSONL(archive)
	if err != nil {
		return err
	}
	units, err := SplitUnits(jsonl)
	if err != nil {
		return err
	}
	threads, polls := 0, 0
	for n, u := range units {
		switch u.Kind {
		case UnitThread:
			threads++
		case UnitPoll:
			polls++
		}
		b, err := json.Marshal(u)
		if err != nil {
			return domain.Wrap(domain.Internal, err, "import: encoding a unit")
		}
		if err := s.c.Objects.Put(ctx, unitKey(j.ID, n), "application/json", b); err != nil {
			return err
		}
	}
	err = s.c.Store.Update(j.PK, j.SK).Set("State", Running).Set("Units", len(units)).Set("Unit", 0).Set("Cursor", 0).
		Set("Threads", threads).Set("Polls", polls).Set("Attempts", 0).If("$ = ?", "Units", 0).Run(ctx)
	if err != nil && !dynamo.IsCondCheckFailed(err) {
		return store.Classify(err)
	}
	return nil
}

// groupJSONL returns group.jsonl of an export archive (or the file itself
// when it is JSON Lines, not a zip).
func groupJSONL(archive []byte) ([]byte, error) {
	z, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		return nil, domain.Validation(domain.FieldError{Field: "archive", Message: "this file is not a zip archive; upload the .zip a group export gave you"})
	}
	for _, f := range z.File {
		if f.Name != "group.jsonl" {
			continue
		}
		if f.UncompressedSize64 > maxImportJSONL {
			return nil, domain.Validation(domain.FieldError{Field: "archive", Message: fmt.Sprintf("group.jsonl is larger than %d MB", maxImportJSONL>>20)})
		}
		r, err := f.Open()
		if err != nil {
			return nil, domain.Validation(domain.FieldError{Field: "archive", Message: "group.jsonl cannot be read: " + err.Error()})
		}
		defer func() { _ = r.Close() }()
		b, err := io.ReadAll(io.LimitReader(r, maxImportJSONL+1))
		if err != nil || len(b) > maxImportJSONL {
			return nil, domain.Validation(domain.FieldError{Field: "archive", Message: "group.jsonl cannot be read"})
		}
		return b, nil
	}
	return nil, domain.Validation(domain.FieldError{Field: "archive", Message: "the archive has no group.jsonl: is it a group export?"})
}

// SplitUnits splits group.jsonl into an import's units: the group (with
// the tags) first, then each thread with its timeline items, then each
// poll with its results, outcome and ballots. Members, files and rows of
// other kinds are left out (see the package comment). Errors are
// Invalid, naming the line.
func SplitUnits(jsonl []byte) ([]Unit, error) {
	bad := func(n int, msg string) error {
		return domain.Validation(domain.FieldError{Field: "archive", Message: fmt.Sprintf("group.jsonl line %d: %s", n, msg)})
	}
	group := Unit{Kind: UnitGroup}
	var threads, polls []*Unit
	threadOf, pollOf := map[string]*Unit{}, map[string]*Unit{}
	n := 0
	for raw := range bytes.SplitSeq(jsonl, []byte("\n")) {
		n++
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		if len(raw) > maxImportLine {
			return nil, bad(n, "the line is too long")
		}
		var l line
		if err := json.Unmarshal(raw, &l); err != nil || l.Entity == "" || len(l.Data) == 0 {
			return nil, bad(n, "not a row of a group export")
		}
		var ref struct {
			ID       string `json:"id"`
			ThreadID string `json:"thread_id"`
			PollID   string `json:"poll_id"`
		}
		if err := json.Unmarshal(l.Data, &ref); err != nil {
			return nil, bad(n, "its data is not an object")
		}
		switch l.Entity {
		case "group":
			if len(group.Rows) > 0 && group.Rows[0].Entity == "group" {
				return nil, bad(n, "a second group")
			}
			group.Rows = append([]Line{l}, group.Rows...)
		case "tags":
			group.Rows = append(group.Rows, l)
		case "threads":
			if !ids.Valid(ref.ID) || threadOf[ref.ID] != nil {
				return nil, bad(n, "a thread without an id, or twice")
			}
			u := &Unit{Kind: UnitThread, Rows: []Line{l}}
			threadOf[ref.ID] = u
			threads = append(threads, u)
		case "timeline":
			u := threadOf[ref.ThreadID]
			if u == nil {
				return nil, bad(n, "a timeline item before its thread")
			}
			u.Rows = append(u.Rows, l)
		case "polls":
			if !ids.Valid(ref.ID) || pollOf[ref.ID] != nil {
				return nil, bad(n, "a poll without an id, or twice")
			}
			u := &Unit{Kind: UnitPoll, Rows: []Line{l}}
			pollOf[ref.ID] = u
			polls = append(polls, u)
		case "results", "outcomes", "ballots":
			u := pollOf[ref.PollID]
			if u == nil {
				return nil, bad(n, "a "+l.Entity+" row before its poll")
			}
			u.Rows = append(u.Rows, l)
		}
	}
	if len(group.Rows) == 0 || group.Rows[0].Entity != "group" {
		return nil, domain.Validation(domain.FieldError{Field: "archive", Message: "group.jsonl has no group: is it a group export?"})
	}
	if 1+len(threads)+len(polls) > maxImportUnits {
		return nil, domain.Validation(domain.FieldError{Field: "archive", Message: fmt.Sprintf("the export has more than %d threads and polls", maxImportUnits-1)})
	}
	out := make([]Unit, 0, 1+len(threads)+len(polls))
	out = append(out, group)
	for _, u := range threads {
		out = append(out, *u)
	}
	for _, u := range polls {
		out = append(out, *u)
	}
	return out, nil
}

// importUnit does one chunk of the job's current unit.
func (s *Service) importUnit(ctx context.Context, j *importItem) error {
	raw, err := s.c.Objects.Get(ctx, unitKey(j.ID, j.Unit))
	if err != nil {
		return err
	}
	var u Unit
	if err := json.Unmarshal(raw, &u); err != nil {
		return domain.Wrap(domain.Internal, err, "import: a unit is malformed")
	}
	gid := ImportedID(j.ID, "group")
	next := -1
	if j.Unit == 0 {
		err = s.c.Importer.ImportGroup(ctx, j.ID, gid, u)
	} else {
		next, err = s.c.Importer.ImportUnit(ctx, j.ID, gid, u, j.Cursor)
	}
	if err != nil {
		return err
	}
	up := s.c.Store.Update(j.PK, j.SK).Set("GroupID", gid).Set("Attempts", 0)
	if next < 0 {
		up = up.Add("Unit", 1).Set("Cursor", 0)
	} else {
		up = up.Set("Cursor", next)
	}
	err = up.If("$ = ? AND $ = ?", "Unit", j.Unit, "Cursor", j.Cursor).Run(ctx)
	if err != nil && !dynamo.IsCondCheckFailed(err) {
		return store.Classify(err)
	}
	return nil
}

// finishImport records the import in the group's log, deletes the
// archive and units and marks the job ready.
func (s *Service) finishImport(ctx context.Context, j *importItem) error {
	err := s.c.Store.Update(j.PK, j.SK).Set("State", Ready).Set("ReadyAt", s.now().UTC()).
		Remove(tabledef.GSI2PK, tabledef.GSI2SK).If("$ <> ?", "State", Ready).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return nil // another run finished it
	}
	if err != nil {
		return store.Classify(err)
	}
	if err := s.c.Importer.FinishImport(ctx, j.GroupID, map[string]string{"import": j.ID,
		"threads": fmt.Sprint(j.Threads), "polls": fmt.Sprint(j.Polls)}); err != nil {
		s.c.Log.WarnContext(ctx, "import not recorded", "import_id", j.ID, "error", err.Error())
	}
	keys := []string{archiveKey(j.ID)}
	for n := 0; n < j.Units; n++ {
		keys = append(keys, unitKey(j.ID, n))
	}
	if err := s.c.Objects.Delete(ctx, keys...); err != nil {
		s.c.Log.WarnContext(ctx, "import objects not deleted", "import_id", j.ID, "error", err.Error())
	}
	s.c.Log.InfoContext(ctx, "import ready", "import_id", j.ID, "units", j.Units)
	return nil
}
