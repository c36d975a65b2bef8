package discussion

// Posting from email (internal/inbox). The inbound mail service acts as
// the person it has authenticated (the actor of ctx) and goes through the
// same policy as the web; what is particular to email is that the same
// message may be delivered more than once, so every write here takes a
// deterministic id derived from the message (MailItemID, MailThreadID and
// the file ids) and a repeated delivery finds its earlier result instead of
// posting twice; and that attachments arrive with the message instead of
// through presigned uploads, so they are checked against the same limits
// and stored server-side (blob.Uploads.PutFile).

import (
	"context"
	"crypto/sha256"
	"path"
	"strconv"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/text"
)

// MailFile is an attachment received by email.
type MailFile struct {
	Name        string
	ContentType string
	Data        []byte
}

// SkippedFile is an attachment that was not kept, and why (safe to tell
// the sender): Reason in English, Err the error it comes from (a
// *blob.FileProblem or ErrTooManyMailFiles) for wording it in the
// sender's language.
type SkippedFile struct {
	Name   string
	Reason string
	Err    error
}

// ErrTooManyMailFiles: a message brought more than MaxFilesPerRef files.
var ErrTooManyMailFiles = domain.Errorf(domain.Invalid, "at most %d files can be attached to one message", MaxFilesPerRef)

// MailTarget is what an email reply will be posted into.
type MailTarget struct {
	ThreadID string
	GroupID  string
	Title    string
}

func mailHash(purpose, key string) []byte {
	sum := sha256.Sum256([]byte("quorum-mail/" + purpose + "\x00" + key))
	return sum[:]
}

// MailItemID is the timeline id of a comment posted from email: time-
// sortable like every item id (at: when the mail was received, or when a
// held message was confirmed) with a suffix derived from key (the SES
// message id), so posting the same message again meets the same item.
func MailItemID(at time.Time, key string) string {
	return ids.Sortable(at, mailHash("item", key))
}

// MailThreadID is the id of the thread started by the email with key.
func MailThreadID(key string) string {
	return ids.FromHash(mailHash("thread", key))
}

func mailFileID(key string, i int) string {
	return ids.FromHash(mailHash("file", key+"\x00"+strconv.Itoa(i)))
}

// CheckMailReply tells whether the actor may post a reply by email in
// thread tid (answering comment cid when set) now: the thread exists and
// is visible to them, they may comment, it is open, and the comment belongs
// to the thread. It writes nothing.
func (s *Service) CheckMailReply(ctx context.Context, tid, cid string) (MailTarget, error) {
	a := authz.ActorFrom(ctx)
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return MailTarget{}, err
	}
	if err := s.authorize(ctx, t.GroupID, authz.ThreadComment, threadTarget(t, a.UserID)); err != nil {
		return MailTarget{}, err
	}
	if t.Closed {
		return MailTarget{}, ErrClosed
	}
	if cid != "" {
		c, err := s.getComment(ctx, tid, cid)
		if err != nil {
			return MailTarget{}, err
		}
		if c.Deleted {
			return MailTarget{}, ErrParentGone
		}
	}
	return MailTarget{ThreadID: t.ID, GroupID: t.GroupID, Title: t.Title}, nil
}

// itemExists reports whether thread tid has a timeline item id (in any
// state: a comment posted from email and deleted since is not re-posted).
func (s *Service) itemExists(ctx context.Context, tid, id string) (bool, error) {
	var it timelineItem
	err := s.st.Get(ctx, tabledef.ThreadPK(tid), itemSK(id), &it)
	switch domain.ErrorCode(err) {
	case "":
		return true, nil
	case domain.NotFound:
		return false, nil
	}
	return false, err
}

// MailComment posts a comment (or reply) from email as the actor, through
// Comment (same policy, limits and notifications), under the timeline id
// id (MailItemID). created is false when that item exists already: the
// message was posted by an earlier delivery, and nothing is written.
func (s *Service) MailComment(ctx context.Context, tid string, in CommentInput, id string) (item Item, created bool, err error) {
	if len(id) != 24 || !ids.Valid(id) {
		return Item{}, false, domain.Errorf(domain.Invalid, "the comment id is not valid")
	}
	if !ids.Valid(tid) {
		return Item{}, false, ErrNoThread
	}
	if ok, err := s.itemExists(ctx, tid, id); err != nil || ok {
		return Item{ID: id}, false, err
	}
	in.itemID = id
	it, err := s.Comment(ctx, tid, in)
	if err != nil {
		if domain.ErrorCode(err) == domain.Conflict {
			if ok, gerr := s.itemExists(ctx, tid, id); gerr == nil && ok {
				return Item{ID: id}, false, nil
			}
		}
		return Item{}, false, err
	}
	return it, true, nil
}

