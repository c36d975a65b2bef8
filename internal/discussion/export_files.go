package discussion

import (
	"context"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// ExportFile returns the contents of file fid attached in thread tid, for
// a group export (#16): only to whoever may export the thread's group
// (its admins), only a file whose upload was confirmed.
func (s *Service) ExportFile(ctx context.Context, tid, fid string) ([]byte, error) {
	if s.files == nil {
		return nil, domain.Errorf(domain.Unavailable, "file contents are not available here")
	}
	if !ids.Valid(tid) || !ids.Valid(fid) {
		return nil, ErrNoFile
	}
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, t.GroupID, authz.GroupExport, authz.Target{Kind: "group", ID: t.GroupID}); err != nil {
		return nil, err
	}
	var f fileItem
	if err := s.st.Get(ctx, tabledef.ThreadPK(tid), fileSK(fid), &f); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return nil, ErrNoFile
		}
		return nil, err
	}
	if f.Status != "ready" {
		return nil, ErrNoFile
	}
	return s.files.Get(ctx, f.Key)
}

// ExportOwnFile returns the contents of file fid in thread tid for a
// personal export (#16): only to the person who uploaded it (the export
// acts as its owner: authz.AccountExport on their own account), whatever
// their access to the thread now; only a file whose upload was confirmed.
func (s *Service) ExportOwnFile(ctx context.Context, tid, fid string) ([]byte, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.Account(a, authz.AccountExport, a.UserID); err != nil {
		return nil, err
	}
	if s.files == nil {
		return nil, domain.Errorf(domain.Unavailable, "file contents are not available here")
	}
	if !ids.Valid(tid) {
		return nil, ErrNoFile
	}
	f, err := s.getFile(ctx, tid, fid)
	if err != nil {
		return nil, err
	}
	if f.Status != "ready" || f.UploaderID != a.UserID {
		return nil, ErrNoFile
	}
	return s.files.Get(ctx, f.Key)
}
