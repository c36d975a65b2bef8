// Package blob stores files in the KMS-encrypted S3 buckets.
package blob

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Bucket is one S3 bucket.
type Bucket struct {
	client *s3.Client
	name   string
}

// NewBucket returns a handle on the named bucket.
func NewBucket(client *s3.Client, name string) *Bucket { return &Bucket{client: client, name: name} }

// Name is the bucket name.
func (b *Bucket) Name() string { return b.name }

// Ping checks the bucket is reachable with the process's credentials.
func (b *Bucket) Ping(ctx context.Context) error {
	_, err := b.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(b.name)})
	return err
}
