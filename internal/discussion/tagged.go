package discussion

import (
	"context"

	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/tag"
)

// DropTag implements tag.Tagged: a deleted tag leaves thread tid's Tags
// (the tag service's purge asks; one update, without a Version bump, as
// the tag no longer shows anywhere). A thread that is gone is no error.
func (s *Service) DropTag(ctx context.Context, tid, tagID string) error {
	return tag.DropFrom(ctx, s.st.Update(tabledef.ThreadPK(tid), threadSK), tagID)
}
