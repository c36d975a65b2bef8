// Package awsclient builds the AWS SDK clients every function uses, from the
// configuration contract: real endpoints in the cloud, the local stand-ins
// locally, with metering installed on all of them.
package awsclient

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/smithy-go/middleware"
	"github.com/guregu/dynamo/v2"
	"github.com/guregu/dynamo/v2/dynamodbiface"

	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/metering"
)

// Local credentials shared by the stand-ins: DynamoDB Local accepts any
// alphanumeric key, versitygw is started with exactly these root keys.
const (
	LocalAccessKey = "local"
	LocalSecretKey = "localsecret"
)

// Clients are the SDK clients of one process.
type Clients struct {
	AWS aws.Config
	// DynamoDB is the SDK client; tests may put the in-memory DynamoDB of
	// internal/memdb in its place.
	DynamoDB dynamodbiface.DynamoDBAPI
	S3       *s3.Client
	Presign  *s3.PresignClient
	SES      *sesv2.Client
	// UploadOrigin is the origin of the uploads bucket's presigned URLs, the
	// one the browser PUTs attachments to (see presignOrigin; "" without an
	// uploads bucket).
	UploadOrigin string
}

// The SDK's retry settings, the same for DynamoDB, S3 and SES (see
// docs/architecture.md, "Failures and retries"):
const (
	// MaxAttempts is the attempts of one call: the first and two retries.
	MaxAttempts = 3
	// BackoffBase and MaxBackoff shape the pause before a retry: a random
	// time up to BackoffBase·2^attempt, capped (full jitter). Short, because
	// the call's budget is short and the client retries after a 503 anyway.
	BackoffBase = 50 * time.Millisecond
	MaxBackoff  = time.Second
	// DefaultAttemptTimeout bounds one attempt (QUORUM_AWS_ATTEMPT_TIMEOUT):
	// DynamoDB and SES must answer completely within it; S3 must connect
	// and keep sending within it (bodies of any size stream).
	DefaultAttemptTimeout = 2 * time.Second
	// DefaultCallBudget bounds one call with all its attempts and pauses
	// (QUORUM_AWS_CALL_BUDGET): an outage answers 503 after about this long.
	DefaultCallBudget = 5 * time.Second
)

