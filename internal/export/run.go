package export

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Report is what one Run did.
type Report struct {
	Steps    int `json:"steps"`
	Finished int `json:"finished"`
	Failed   int `json:"failed"`
}

// line is one row of a part object and of the JSON Lines archive.
type line struct {
	Entity string          `json:"entity"`
	Data   json.RawMessage `json:"data"`
}

// Run advances pending exports (the scheduler's tick): up to maxJobs jobs,
// at most maxSteps steps in all, stopping early near ctx's deadline. Every
// step is idempotent; an interrupted run is continued by the next.
func (s *Service) Run(ctx context.Context, maxJobs, maxSteps int) (Report, error) {
	var r Report
	var queued []store.Item
	err := s.c.Store.Table().Get(tabledef.GSI2PK, Queue).Index(tabledef.GSI2).Limit(maxJobs).All(ctx, &queued)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return r, store.Classify(err)
	}
	var errs []error
	for _, q := range queued {
		id := strings.TrimPrefix(q.PK, "EXPORT#")
		for r.Steps < maxSteps {
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) < runReserve {
				return r, errors.Join(errs...)
			}
			done, failed, err := s.Step(ctx, id)
			r.Steps++
			if err != nil {
				errs = append(errs, err)
				break
			}
			if failed {
				r.Failed++
			}
			if done {
				if !failed {
					r.Finished++
				}
				break
			}
		}
	}
	return r, errors.Join(errs...)
}

func partKey(id string, n int) string { return fmt.Sprintf("%s/parts/%06d.jsonl", id, n) }

// Step does one step of export id: a batch of one section, or the
// archive at the end. It reports done when the export has ended (ready or
// failed) and failed when it failed for good.
func (s *Service) Step(ctx context.Context, id string) (done, failed bool, err error) {
	var j jobItem
	if err := s.c.Store.Get(ctx, jobPK(id), jobSK, &j); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return true, false, nil
		}
		return false, false, err
	}
	if j.State == Ready || j.State == Failed {
		return true, j.State == Failed, nil
	}
	secs := s.sections(j.Kind)
	if j.Section >= len(secs) && j.Subject < len(j.Subgroups) {
		// The next subgroup: its sections from the start, its parts from
		// the next part on.
		err := s.c.Store.Update(j.PK, j.SK).Add("Subject", 1).Set("Section", 0).Remove("Cursor").
			Set("SubjectParts", append(append([]int{}, j.SubjectParts...), j.Part)).
			If("$ = ? AND (attribute_not_exists($) OR $ = ?)", "Section", j.Section, "Subject", "Subject", j.Subject).Run(ctx)
		if err != nil && !dynamo.IsCondCheckFailed(err) {
			return false, false, store.Classify(err)
		}
		return false, false, nil
	}
	if j.Section >= len(secs) {
		// The archive, then the further archives of files that did not
		// fit in it, one a step; the export is ready after the last.
		next := s.finish
		if j.Key != "" {
			next = s.filesPart
		}
		done, err := next(ctx, &j)
		if err != nil {
			return false, s.attempt(ctx, &j, err), err
		}
		return done, false, nil
	}
	// A step acts as the person who asked: the cores ask the policy again
	// (an admin who lost the role meanwhile exports no more of the group).
	actx := authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: j.OwnerID, SessionID: "export:" + j.ID})
	rows, next, err := secs[j.Section].Step(actx, j.subject(), j.Cursor)
	if err == nil && len(rows) > 0 {
		err = s.putPart(ctx, &j, rows)
	}
	if err != nil {
		return false, s.attempt(ctx, &j, err), err
	}
	u := s.c.Store.Update(j.PK, j.SK).Set("State", Running).Add("Rows", len(rows)).Set("Attempts", 0)
	if len(rows) > 0 {
		u = u.Add("Part", 1)
	}
	if next == "" {
		u = u.Add("Section", 1).Remove("Cursor")
	} else {
		u = u.Set("Cursor", next)
	}
	err = u.If("$ = ? AND $ = ? AND (attribute_not_exists($) OR $ = ?)", "Section", j.Section, "Part", j.Part, "Cursor", "Cursor", j.Cursor).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return false, false, nil // another run moved it on
	}
	if err != nil {
		return false, false, store.Classify(err)
	}
	return false, false, nil
}

func (s *Service) putPart(ctx context.Context, j *jobItem, rows []any) error {
	if j.Part >= maxParts {
		return domain.Errorf(domain.Internal, "export: more than %d parts", maxParts)
	}
	var b bytes.Buffer
	for _, r := range rows {
		data, err := json.Marshal(r)
		if err != nil {
			return domain.Wrap(domain.Internal, err, "export: encoding a row")
		}
		l, err := json.Marshal(line{Entity: entityOf(r), Data: data})
		if err != nil {
			return domain.Wrap(domain.Internal, err, "export: encoding a row")
		}
		b.Write(l)
		b.WriteByte('\n')
	}
	return s.c.Objects.Put(ctx, partKey(j.ID, j.Part), "application/x-ndjson", b.Bytes())
}

