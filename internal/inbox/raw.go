package inbox

import (
	"context"
	"io"

	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/inbound"
	"github.com/quorum-app/quorum/internal/objstore"
)

// RawStore reads raw messages where the SES receipt rule stored them.
type RawStore interface {
	// Get returns the object, ErrRawMissing when there is none, or a
	// domain.TooLarge error when it is larger than max bytes.
	Get(ctx context.Context, bucket, key string, max int64) ([]byte, error)
	// Put stores a raw message (local tooling only: in the cloud SES writes).
	Put(ctx context.Context, bucket, key string, raw []byte) error
}

// ErrRawMissing: the raw message is not (or no longer) in the bucket.
var ErrRawMissing = domain.Errorf(domain.NotFound, "the raw message is not in the inbound bucket")

// S3Raw is the RawStore on S3 (its client an *objstore.Client).
type S3Raw struct{ Client blob.S3 }

// Get implements RawStore. The size is checked before the body is read,
// and the read is bounded again in case the object changed in between.
func (r S3Raw) Get(ctx context.Context, bucket, key string, max int64) ([]byte, error) {
	body, obj, err := r.Client.GetObject(ctx, objstore.Get{Bucket: bucket, Key: key})
	if err != nil {
		if objstore.IsNotFound(err) {
			return nil, ErrRawMissing
		}
		return nil, domain.Wrap(domain.Unavailable, err, "could not read the raw message")
	}
	defer body.Close()
	if obj.ContentLength > max {
		return nil, inbound.ErrTooLarge
	}
	b, err := io.ReadAll(io.LimitReader(body, max+1))
	if err != nil {
		return nil, domain.Wrap(domain.Unavailable, err, "could not read the raw message")
	}
	if int64(len(b)) > max {
		return nil, inbound.ErrTooLarge
	}
	return b, nil
}

// Put implements RawStore.
func (r S3Raw) Put(ctx context.Context, bucket, key string, raw []byte) error {
	_, err := r.Client.PutObject(ctx, objstore.Put{Bucket: bucket, Key: key, Body: raw, ContentType: "message/rfc822"})
	if err != nil {
		return domain.Wrap(domain.Unavailable, err, "could not store the raw message")
	}
	return nil
}
