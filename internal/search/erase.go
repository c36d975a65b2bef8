package search

import (
	"context"
	"time"

	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Renamer is the store's scan that replaces a person's stored name
// (store.Store.RenameScan).
type Renamer interface {
	RenameScan(ctx context.Context, r store.Rename) (bool, error)
}

// EraseAuthorNames does one step of replacing deleted account uid's name
// in the search documents they wrote (`Author` beside `AuthorID`) with
// shown (#16). The stream re-indexes threads and comments as their stored
// names are replaced, but a document whose thing is gone (a tombstone kept
// 7 days) or whose change the stream has not delivered yet would keep the
// name: this scan of SEARCH#DOC# items (1,000 a step) makes sure none does.
// Done when the scan has passed the end of the table.
func (ix *Index) EraseAuthorNames(ctx context.Context, r Renamer, uid, shown string) (bool, error) {
	return r.RenameScan(ctx, store.Rename{
		UserID: uid, Shown: shown, Prefix: "SEARCH#DOC#",
		Fields:     []store.RenameField{{ID: "AuthorID", Name: "Author"}},
		ProgressPK: tabledef.UserPK(uid), ProgressSK: "ERASESCAN#search",
		Expires: ix.now().Add(30 * 24 * time.Hour), Page: 1000,
	})
}