// entityOf names a row's entity: its ExportEntity method, else "other".
func entityOf(r any) string {
	if e, ok := r.(interface{ ExportEntity() string }); ok {
		return e.ExportEntity()
	}
	return "other"
}

// attempt counts a failed step; after maxAttempts the export fails (off
// the queue, lock released). It reports whether it failed.
func (s *Service) attempt(ctx context.Context, j *jobItem, cause error) bool {
	s.c.Log.WarnContext(ctx, "export step failed", "export_id", j.ID, "section", j.Section, "error", cause.Error())
	if j.Attempts+1 < maxAttempts {
		_ = s.c.Store.Update(j.PK, j.SK).Add("Attempts", 1).Run(ctx)
		return false
	}
	err := s.c.Store.Tx().
		Update(s.c.Store.Update(j.PK, j.SK).Set("State", Failed).Remove(tabledef.GSI2PK, tabledef.GSI2SK), nil).
		Delete(s.c.Store.DeleteOp(lockPK(j.Kind, j.lockSubject()), lockSK).If("attribute_not_exists($) OR ExportID = ?", tabledef.PK, j.ID), nil).
		Run(ctx, "")
	if err != nil {
		return false
	}
	s.c.Log.WarnContext(ctx, "export failed", "export_id", j.ID)
	return true
}

// readParts reads an export's parts back: each subject's lines (the
// group's, then each subgroup's: parts from SubjectParts[k-1] on are
// subject k's), and the parts' keys.
func (s *Service) readParts(ctx context.Context, j *jobItem) ([][]line, []string, error) {
	// The parts are numbered from 0 (the job counts them): no listing of
	// the bucket, which the functions may not do.
	keys := make([]string, j.Part)
	for i := range keys {
		keys[i] = partKey(j.ID, i)
	}
	subjects := make([][]line, 1+len(j.Subgroups))
	for n, k := range keys {
		subj := 0
		for _, first := range j.SubjectParts {
			if n >= first {
				subj++
			}
		}
		subj = min(subj, len(subjects)-1)
		data, err := s.c.Objects.Get(ctx, k)
		if err != nil {
			return nil, nil, err
		}
		for _, raw := range bytes.Split(data, []byte("\n")) {
			if len(raw) == 0 {
				continue
			}
			var l line
			if err := json.Unmarshal(raw, &l); err != nil {
				return nil, nil, domain.Wrap(domain.Internal, err, "export: a part is malformed")
			}
			subjects[subj] = append(subjects[subj], l)
		}
	}
	return subjects, keys, nil
}

// fileSource is where an export's files' contents come from.
func (s *Service) fileSource(j *jobItem) FileSource {
	if j.Kind == Group {
		return s.c.Files
	}
	return s.c.OwnFiles
}

// finish builds the archive from the parts and stores it. Without files
// left over it completes the export; else it records how many further
// archives the files need (filesPart writes them, a step each).
func (s *Service) finish(ctx context.Context, j *jobItem) (bool, error) {
	subjects, keys, err := s.readParts(ctx, j)
	if err != nil {
		return false, err
	}
	actx := authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: j.OwnerID, SessionID: "export:" + j.ID})
	files, err := s.fetchFiles(actx, s.fileSource(j), subjects, 0)
	if err != nil {
		return false, err
	}
	zipped, err := s.archive(ctx, j, subjects, files)
	if err != nil {
		return false, err
	}
	key := j.ID + "/" + archiveName(j)
	if err := s.c.Objects.Put(ctx, key, "application/zip", zipped); err != nil {
		return false, err
	}
	if files.parts > 0 {
		err := s.c.Store.Update(j.PK, j.SK).Set("Key", key).Set("Size", len(zipped)).Set("FileParts", files.parts).
			Set("FilesDone", 0).If("attribute_not_exists($)", "Key").Run(ctx)
		if err != nil && !dynamo.IsCondCheckFailed(err) {
			return false, store.Classify(err)
		}
		return false, nil
	}
	j.Key, j.Size = key, int64(len(zipped))
	return true, s.complete(ctx, j, keys)
}

func filePartKey(id string, n int) string { return fmt.Sprintf("%s/files-%d.zip", id, n) }

// filePartName is further archive n's file name.
func filePartName(j *jobItem, n int) string {
	return strings.TrimSuffix(archiveName(j), ".zip") + fmt.Sprintf("-files-%d.zip", n)
}

