package blob

import (
	"context"
	"errors"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
)

// Avatars stores people's pictures in the KMS-encrypted uploads bucket:
// the browser's upload through a presigned PUT (the attachment path, with
// the avatar limits), the processed squares written by the server. Keys
// are whole keys of the bucket ("avatars/<uid>/...").
type Avatars struct {
	up  *Uploads
	obj *Objects
}

// AvatarLimits: at most 5 MB of JPEG, PNG, GIF or WebP.
func AvatarLimits() Limits {
	return Limits{MaxBytes: 5 << 20, Types: []string{"image/jpeg", "image/png", "image/gif", "image/webp"},
		PutTTL: 10 * time.Minute, GetTTL: 5 * time.Minute}
}

// NewAvatars returns the avatar storage of bucket, encrypting with kmsKey.
func NewAvatars(client S3, bucket, kmsKey string) *Avatars {
	return &Avatars{up: NewUploads(client, bucket, kmsKey, AvatarLimits()), obj: NewObjects(client, bucket, kmsKey, "")}
}

// PresignPut presigns the browser's upload of the original (Uploads.PresignPut).
func (a *Avatars) PresignPut(ctx context.Context, key, contentType string, size int64) (PresignedRequest, error) {
	return a.up.PresignPut(ctx, key, contentType, size)
}

// Verify checks an uploaded original (Uploads.Verify; a bad one is deleted).
func (a *Avatars) Verify(ctx context.Context, key string) (Uploaded, error) {
	return a.up.Verify(ctx, key)
}

// Get reads an object.
func (a *Avatars) Get(ctx context.Context, key string) ([]byte, error) { return a.obj.Get(ctx, key) }

// Put writes an object with SSE-KMS.
func (a *Avatars) Put(ctx context.Context, key, contentType string, data []byte) error {
	return a.obj.Put(ctx, key, contentType, data)
}

// errEmptyPrefix refuses erasing the whole bucket (a programming error).
var errEmptyPrefix = errors.New("blob: refusing to erase the whole bucket")

// ErasePrefix removes every version and delete marker of every object
// whose key starts with prefix (a person's avatar files, originals
// included), a page of 1000 at a time, at most 100 pages.
func (a *Avatars) ErasePrefix(ctx context.Context, prefix string) error {
	if prefix == "" {
		return errEmptyPrefix
	}
	c, bucket := a.obj.client, a.obj.bucket
	keyMarker, versionMarker := "", ""
	for page := 0; page < 100; page++ {
		out, err := c.ListVersions(ctx, bucket, prefix, keyMarker, versionMarker)
		if err != nil {
			return domain.Wrap(domain.Unavailable, err, "file storage failure")
		}
		for _, v := range append(out.Versions, out.DeleteMarkers...) {
			if err := c.DeleteObject(ctx, bucket, v.Key, v.VersionID); err != nil {
				return domain.Wrap(domain.Unavailable, err, "file storage failure")
			}
		}
		if !out.IsTruncated {
			return nil
		}
		keyMarker, versionMarker = out.NextKeyMarker, out.NextVersionIDMarker
	}
	return nil
}

// Stored is one current object under a prefix (List).
type Stored struct {
	Key          string
	Size         int64
	LastModified time.Time
}

// List returns the current objects whose key starts with prefix (not the
// whole bucket), at most limit of them (one page of at most 1000).
func (a *Avatars) List(ctx context.Context, prefix string, limit int) ([]Stored, error) {
	if prefix == "" {
		return nil, errEmptyPrefix
	}
	limit = min(max(limit, 1), 1000)
	out, err := a.obj.client.ListObjects(ctx, a.obj.bucket, prefix, limit, "")
	if err != nil {
		return nil, domain.Wrap(domain.Unavailable, err, "file storage failure")
	}
	list := make([]Stored, 0, len(out.Contents))
	for _, o := range out.Contents {
		list = append(list, Stored{Key: o.Key, Size: o.Size, LastModified: o.LastModified})
	}
	return list, nil
}
