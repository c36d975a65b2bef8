// Package awsclient builds the AWS clients of the functions that use S3
// and SES as well as DynamoDB, from the configuration contract: real
// endpoints in the cloud, the local stand-ins locally, with metering
// installed on all of them. S3 and SES are Quorum's own signed clients
// (internal/objstore, SES below), not the SDK's. The SDK configuration, the DynamoDB client and
// the retry settings come from internal/awsbase, which a function that
// needs only the table uses alone.
package awsclient

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/guregu/dynamo/v2/dynamodbiface"

	"github.com/quorum-app/quorum/internal/awsbase"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/objstore"
)

// Local credentials shared by the stand-ins (awsbase).
const (
	LocalAccessKey = awsbase.LocalAccessKey
	LocalSecretKey = awsbase.LocalSecretKey
)

// Clients are the AWS clients of one process.
type Clients struct {
	AWS aws.Config
	// DynamoDB is the SDK client; tests may put the in-memory DynamoDB of
	// internal/memdb in its place.
	DynamoDB dynamodbiface.DynamoDBAPI
	// S3 is Quorum's S3 client (internal/objstore): get, put, head,
	// delete, copy, the listings and presigned URLs.
	S3  *objstore.Client
	SES *SES
	// UploadOrigin is the origin of the uploads bucket's presigned URLs, the
	// one the browser PUTs attachments to (see objstore.Client.Origin; "" without an
	// uploads bucket).
	UploadOrigin string
}

// New loads the SDK configuration for c from the environment
// (awsbase.LoadEnv: Lambda's credentials, or the stand-ins' when c is
// local; retries, call budget, metering) and builds the clients; each
// attempt is bounded by c.AWSAttemptTimeout. Tools that need the SDK's
// default chain (profiles, SSO) use internal/awschain.
func New(ctx context.Context, c config.Config) (*Clients, error) {
	cfg, err := awsbase.LoadEnv(ctx, c, os.Getenv)
	if err != nil {
		return nil, err
	}
	return NewOn(c, cfg), nil
}

// NewOn builds the clients of New on the SDK configuration cfg.
func NewOn(c config.Config, cfg aws.Config) *Clients {
	cl := &Clients{AWS: cfg, DynamoDB: awsbase.DynamoDB(cfg, c), S3: NewS3(cfg, c), SES: NewSES(cfg, c)}
	if c.UploadsBucket != "" {
		// The address presigned PUTs go to, from the addressing they are
		// built with (objstore.Client.URL): nothing is signed at start-up.
		cl.UploadOrigin = cl.S3.Origin(c.UploadsBucket)
	}
	return cl
}

// NewS3 builds the S3 client of c on the SDK configuration cfg (its region
// and credentials): objstore.New.
func NewS3(cfg aws.Config, c config.Config) *objstore.Client { return objstore.New(cfg, c) }

// NewRetryer is awsbase.NewRetryer, the retryer of every client (tweaks
// change its settings after Quorum's).
func NewRetryer(tweaks ...func(*retry.StandardOptions)) aws.Retryer {
	return awsbase.NewRetryer(tweaks...)
}

// ResolveSecrets fills secrets that the cloud configuration names by ARN
// (awsbase.ResolveSecrets), once per cold start.
func ResolveSecrets(ctx context.Context, cl *Clients, c *config.Config) error {
	return awsbase.ResolveSecrets(ctx, cl.AWS, c)
}