// filesPart writes the next further archive of files (in the same folders
// as in the archive, so unzipped together index.html's links find them),
// and completes the export after the last.
func (s *Service) filesPart(ctx context.Context, j *jobItem) (bool, error) {
	subjects, keys, err := s.readParts(ctx, j)
	if err != nil {
		return false, err
	}
	n := j.FilesDone + 1
	if n <= j.FileParts {
		actx := authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: j.OwnerID, SessionID: "export:" + j.ID})
		fs, err := s.fetchFiles(actx, s.fileSource(j), subjects, n)
		if err != nil {
			return false, err
		}
		zipped, err := filesArchive(j, fs, n)
		if err != nil {
			return false, err
		}
		if err := s.c.Objects.Put(ctx, filePartKey(j.ID, n), "application/zip", zipped); err != nil {
			return false, err
		}
		err = s.c.Store.Update(j.PK, j.SK).Set("FilesDone", n).Add("Size", len(zipped)).If("$ = ?", "FilesDone", j.FilesDone).Run(ctx)
		if dynamo.IsCondCheckFailed(err) {
			return false, nil // another run wrote it
		}
		if err != nil {
			return false, store.Classify(err)
		}
		if n < j.FileParts {
			return false, nil
		}
	}
	return true, s.complete(ctx, j, keys)
}

// complete marks the export ready (off the queue, the lock released),
// deletes its parts and tells its owner.
func (s *Service) complete(ctx context.Context, j *jobItem, keys []string) error {
	now := s.now().UTC()
	u := s.c.Store.Update(j.PK, j.SK).Set("State", Ready).Set("ReadyAt", now).Remove(tabledef.GSI2PK, tabledef.GSI2SK).If("$ <> ?", "State", Ready)
	if j.FileParts == 0 {
		u = u.Set("Key", j.Key).Set("Size", j.Size)
	}
	err := s.c.Store.Tx().
		Update(u, nil).
		Delete(s.c.Store.DeleteOp(lockPK(j.Kind, j.lockSubject()), lockSK).If("attribute_not_exists($) OR ExportID = ?", tabledef.PK, j.ID), nil).
		Run(ctx, "")
	if err != nil {
		if domain.ErrorCode(err) == domain.Conflict {
			return nil // another run finished it (and told the owner)
		}
		return err
	}
	if err := s.c.Objects.Delete(ctx, keys...); err != nil {
		// The lifecycle rule removes them with the archive.
		s.c.Log.WarnContext(ctx, "export parts not deleted", "export_id", j.ID, "error", err.Error())
	}
	s.c.Log.InfoContext(ctx, "export ready", "export_id", j.ID, "rows", j.Rows, "file_parts", j.FileParts)
	s.tell(ctx, j)
	return nil
}

// archiveName is the archive's file name.
func archiveName(j *jobItem) string {
	day := j.CreatedAt.UTC().Format("2006-01-02")
	if j.Kind == Group {
		return "quorum-group-" + j.GroupID + "-" + day + ".zip"
	}
	return "quorum-personal-export-" + day + ".zip"
}

// tell emails the owner that the export is ready, in their language. The
// address is only in memory; a failure is logged without it (the page
// shows the export either way).
func (s *Service) tell(ctx context.Context, j *jobItem) {
	if s.c.Mail == nil || s.c.Contacts == nil || s.c.Catalog == nil {
		return
	}
	email, locale, err := s.c.Contacts.ExportContact(ctx, j.OwnerID)
	if err != nil {
		s.c.Log.WarnContext(ctx, "export email not sent", "export_id", j.ID, "error", err.Error())
		return
	}
	p := s.c.Catalog.Printer(lang.Lang(locale), time.UTC)
	link := strings.TrimRight(s.c.BaseURL, "/") + "/settings/export"
	if j.Kind == Group {
		link = strings.TrimRight(s.c.BaseURL, "/") + "/groups/" + j.GroupID + "/export"
	}
	subject := p.T("email.export.subject")
	ready := p.T("email.export.ready")
	expires := p.T("email.export.expires", "Date", p.Date(j.CreatedAt.Add(Retention)))
	only := p.T("email.export.only")
	txt := ready + "\n\n" + link + "\n\n" + expires + "\n" + only + "\n"
	html := mail.HTMLDoc(string(p.Lang()), p.Dir(), subject,
		mail.Para(ready)+mail.LinkPara(link, p.T("email.export.open"))+mail.Para(expires)+mail.Para(only))
	_, err = s.c.Mail.Send(ctx, mail.Message{From: s.c.MailFrom, To: []string{email}, Subject: subject, Text: txt, HTML: html,
		Headers: map[string]string{"Auto-Submitted": "auto-generated"}})
	if err != nil {
		s.c.Log.WarnContext(ctx, "export email not sent", "export_id", j.ID, "error", err.Error())
	}
}
