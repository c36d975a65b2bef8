package export

import (
	"context"
	"errors"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// eraseJob deletes one export for good: its parts and archive with every
// version (Delete only where the objects have no versions), then its item.
func (s *Service) eraseJob(ctx context.Context, j *jobItem) error {
	keys := make([]string, 0, j.Part+1)
	for n := 0; n < j.Part; n++ {
		keys = append(keys, partKey(j.ID, n))
	}
	if j.Key != "" {
		keys = append(keys, j.Key)
	}
	for n := 1; n <= j.FileParts; n++ {
		keys = append(keys, filePartKey(j.ID, n))
	}
	del := s.c.Objects.Delete
	if v, ok := s.c.Objects.(versionEraser); ok {
		del = v.Erase
	}
	if err := del(ctx, keys...); err != nil {
		return err
	}
	if err := s.c.Store.Delete(ctx, j.PK, j.SK); err != nil {
		return err
	}
	if j.Kind == Group && j.OwnerID != "" {
		return s.c.Store.Delete(ctx, tabledef.UserPK(j.OwnerID), ownerIndexSK(j.ID))
	}
	return nil
}

// EraseGroup deletes the exports of an erased group (#16, a step of the
// group's erasure: recovery.GroupOwned): their items, parts and archives
// with every version, and the group's pending lock. One call does up to
// maxListed exports; done when none were left.
func (s *Service) EraseGroup(ctx context.Context, gid string) (bool, error) {
	js, err := s.list(ctx, Group, gid)
	if err != nil {
		return false, err
	}
	for i := range js {
		if err := s.eraseJob(ctx, &js[i]); err != nil {
			return false, err
		}
	}
	if err := s.c.Store.Delete(ctx, lockPK(Group, gid), lockSK); err != nil {
		return false, err
	}
	return len(js) < maxListed, nil
}

// ownerIndexItem: PK=USER#<uid> SK=GROUPEXPORT#<id>: a group export uid
// asked for (found again when uid deletes their account); TTL as the job's.
type ownerIndexItem struct {
	store.Item
	ExportID string `dynamo:"ExportID"`
}

func ownerIndexSK(id string) string { return "GROUPEXPORT#" + id }

// eraseGroupExportsOf erases up to maxListed of the group exports uid asked for
// (and their index items); it returns how many index items it found.
func (s *Service) eraseGroupExportsOf(ctx context.Context, uid string) (int, error) {
	var os []ownerIndexItem
	err := s.c.Store.Table().Get(tabledef.PK, tabledef.UserPK(uid)).Range(tabledef.SK, dynamo.BeginsWith, "GROUPEXPORT#").
		Limit(maxListed).All(ctx, &os)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return 0, store.Classify(err)
	}
	for _, o := range os {
		var j jobItem
		err := s.c.Store.Get(ctx, jobPK(o.ExportID), jobSK, &j)
		switch {
		case err == nil:
			if err := s.eraseJob(ctx, &j); err != nil {
				return 0, err
			}
		case domain.ErrorCode(err) != domain.NotFound:
			return 0, err
		}
		if err := s.c.Store.Delete(ctx, o.PK, o.SK); err != nil {
			return 0, err
		}
	}
	return len(os), nil
}

// sweepGroupExportsOf does one step of a scan of EXPORT# items for group
// exports uid asked for that no owner index item leads to (those asked for
// before the index existed, or whose index item was lost), erasing each;
// done when the scan has passed the end of the table (progress
// USER#<uid> / ERASESCAN#exports).
func (s *Service) sweepGroupExportsOf(ctx context.Context, uid string) (bool, error) {
	return store.SweepStep(ctx, s.c.Store, store.Sweep{
		Prefix: "EXPORT#", Filter: "$ = ? AND $ = ? AND $ = ?", Args: []any{"Type", "export", "Kind", Group, "OwnerID", uid},
		ProgressPK: tabledef.UserPK(uid), ProgressSK: "ERASESCAN#exports", Expires: s.now().Add(30 * 24 * time.Hour), Page: 1000,
	}, func(ctx context.Context, j jobItem) error {
		return s.eraseJob(ctx, &j)
	})
}
