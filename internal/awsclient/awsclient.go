// Package awsclient builds the AWS SDK clients every function uses, from the
// configuration contract: real endpoints in the cloud, the local stand-ins
// locally, with metering installed on all of them.
package awsclient

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
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

// New loads the SDK configuration for c and builds the clients.
func New(ctx context.Context, c config.Config) (*Clients, error) {
	opts := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithRegion(c.Region),
		awsconfig.WithRetryer(NewRetryer),
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
	cl.DynamoDB = dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if c.DynamoDBEndpoint != "" {
			o.BaseEndpoint = aws.String(c.DynamoDBEndpoint)
			// DynamoDB Local's CRC32 headers do not always match its bodies.
			o.DisableValidateResponseChecksum = true
		}
	})
	cl.S3 = s3.NewFromConfig(cfg, func(o *s3.Options) {
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
		if c.SESEndpoint != "" {
			o.BaseEndpoint = aws.String(c.SESEndpoint)
		}
	})
	return cl, nil
}

// NewRetryer returns the retryer of every client: the SDK's standard one,
// which also retries DynamoDB transaction conflicts (a cancelled transaction
// wrote nothing). memdb.Options.Retryer takes it too.
func NewRetryer() aws.Retryer { return retry.NewStandard(dynamo.RetryTxConflicts) }

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
