// Package awsbase builds what every function needs of the AWS SDK: the SDK
// configuration (region, credentials, Quorum's retry settings and call
// budget, metering), the DynamoDB client and the signing-key secret. It
// links no other service client: internal/awsclient adds S3 and SES for the
// functions that use them. Each service package the linker keeps costs its
// package initialisation (the SDK's schemas) at every cold start, so a
// function that needs only the table (ses-events) builds from here.
package awsbase

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/config"
)

// Local credentials shared by the stand-ins: DynamoDB Local accepts any
// alphanumeric key, versitygw is started with exactly these root keys.
const (
	LocalAccessKey = "local"
	LocalSecretKey = "localsecret"
)

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

// AttemptTimeout is c's bound on one attempt (DefaultAttemptTimeout when
// unset).
func AttemptTimeout(c config.Config) time.Duration {
	if c.AWSAttemptTimeout <= 0 {
		return DefaultAttemptTimeout
	}
	return c.AWSAttemptTimeout
}

// Dial bounds connecting by the attempt timeout, for every client's
// HTTP client.
func Dial(attempt time.Duration) func(*net.Dialer) {
	return func(d *net.Dialer) { d.Timeout = attempt }
}

// CallBudget is c's bound on one call with all its attempts and pauses
// (DefaultCallBudget when unset).
func CallBudget(c config.Config) time.Duration {
	if c.AWSCallBudget <= 0 {
		return DefaultCallBudget
	}
	return c.AWSCallBudget
}

// APIOptions are the middleware every client gets: the call budget of c.
func APIOptions(c config.Config) []func(*middleware.Stack) error {
	return []func(*middleware.Stack) error{callBudget(CallBudget(c))}
}

// DynamoDB builds the DynamoDB client of c on the SDK configuration cfg:
// each attempt bounded by c's attempt timeout, DynamoDB Local when c names
// an endpoint.
func DynamoDB(cfg aws.Config, c config.Config) *dynamodb.Client {
	attempt := AttemptTimeout(c)
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		o.HTTPClient = awshttp.NewBuildableClient().WithDialerOptions(Dial(attempt)).WithTimeout(attempt)
		if c.DynamoDBEndpoint != "" {
			o.BaseEndpoint = aws.String(c.DynamoDBEndpoint)
			// DynamoDB Local's CRC32 headers do not always match its bodies.
			o.DisableValidateResponseChecksum = true
		}
	})
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
// (the signing key), once per cold start, with the credentials and region
// of the SDK configuration cfg (secret.go: one signed GetSecretValue call,
// without the SDK's Secrets Manager client). Local configurations carry
// the values themselves and are returned unchanged.
func ResolveSecrets(ctx context.Context, cfg aws.Config, c *config.Config) error {
	if c.SigningKey != nil || c.SigningKeySecretARN == "" {
		return nil
	}
	return resolveSecrets(ctx, NewSigned(cfg, *c, "secretsmanager", Endpoint("secretsmanager", cfg.Region)), c)
}

// resolveSecrets is ResolveSecrets calling Secrets Manager through s.
func resolveSecrets(ctx context.Context, s Signed, c *config.Config) error {
	if s.Creds == nil {
		return fmt.Errorf("read the signing key secret: no credentials")
	}
	str, err := secretString(ctx, s, c.SigningKeySecretARN)
	if err != nil {
		return fmt.Errorf("read the signing key secret: %w", err)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(str))
	if err != nil || len(key) < 32 {
		return fmt.Errorf("the signing key secret must hold base64 of at least 32 bytes")
	}
	c.SigningKey = key
	return nil
}