// New loads the SDK configuration for c and builds the clients. Every call
// is retried by the SDK's standard retryer (MaxAttempts, full-jitter
// backoff, its retry quota that fails fast once an outage has used it up,
// plus DynamoDB transaction conflicts), each attempt is bounded by
// c.AWSAttemptTimeout and the whole call by c.AWSCallBudget.
func New(ctx context.Context, c config.Config) (*Clients, error) {
	attempt, budget := c.AWSAttemptTimeout, c.AWSCallBudget
	if attempt <= 0 {
		attempt = DefaultAttemptTimeout
	}
	if budget <= 0 {
		budget = DefaultCallBudget
	}
	opts := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithRegion(c.Region),
		awsconfig.WithRetryer(func() aws.Retryer { return NewRetryer() }),
		awsconfig.WithAPIOptions([]func(*middleware.Stack) error{callBudget(budget)}),
	}
	if c.Local() {
		opts = append(opts, awsconfig.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(LocalAccessKey, LocalSecretKey, "")))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	metering.Install(&cfg)
	cl := &Clients{AWS: cfg}
	dial := func(d *net.Dialer) { d.Timeout = attempt }
	cl.DynamoDB = dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		o.HTTPClient = awshttp.NewBuildableClient().WithDialerOptions(dial).WithTimeout(attempt)
		if c.DynamoDBEndpoint != "" {
			o.BaseEndpoint = aws.String(c.DynamoDBEndpoint)
			// DynamoDB Local's CRC32 headers do not always match its bodies.
			o.DisableValidateResponseChecksum = true
		}
	})
	cl.S3 = s3.NewFromConfig(cfg, func(o *s3.Options) {
		// Bodies stream: an attempt must connect, answer and keep sending
		// within the timeout, but may take as long as its size needs.
		o.HTTPClient = awshttp.NewBuildableClient().WithDialerOptions(dial).
			WithTransportOptions(func(t *http.Transport) { t.ResponseHeaderTimeout = attempt }).WithReadTimeout(attempt)
		if c.S3Endpoint != "" {
			o.BaseEndpoint = aws.String(c.S3Endpoint)
			o.UsePathStyle = true
		}
		// versitygw and S3 both accept checksums only when asked for.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	cl.Presign = s3.NewPresignClient(cl.S3)
	if cl.UploadOrigin, err = presignOrigin(ctx, cl.S3, c.UploadsBucket); err != nil {
		return nil, err
	}
	cl.SES = sesv2.NewFromConfig(cfg, func(o *sesv2.Options) {
		o.HTTPClient = awshttp.NewBuildableClient().WithDialerOptions(dial).WithTimeout(attempt)
		if c.SESEndpoint != "" {
			o.BaseEndpoint = aws.String(c.SESEndpoint)
		}
	})
	return cl, nil
}

// NewRetryer returns the retryer of every client: the SDK's standard one
// with Quorum's settings (MaxAttempts, a full-jitter backoff, the SDK's
// retry quota), which also retries DynamoDB transaction conflicts (a
// cancelled transaction wrote nothing). memdb.Options.Retryer takes it too;
// tweaks change the settings after Quorum's (tests that simulate many
// clients with one drop the shared quota).
func NewRetryer(tweaks ...func(*retry.StandardOptions)) aws.Retryer {
	return retry.NewStandard(append([]func(*retry.StandardOptions){dynamo.RetryTxConflicts, func(o *retry.StandardOptions) {
		o.MaxAttempts, o.MaxBackoff, o.Backoff = MaxAttempts, MaxBackoff, fullJitter{}
	}}, tweaks...)...)
}

// fullJitter is the backoff before retry n: a random time in
// [0, min(MaxBackoff, BackoffBase·2^n)).
type fullJitter struct{}

func (fullJitter) BackoffDelay(attempt int, _ error) (time.Duration, error) {
	ceiling := min(MaxBackoff, BackoffBase<<min(attempt, 10))
	return time.Duration(rand.Int64N(int64(ceiling))), nil // #nosec G404 -- jitter of a retry pause, not a secret
}

// streaming operations return a body the caller reads after the call: the
// call budget cannot cover them (the read timeout and the caller's context do).
var streaming = map[string]bool{"GetObject": true, "PutObject": true, "UploadPart": true}

// callBudget bounds a whole call, all attempts and pauses included, so that
// an unreachable service answers within the budget instead of the request's
// deadline.
func callBudget(budget time.Duration) func(*middleware.Stack) error {
	mw := middleware.InitializeMiddlewareFunc("QuorumCallBudget", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		if streaming[awsmiddleware.GetOperationName(ctx)] {
			return next.HandleInitialize(ctx, in)
		}
		ctx, cancel := context.WithTimeout(ctx, budget)
		defer cancel()
		return next.HandleInitialize(ctx, in)
	})
	return func(s *middleware.Stack) error { return s.Initialize.Add(mw, middleware.Before) }
}

// ResolveSecrets fills secrets that the cloud configuration names by ARN
// (the signing key), once per cold start. Local configurations carry the
// values themselves and are returned unchanged.
func ResolveSecrets(ctx context.Context, cl *Clients, c *config.Config) error {
	if c.SigningKey != nil || c.SigningKeySecretARN == "" {
		return nil
	}
	out, err := secretsmanager.NewFromConfig(cl.AWS).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(c.SigningKeySecretARN)})
	if err != nil {
		return fmt.Errorf("read the signing key secret: %w", err)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(aws.ToString(out.SecretString)))
	if err != nil || len(key) < 32 {
		return fmt.Errorf("the signing key secret must hold base64 of at least 32 bytes")
	}
	c.SigningKey = key
	return nil
}
