package awsclient

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/quorum-app/quorum/internal/objstore"
)

// presignOrigin is the origin (scheme://host[:port]) of the presigned URLs
// client makes for bucket: virtual-hosted style in the cloud
// (https://<bucket>.s3.<region>.amazonaws.com), path style on a local
// endpoint (http://127.0.0.1:<port>). It presigns a request with the
// client's own addressing, so it cannot drift from the URLs browsers are
// given, and with placeholder credentials: nothing is sent, no secret is
// read. "" when there is no bucket.
func presignOrigin(ctx context.Context, client *objstore.Client, bucket string) (string, error) {
	if bucket == "" {
		return "", nil
	}
	probe := *client
	probe.Creds = credentials.NewStaticCredentialsProvider("origin", "probe", "")
	req, err := probe.PresignPut(ctx, bucket, "origin-probe", "", 0, "", time.Minute)
	if err != nil {
		return "", fmt.Errorf("resolve the origin of bucket %s: %w", bucket, err)
	}
	u, err := url.Parse(req.URL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("resolve the origin of bucket %s: unexpected presigned URL", bucket)
	}
	return u.Scheme + "://" + u.Host, nil
}
