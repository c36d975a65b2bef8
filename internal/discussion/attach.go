package discussion

import (
	"context"
	"path"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/text"
)

// UploadInput asks to attach a file to a thread (CommentID "") or one of
// its comments.
type UploadInput struct {
	CommentID   string
	Name        string
	ContentType string
	Size        int64
}

// PendingUpload is what the browser needs to upload the file.
type PendingUpload struct {
	FileID string                `json:"file_id"`
	Put    blob.PresignedRequest `json:"put"`
}

// canAttach: attaching to a thread is editing it; to a comment, editing it.
func (s *Service) canAttach(ctx context.Context, t *threadItem, cid string) error {
	a := authz.ActorFrom(ctx)
	if cid == "" {
		return s.canEditThread(ctx, t)
	}
	c, err := s.getComment(ctx, t.ID, cid)
	if err != nil {
		if aerr := s.authorize(ctx, t.GroupID, authz.ThreadView, threadTarget(t, a.UserID)); aerr != nil {
			return aerr
		}
		return err
	}
	if c.Deleted {
		return ErrNoComment
	}
	return s.authorizeAny(ctx, t.GroupID, commentTarget(t, c, a.UserID), authz.CommentEditOwn, authz.ContentAdminEdit)
}

// StartUpload records a pending attachment and returns a presigned PUT
// (bound to the SSE-KMS headers, type and size). Confirm it after the upload.
func (s *Service) StartUpload(ctx context.Context, tid string, in UploadInput) (PendingUpload, error) {
	a := authz.ActorFrom(ctx)
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return PendingUpload{}, err
	}
	if err := s.canAttach(ctx, t, in.CommentID); err != nil {
		return PendingUpload{}, err
	}
	var fe domain.FieldErrors
	name := text.CheckLine(&fe, "name", path.Base("/"+in.Name), 1, MaxFileName)
	if err := fe.Err(); err != nil {
		return PendingUpload{}, err
	}
	now := s.now().UTC()
	fid := ids.New()
	key := "threads/" + tid + "/" + fid
	put, err := s.uploads.PresignPut(ctx, key, in.ContentType, in.Size)
	if err != nil {
		return PendingUpload{}, err
	}
	f := &fileItem{Item: store.Item{PK: tabledef.ThreadPK(tid), SK: fileSK(fid), Type: "file"}, ID: fid, ThreadID: tid,
		CommentID: in.CommentID, Key: key, Name: name, ContentType: in.ContentType, Size: in.Size, UploaderID: a.UserID,
		Status: "pending", CreatedAt: now}
	f.ExpireAt(now.Add(24 * time.Hour))
	if err := s.st.Create(ctx, f, nil); err != nil {
		return PendingUpload{}, err
	}
	return PendingUpload{FileID: fid, Put: put}, nil
}

func (s *Service) getFile(ctx context.Context, tid, fid string) (*fileItem, error) {
	if !ids.Valid(fid) {
		return nil, ErrNoFile
	}
	var f fileItem
	if err := s.st.Get(ctx, tabledef.ThreadPK(tid), fileSK(fid), &f); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return nil, ErrNoFile
		}
		return nil, err
	}
	return &f, nil
}

// ConfirmUpload verifies the uploaded object (present, encrypted, allowed
// type whose bytes match, within the size limit) and attaches it to its
// thread or comment in one transaction. Only the uploader may confirm.
func (s *Service) ConfirmUpload(ctx context.Context, tid, fid string) (FileRef, error) {
	a := authz.ActorFrom(ctx)
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return FileRef{}, err
	}
	if err := s.authorize(ctx, t.GroupID, authz.ThreadView, threadTarget(t, a.UserID)); err != nil {
		return FileRef{}, err
	}
	f, err := s.getFile(ctx, tid, fid)
	if err != nil {
		return FileRef{}, err
	}
	if f.UploaderID != a.UserID {
		return FileRef{}, ErrNoFile
	}
	ref := FileRef{ID: f.ID, Name: f.Name, ContentType: f.ContentType, Size: f.Size}
	if f.Status == "ready" {
		return ref, nil
	}
	if err := s.canAttach(ctx, t, f.CommentID); err != nil {
		return FileRef{}, err
	}
	up, err := s.uploads.Verify(ctx, f.Key)
	if err != nil {
		return FileRef{}, err
	}
	ref.ContentType, ref.Size = up.ContentType, up.Size
	target := s.st.Update(t.PK, t.SK).If("attribute_exists($) AND $ = ?", tabledef.PK, "Deleted", false)
	if f.CommentID != "" {
		target = s.st.Update(t.PK, itemSK(f.CommentID)).
			If("attribute_exists($) AND (attribute_not_exists($) OR $ = ?) AND (attribute_not_exists($) OR $ = ?)",
				tabledef.PK, "Removed", "Removed", false, "Deleted", "Deleted", false)
	}
	target.SetExpr("$ = list_append(if_not_exists($, ?), ?)", "Files", "Files", []FileRef{}, []FileRef{ref}).
		If("attribute_not_exists($) OR size($) < ?", "Files", "Files", MaxFilesPerRef)
	err = s.st.Tx().
		Update(s.st.Update(f.PK, f.SK).Set("Status", "ready").Set("ContentType", up.ContentType).Set("Size", up.Size).
			Remove(tabledef.TTLAttribute).If("$ = ?", "Status", "pending"), ErrChanged).
		Update(target, domain.Errorf(domain.Conflict, "the file cannot be attached there (deleted, or too many files)")).
		Run(ctx, "")
	if err != nil {
		return FileRef{}, err
	}
	return ref, nil
}

// DownloadURL returns a short-lived presigned GET for an attachment, only
// to people who can see the thread (and while its comment exists).
func (s *Service) DownloadURL(ctx context.Context, tid, fid string) (string, error) {
	a := authz.ActorFrom(ctx)
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return "", err
	}
	if err := s.authorize(ctx, t.GroupID, authz.ThreadView, threadTarget(t, a.UserID)); err != nil {
		return "", err
	}
	f, err := s.getFile(ctx, tid, fid)
	if err != nil {
		return "", err
	}
	if f.Status != "ready" {
		return "", ErrFileNotReady
	}
	if f.CommentID != "" {
		c, err := s.getComment(ctx, tid, f.CommentID)
		if err != nil || c.Deleted {
			return "", ErrNoFile
		}
	}
	return s.uploads.PresignGet(ctx, f.Key, f.Name)
}
