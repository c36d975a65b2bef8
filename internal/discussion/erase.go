package discussion

import (
	"context"
	"time"

	"github.com/quorum-app/quorum/internal/store"
)

// EraseAuthorNames replaces the author name stored on the threads and
// timeline items (comments and their events) that deleted account uid
// wrote with shown (the account core's "Deleted member"). Threads and
// comments keep the name they were written with, so a page needs no
// lookups, and are not indexed by author: this is a step of a scan of the
// table (store.RenameScan), done when the scan has passed the end. The
// search index follows the rewritten items through the stream.
func (s *Service) EraseAuthorNames(ctx context.Context, uid, shown string) (bool, error) {
	return s.st.RenameScan(ctx, store.Rename{
		UserID: uid, Shown: shown, Prefix: "THREAD#",
		Fields:     []store.RenameField{{ID: "AuthorID", Name: "AuthorName"}, {ID: "ActorID", Name: "ActorName"}},
		ProgressPK: userPK(uid), ProgressSK: "ERASESCAN#discussion",
		Expires: s.now().Add(30 * 24 * time.Hour), Page: 1000,
	})
}
