package decision

import (
	"context"

	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/tag"
)

// DropTag implements tag.Tagged: a deleted tag leaves poll pid's Tags (the
// tag service's purge asks; one update, without a Version bump, as the tag
// no longer shows anywhere). A poll that is gone is no error.
func (s *Service) DropTag(ctx context.Context, pid, tagID string) error {
	return tag.DropFrom(ctx, s.st.Update(tabledef.PollPK(pid), skPoll), tagID)
}
