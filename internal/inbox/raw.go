package inbox

import (
	"bytes"
	"context"
	"errors"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/inbound"
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

// S3Raw is the RawStore on S3.
type S3Raw struct{ Client *s3.Client }

// Get implements RawStore. The size is checked before the body is read,
// and the read is bounded again in case the object changed in between.
func (r S3Raw) Get(ctx context.Context, bucket, key string, max int64) ([]byte, error) {
	out, err := r.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) && (ae.ErrorCode() == "NoSuchKey" || ae.ErrorCode() == "NotFound") {
			return nil, ErrRawMissing
		}
		return nil, domain.Wrap(domain.Unavailable, err, "could not read the raw message")
	}
	defer out.Body.Close()
	if aws.ToInt64(out.ContentLength) > max {
		return nil, inbound.ErrTooLarge
	}
	b, err := io.ReadAll(io.LimitReader(out.Body, max+1))
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
	_, err := r.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Body: bytes.NewReader(raw), ContentLength: aws.Int64(int64(len(raw))), ContentType: aws.String("message/rfc822")})
	if err != nil {
		return domain.Wrap(domain.Unavailable, err, "could not store the raw message")
	}
	return nil
}