// mailFileName cleans an attachment's name for display and download.
func mailFileName(name string) string {
	var fe domain.FieldErrors
	n := text.CheckLine(&fe, "name", path.Base("/"+name), 1, MaxFileName)
	if fe.Err() != nil || n == "" || n == "/" || n == "." {
		return "attachment"
	}
	return n
}

// storeMailFile checks one file and stores it under thread tid as file
// fid. A file that does not pass the limits comes back as skipped.
func (s *Service) storeMailFile(ctx context.Context, tid, cid, uid, fid string, f MailFile, now time.Time) (*fileItem, *SkippedFile, error) {
	name := mailFileName(f.Name)
	k := "threads/" + tid + "/" + fid
	up, err := s.uploads.PutFile(ctx, k, name, f.ContentType, f.Data)
	if err != nil {
		if domain.ErrorCode(err) == domain.Invalid {
			return nil, &SkippedFile{Name: name, Reason: domain.ErrorMessage(err), Err: err}, nil
		}
		return nil, nil, err
	}
	return &fileItem{Item: store.Item{PK: tabledef.ThreadPK(tid), SK: fileSK(fid), Type: "file"}, ID: fid, ThreadID: tid,
		CommentID: cid, Key: k, Name: name, ContentType: up.ContentType, Size: up.Size, UploaderID: uid, Status: "ready", CreatedAt: now}, nil, nil
}

func (f *fileItem) ref() FileRef {
	return FileRef{ID: f.ID, Name: f.Name, ContentType: f.ContentType, Size: f.Size}
}

func tooMany(name string) SkippedFile {
	return SkippedFile{Name: mailFileName(name), Reason: ErrTooManyMailFiles.Message, Err: ErrTooManyMailFiles}
}

// MailAttach attaches files received by email to the comment cid the
// actor posted (MailComment) in thread tid, under the same limits as
// browser uploads (type allow-list, content sniffing, size). Files that do
// not pass are skipped with the reason. File ids derive from key, so a
// repeated delivery attaches nothing twice.
func (s *Service) MailAttach(ctx context.Context, tid, cid string, files []MailFile, key string) ([]FileRef, []SkippedFile, error) {
	if len(files) == 0 {
		return nil, nil, nil
	}
	a := authz.ActorFrom(ctx)
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return nil, nil, err
	}
	if err := s.authorize(ctx, t.GroupID, authz.ThreadView, threadTarget(t, a.UserID)); err != nil {
		return nil, nil, err
	}
	c, err := s.getComment(ctx, tid, cid)
	if err != nil {
		return nil, nil, err
	}
	if c.ActorID != a.UserID || c.Deleted {
		return nil, nil, ErrNoComment
	}
	now := s.now().UTC()
	var done []FileRef
	var skipped []SkippedFile
	count := len(c.Files)
	for i, f := range files {
		fid := mailFileID(key, i)
		if old, err := s.getFile(ctx, tid, fid); err == nil && old.Status == "ready" {
			done = append(done, old.ref()) // attached by an earlier delivery
			continue
		}
		if count >= MaxFilesPerRef {
			skipped = append(skipped, tooMany(f.Name))
			continue
		}
		fi, sk, err := s.storeMailFile(ctx, tid, cid, a.UserID, fid, f, now)
		if err != nil {
			return done, skipped, err
		}
		if sk != nil {
			skipped = append(skipped, *sk)
			continue
		}
		target := s.st.Update(t.PK, itemSK(cid)).
			If("attribute_exists($) AND (attribute_not_exists($) OR $ = ?) AND (attribute_not_exists($) OR $ = ?)",
				tabledef.PK, "Removed", "Removed", false, "Deleted", "Deleted", false)
		target.SetExpr("$ = list_append(if_not_exists($, ?), ?)", "Files", "Files", []FileRef{}, []FileRef{fi.ref()}).
			If("attribute_not_exists($) OR size($) < ?", "Files", "Files", MaxFilesPerRef)
		err = s.st.Tx().Create(fi, errFileThere).
			Update(target, domain.Errorf(domain.Conflict, "the file cannot be attached there (deleted, or too many files)")).
			Run(ctx, "")
		if err != nil && err != errFileThere {
			return done, skipped, err
		}
		done = append(done, fi.ref())
		count++
	}
	return done, skipped, nil
}

