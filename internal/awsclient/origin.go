package awsclient

import (
	"context"
	"fmt"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// presignOrigin is the origin (scheme://host[:port]) of the presigned URLs
// client makes for bucket: virtual-hosted style in the cloud
// (https://<bucket>.s3.<region>.amazonaws.com), path style on a local
// endpoint (http://127.0.0.1:<port>). It presigns a request with the
// client's own options, so it cannot drift from the URLs browsers are
// given, and with placeholder credentials: nothing is sent, no secret is
// read. "" when there is no bucket.
func presignOrigin(ctx context.Context, client *s3.Client, bucket string) (string, error) {
	if bucket == "" {
		return "", nil
	}
	req, err := s3.NewPresignClient(client).PresignPutObject(ctx,
		&s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("origin-probe")},
		func(o *s3.PresignOptions) {
			o.ClientOptions = append(o.ClientOptions, func(o *s3.Options) {
				o.Credentials = credentials.NewStaticCredentialsProvider("origin", "probe", "")
			})
		})
	if err != nil {
		return "", fmt.Errorf("resolve the origin of bucket %s: %w", bucket, err)
	}
	u, err := url.Parse(req.URL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("resolve the origin of bucket %s: unexpected presigned URL", bucket)
	}
	return u.Scheme + "://" + u.Host, nil
}
