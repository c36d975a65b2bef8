// Package blob stores files in the KMS-encrypted S3 buckets.
package blob

import (
	"context"
	"io"
	"time"

	"github.com/quorum-app/quorum/internal/objstore"
)

// S3 is what blob calls of S3 (an *objstore.Client).
type S3 interface {
	HeadBucket(ctx context.Context, bucket string) error
	PutObject(ctx context.Context, p objstore.Put) (string, error)
	GetObject(ctx context.Context, g objstore.Get) (io.ReadCloser, objstore.Object, error)
	HeadObject(ctx context.Context, bucket, key, version string) (objstore.Object, error)
	DeleteObject(ctx context.Context, bucket, key, version string) error
	ListObjects(ctx context.Context, bucket, prefix string, maxKeys int, token string) (objstore.List, error)
	ListVersions(ctx context.Context, bucket, prefix, keyMarker, versionMarker string) (objstore.Versions, error)
	PresignPut(ctx context.Context, bucket, key, contentType string, size int64, kmsKey string, ttl time.Duration) (objstore.Presigned, error)
	PresignGet(ctx context.Context, bucket, key, disposition string, ttl time.Duration) (objstore.Presigned, error)
}

// Bucket is one S3 bucket.
type Bucket struct {
	client S3
	name   string
}

// NewBucket returns a handle on the named bucket.
func NewBucket(client S3, name string) *Bucket { return &Bucket{client: client, name: name} }

// Name is the bucket name.
func (b *Bucket) Name() string { return b.name }

// Ping checks the bucket is reachable with the process's credentials.
func (b *Bucket) Ping(ctx context.Context) error {
	return b.client.HeadBucket(ctx, b.name)
}