var errFileThere = domain.Errorf(domain.Conflict, "the file is attached already")

// MailStartThread starts a thread from an email as the actor (policy:
// thread.start, like StartThread) with the attachments that pass the
// upload limits, under the thread id MailThreadID(key). created is false
// when that thread exists already (an earlier delivery started it).
func (s *Service) MailStartThread(ctx context.Context, in StartInput, key string, files []MailFile) (th Thread, created bool, skipped []SkippedFile, err error) {
	a := authz.ActorFrom(ctx)
	if !ids.Valid(in.GroupID) {
		return Thread{}, false, nil, authz.ErrHidden
	}
	if err := s.authorize(ctx, in.GroupID, authz.ThreadStart, authz.Target{}); err != nil {
		return Thread{}, false, nil, err
	}
	var fe domain.FieldErrors
	title := text.CheckLine(&fe, "title", in.Title, 1, MaxTitle)
	desc := text.CheckBlock(&fe, "description", in.Description, 0, MaxBody)
	if err := fe.Err(); err != nil {
		return Thread{}, false, nil, err
	}
	// Mail cannot choose: the default audience (the whole group when the
	// sender may notify it).
	aud, err := s.audience(ctx, in.GroupID, "", nil)
	if err != nil {
		return Thread{}, false, nil, err
	}
	tid := MailThreadID(key)
	var old threadItem
	switch err := s.st.Get(ctx, tabledef.ThreadPK(tid), threadSK, &old); domain.ErrorCode(err) {
	case "":
		return s.threadView(&old, 0), false, nil, nil
	case domain.NotFound:
	default:
		return Thread{}, false, nil, err
	}
	now := s.now().UTC()
	var items []*fileItem
	for i, f := range files {
		if len(items) >= MaxFilesPerRef {
			skipped = append(skipped, tooMany(f.Name))
			continue
		}
		fi, sk, err := s.storeMailFile(ctx, tid, "", a.UserID, mailFileID(key, i), f, now)
		if err != nil {
			return Thread{}, false, nil, err
		}
		if sk != nil {
			skipped = append(skipped, *sk)
			continue
		}
		items = append(items, fi)
	}
	t := &threadItem{Item: store.Item{Type: "thread"}, ID: tid, GroupID: in.GroupID, Title: title, Description: desc,
		AuthorID: a.UserID, AuthorName: s.actorName(ctx, a.UserID), CreatedAt: now, UpdatedAt: now, Activity: now}
	t.PK, t.SK = tabledef.ThreadPK(t.ID), threadSK
	t.GSI1PK, t.GSI1SK = threadsPK(t.GroupID), activityKey(now, false, t.ID)
	for _, fi := range items {
		t.Files = append(t.Files, fi.ref())
	}
	tx := s.st.Tx().Create(t, errThreadThere)
	for _, fi := range items {
		tx.Create(fi, errThreadThere)
	}
	if err := s.addNewThreadFanout(tx, t, aud); err != nil {
		return Thread{}, false, nil, err
	}
	if err := tx.Run(ctx, ""); err != nil {
		if err == errThreadThere {
			if gerr := s.st.Get(ctx, tabledef.ThreadPK(tid), threadSK, &old); gerr == nil {
				return s.threadView(&old, 0), false, skipped, nil
			}
		}
		return Thread{}, false, nil, err
	}
	s.log.InfoContext(ctx, "thread started by email", "group_id", t.GroupID, "thread_id", t.ID)
	return s.threadView(t, 0), true, skipped, nil
}

var errThreadThere = domain.Errorf(domain.Conflict, "the thread exists already")
