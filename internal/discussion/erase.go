package discussion

import (
	"context"
	"time"

	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// EraseAuthorNames replaces the author name stored on the threads and
// timeline items (comments and their events) that deleted account uid
// wrote with shown (the account core's "Deleted member"), and the inviter's
// name on the guest invitations they sent. Threads and
// comments keep the name they were written with, so a page needs no
// lookups, and are not indexed by author: this is a step of a scan of the
// table (store.RenameScan), done when the scan has passed the end. The
// search index follows the rewritten items through the stream.
func (s *Service) EraseAuthorNames(ctx context.Context, uid, shown string) (bool, error) {
	return s.st.RenameScan(ctx, store.Rename{
		UserID: uid, Shown: shown, Prefix: tabledef.ThreadPrefix,
		Fields: []store.RenameField{{ID: "AuthorID", Name: "AuthorName"}, {ID: "ActorID", Name: "ActorName"},
			{ID: "InvitedBy", Name: "InviterName"}},
		ProgressPK: tabledef.UserPK(uid), ProgressSK: "ERASESCAN#discussion",
		Expires: s.now().Add(30 * 24 * time.Hour), Page: 1000,
	})
}

// eraseSweepPage bounds the items one step of an erasure scan evaluates.
const eraseSweepPage = 1000

// eraseExpires is how long an erasure scan's progress item may outlive an
// interrupted deletion.
const eraseExpires = 30 * 24 * time.Hour

// EraseEditHistory deletes the earlier versions that deleted account uid
// made by editing a thread's description or a comment (history items whose
// EditorID is uid: the text before and after their edit, and their name).
// History items are not indexed by editor: a step of a scan of HISTORY#
// items (store.SweepStep), done when the scan has passed the end.
func (s *Service) EraseEditHistory(ctx context.Context, uid string) (bool, error) {
	return store.SweepStep(ctx, s.st, store.Sweep{
		Prefix: "HISTORY#", Filter: "$ = ? AND $ = ?", Args: []any{"Type", "history", "EditorID", uid},
		ProgressPK: tabledef.UserPK(uid), ProgressSK: "ERASESCAN#history", Expires: s.now().Add(eraseExpires), Page: eraseSweepPage,
	}, func(ctx context.Context, h store.Item) error {
		return s.st.Table().Delete(tabledef.PK, h.PK).Range(tabledef.SK, h.SK).If("EditorID = ?", uid).Run(ctx)
	})
}
