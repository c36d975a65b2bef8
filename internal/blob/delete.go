package blob

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

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
		if _, err := u.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(u.bucket), Key: aws.String(k)}); err != nil {
			return domain.Wrap(domain.Unavailable, err, "file storage failure")
		}
	}
	return nil
}
