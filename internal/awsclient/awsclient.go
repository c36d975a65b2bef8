// Package awsclient builds the AWS SDK clients of the functions that use
// S3 and SES as well as DynamoDB, from the configuration contract: real
// endpoints in the cloud, the local stand-ins locally, with metering
// installed on all of them. The SDK configuration, the DynamoDB client and
// the retry settings come from internal/awsbase, which a function that
// needs only the table uses alone.
package awsclient

import (
	"context"
	"net/http"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/guregu/dynamo/v2/dynamodbiface"

	"github.com/quorum-app/quorum/internal/awsbase"
	"github.com/quorum-app/quorum/internal/config"
)

// Local credentials shared by the stand-ins (awsbase).
const (
	LocalAccessKey = awsbase.LocalAccessKey
	LocalSecretKey = awsbase.LocalSecretKey
)

// Clients are the SDK clients of one process.
type Clients struct {
	AWS aws.Config
	// DynamoDB is the SDK client; tests may put the in-memory DynamoDB of
	// internal/memdb in its place.
	DynamoDB dynamodbiface.DynamoDBAPI
	S3       *s3.Client
	Presign  *s3.PresignClient
	SES      *SES
	// UploadOrigin is the origin of the uploads bucket's presigned URLs, the
	// one the browser PUTs attachments to (see presignOrigin; "" without an
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
	return NewOn(ctx, c, cfg)
}

// NewOn builds the clients of New on the SDK configuration cfg.
func NewOn(ctx context.Context, c config.Config, cfg aws.Config) (*Clients, error) {
	var err error
	cl := &Clients{AWS: cfg, DynamoDB: awsbase.DynamoDB(cfg, c), S3: NewS3(cfg, c), SES: NewSES(cfg, c)}
	cl.Presign = s3.NewPresignClient(cl.S3)
	if cl.UploadOrigin, err = presignOrigin(ctx, cl.S3, c.UploadsBucket); err != nil {
		return nil, err
	}
	return cl, nil
}

// NewS3 builds the S3 client of c on the SDK configuration cfg.
func NewS3(cfg aws.Config, c config.Config) *s3.Client {
	attempt := awsbase.AttemptTimeout(c)
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		// Bodies stream: an attempt must connect, answer and keep sending
		// within the timeout, but may take as long as its size needs.
		o.HTTPClient = awshttp.NewBuildableClient().WithDialerOptions(awsbase.Dial(attempt)).
			WithTransportOptions(func(t *http.Transport) { t.ResponseHeaderTimeout = attempt }).WithReadTimeout(attempt)
		if c.S3Endpoint != "" {
			o.BaseEndpoint = aws.String(c.S3Endpoint)
			o.UsePathStyle = true
		}
		// versitygw and S3 both accept checksums only when asked for.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
}

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
