package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"path"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/quorum-app/quorum/internal/domain"
)

// Objects stores objects the server itself writes (data exports) under one
// prefix of a KMS-encrypted bucket: every object is written with SSE-KMS
// under the given key, and read back or handed out through short presigned
// downloads.
type Objects struct {
	client  *s3.Client
	presign *s3.PresignClient
	bucket  string
	kmsKey  string
	prefix  string
}

// NewObjects returns the objects under prefix ("exports/") of bucket.
func NewObjects(client *s3.Client, bucket, kmsKey, prefix string) *Objects {
	return &Objects{client: client, presign: s3.NewPresignClient(client), bucket: bucket, kmsKey: kmsKey, prefix: prefix}
}

// MaxObjectBytes bounds what Get reads back into memory.
const MaxObjectBytes = 512 << 20

func (o *Objects) key(k string) string { return o.prefix + k }

// Put stores data at key (below the prefix) with SSE-KMS. Storing the same
// key again replaces it, so a retried step is harmless.
func (o *Objects) Put(ctx context.Context, key, contentType string, data []byte) error {
	_, err := o.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(o.bucket), Key: aws.String(o.key(key)), Body: bytes.NewReader(data),
		ContentType: aws.String(contentType), ContentLength: aws.Int64(int64(len(data))),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(o.kmsKey),
	})
	if err != nil {
		return domain.Wrap(domain.Unavailable, err, "file storage failure")
	}
	return nil
}

// ErrNoObject: Get of a key that holds nothing.
var ErrNoObject = domain.Errorf(domain.NotFound, "no such object")

// Get reads the object at key (below the prefix), at most MaxObjectBytes.
func (o *Objects) Get(ctx context.Context, key string) ([]byte, error) {
	out, err := o.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(o.bucket), Key: aws.String(o.key(key))})
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) && (ae.ErrorCode() == "NotFound" || ae.ErrorCode() == "NoSuchKey") {
			return nil, ErrNoObject
		}
		return nil, domain.Wrap(domain.Unavailable, err, "file storage failure")
	}
	defer func() { _ = out.Body.Close() }() // read-only: nothing is lost if closing fails
	b, err := io.ReadAll(io.LimitReader(out.Body, MaxObjectBytes+1))
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
		if _, err := o.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(o.bucket), Key: aws.String(o.key(k))}); err != nil {
			return domain.Wrap(domain.Unavailable, err, "file storage failure")
		}
	}
	return nil
}

// PresignGet returns a download URL for key that works for ttl and makes
// the browser save the object as filename.
func (o *Objects) PresignGet(ctx context.Context, key, filename string, ttl time.Duration) (string, error) {
	req, err := o.presign.PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(o.bucket), Key: aws.String(o.key(key)),
		ResponseContentDisposition: aws.String(mime.FormatMediaType("attachment", map[string]string{"filename": path.Base(filename)})),
	}, s3.WithPresignExpires(ttl))
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
		in := &s3.ListObjectVersionsInput{Bucket: aws.String(o.bucket), Prefix: aws.String(full)}
		for page := 0; page < 100; page++ {
			out, err := o.client.ListObjectVersions(ctx, in)
			if err != nil {
				return domain.Wrap(domain.Unavailable, err, "file storage failure")
			}
			var ids []*string
			for _, v := range out.Versions {
				if aws.ToString(v.Key) == full {
					ids = append(ids, v.VersionId)
				}
			}
			for _, m := range out.DeleteMarkers {
				if aws.ToString(m.Key) == full {
					ids = append(ids, m.VersionId)
				}
			}
			for _, id := range ids {
				if _, err := o.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(o.bucket), Key: aws.String(full), VersionId: id}); err != nil {
					return domain.Wrap(domain.Unavailable, err, "file storage failure")
				}
			}
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
		}
	}
	return nil
}
