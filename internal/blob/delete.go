package blob

import (
	"context"

	"github.com/quorum-app/quorum/internal/domain"
)

// Delete removes the current objects at keys (purging a deleted thread's
// attachments). Deleting a missing key succeeds, so a retried purge is
// harmless. In a versioned bucket this adds a delete marker; the bucket's
// noncurrent-version lifecycle rule removes the older versions.
func (u *Uploads) Delete(ctx context.Context, keys ...string) error {
	for _, k := range keys {
		if k == "" {
			continue
		}
		if err := u.client.DeleteObject(ctx, u.bucket, k, ""); err != nil {
			return domain.Wrap(domain.Unavailable, err, "file storage failure")
		}
	}
	return nil
}
