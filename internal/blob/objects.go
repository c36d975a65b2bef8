package blob

import (
	"context"
	"io"
	"mime"
	"path"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/objstore"
)

// Objects stores objects the server itself writes (data exports) under one
// prefix of a KMS-encrypted bucket: every object is written with SSE-KMS
// under the given key, and read back or handed out through short presigned
// downloads.
type Objects struct {
	client S3
	bucket string
	kmsKey string
	prefix string
}

// NewObjects returns the objects under prefix ("exports/") of bucket.
func NewObjects(client S3, bucket, kmsKey, prefix string) *Objects {
	return &Objects{client: client, bucket: bucket, kmsKey: kmsKey, prefix: prefix}
}

// MaxObjectBytes bounds what Get reads back into memory.
const MaxObjectBytes = 512 << 20

func (o *Objects) key(k string) string { return o.prefix + k }

// Put stores data at key (below the prefix) with SSE-KMS. Storing the same
// key again replaces it, so a retried step is harmless.
func (o *Objects) Put(ctx context.Context, key, contentType string, data []byte) error {
	_, err := o.client.PutObject(ctx, objstore.Put{Bucket: o.bucket, Key: o.key(key), Body: data, ContentType: contentType, KMSKey: o.kmsKey})
	if err != nil {
		return domain.Wrap(domain.Unavailable, err, "file storage failure")
	}
	return nil
}

// ErrNoObject: Get of a key that holds nothing.
var ErrNoObject = domain.Errorf(domain.NotFound, "no such object")

// Get reads the object at key (below the prefix), at most MaxObjectBytes.
func (o *Objects) Get(ctx context.Context, key string) ([]byte, error) {
	body, _, err := o.client.GetObject(ctx, objstore.Get{Bucket: o.bucket, Key: o.key(key)})
	if err != nil {
		if objstore.IsNotFound(err) {
			return nil, ErrNoObject
		}
		return nil, domain.Wrap(domain.Unavailable, err, "file storage failure")
	}
	defer func() { _ = body.Close() }() // read-only: nothing is lost if closing fails
	b, err := io.ReadAll(io.LimitReader(body, MaxObjectBytes+1))
	if err != nil {
		return nil, domain.Wrap(domain.Unavailable, err, "file storage failure")
	}
	if len(b) > MaxObjectBytes {
		return nil, domain.Errorf(domain.Internal, "object larger than %d bytes", MaxObjectBytes)
	}
	return b, nil
}

// Delete removes the current objects at keys (below the prefix); a missing
// key is no error.
func (o *Objects) Delete(ctx context.Context, keys ...string) error {
	for _, k := range keys {
		if err := o.client.DeleteObject(ctx, o.bucket, o.key(k), ""); err != nil {
			return domain.Wrap(domain.Unavailable, err, "file storage failure")
		}
	}
	return nil
}

// PresignGet returns a download URL for key that works for ttl and makes
// the browser save the object as filename.
func (o *Objects) PresignGet(ctx context.Context, key, filename string, ttl time.Duration) (string, error) {
	req, err := o.client.PresignGet(ctx, o.bucket, o.key(key),
		mime.FormatMediaType("attachment", map[string]string{"filename": path.Base(filename)}), ttl)
	if err != nil {
		return "", domain.Wrap(domain.Internal, err, "could not prepare the download")
	}
	return req.URL, nil
}

// Erase removes every version and delete marker of the objects at keys
// (below the prefix), so nothing of them is left in a versioned bucket; a
// missing key is no error.
func (o *Objects) Erase(ctx context.Context, keys ...string) error {
	for _, k := range keys {
		full := o.key(k)
		keyMarker, versionMarker := "", ""
		for page := 0; page < 100; page++ {
			out, err := o.client.ListVersions(ctx, o.bucket, full, keyMarker, versionMarker)
			if err != nil {
				return domain.Wrap(domain.Unavailable, err, "file storage failure")
			}
			var ids []string
			for _, v := range append(out.Versions, out.DeleteMarkers...) {
				if v.Key == full {
					ids = append(ids, v.VersionID)
				}
			}
			for _, id := range ids {
				if err := o.client.DeleteObject(ctx, o.bucket, full, id); err != nil {
					return domain.Wrap(domain.Unavailable, err, "file storage failure")
				}
			}
			if !out.IsTruncated {
				break
			}
			keyMarker, versionMarker = out.NextKeyMarker, out.NextVersionIDMarker
		}
	}
	return nil
}
