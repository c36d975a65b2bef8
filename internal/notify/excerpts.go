package notify

import (
	"context"
	"errors"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// EraseExcerpts does one step of erasing the excerpts of comments person
// uid wrote from other people's notifications (when their comments are
// removed, #16): one page of a scan of the people's partitions (page items
// evaluated), Excerpt removed from every notification about a comment of
// uid, in group gid only unless gid is "". cursor is "" at the start and
// then the returned one, "" again once the scan has passed the end. The
// caller keeps the cursor in an item of its own.
func (s *Service) EraseExcerpts(ctx context.Context, uid, gid, cursor string, page int) (string, error) {
	filter := "$ = ? AND attribute_exists($) AND attribute_exists($)"
	args := []any{"ActorID", uid, "Excerpt", "CommentID"}
	if gid != "" {
		filter += " AND $ = ?"
		args = append(args, "GroupID", gid)
	}
	type found struct {
		PK string `dynamo:"PK"`
		SK string `dynamo:"SK"`
	}
	items, next, err := store.ScanStep[found](ctx, s.st, tabledef.UserPrefix, filter, args, cursor, page)
	if err != nil {
		return "", err
	}
	for _, it := range items {
		err := s.st.Update(it.PK, it.SK).Remove("Excerpt").If("$ = ? AND attribute_exists($)", "ActorID", uid, "CommentID").Run(ctx)
		if err != nil && !dynamo.IsCondCheckFailed(err) {
			return "", store.Classify(err)
		}
	}
	return next, nil
}

// excerptProgress is where an account's excerpt scan stopped (kind
// erase_scan), in the person's partition until the scan is done.
type excerptProgress struct {
	store.Item
	Cursor string `dynamo:"Cursor"`
}

// EraseAuthorExcerpts is EraseExcerpts over every group for deleted
// account uid that asked to remove its comments, keeping its position in
// the person's partition: an Eraser step of the account core, done when
// the scan has passed the end of the table.
func (s *Service) EraseAuthorExcerpts(ctx context.Context, uid string) (bool, error) {
	const sk = "ERASESCAN#excerpts"
	var prog excerptProgress
	if err := s.st.Get(ctx, tabledef.UserPK(uid), sk, &prog); err != nil && !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	next, err := s.EraseExcerpts(ctx, uid, "", prog.Cursor, 1000)
	if err != nil {
		return false, err
	}
	if next == "" {
		return true, s.st.Delete(ctx, tabledef.UserPK(uid), sk)
	}
	it := &excerptProgress{Item: store.Item{PK: tabledef.UserPK(uid), SK: sk, Type: "erase_scan"}, Cursor: next}
	it.ExpireAt(s.now().Add(30 * 24 * time.Hour))
	return false, s.st.Tx().Put(it).Run(ctx, "")
}
