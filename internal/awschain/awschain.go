// Package awschain loads the AWS SDK configuration through the SDK's
// default chain (environment, shared files and profiles, SSO, role
// assumption, instance metadata), for the tools run on an operator's
// machine (internal/cmd/recovery). The functions do not import it: they
// build on awsbase.LoadEnv, the credentials Lambda puts in their
// environment, and so link none of the chain's clients (STS, SSO, SSO OIDC,
// sign-in, IMDS) nor run their package initialisation at a cold start
// (internal/lambdarun's TestFunctionsLinkOnlyTheirCores keeps it so).
package awschain

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/quorum-app/quorum/internal/awsbase"
	"github.com/quorum-app/quorum/internal/awsclient"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/metering"
)

// Load loads the SDK configuration for c. Every call is retried by the
// SDK's standard retryer (awsbase.NewRetryer: MaxAttempts, full-jitter
// backoff, its retry quota that fails fast once an outage has used it up,
// plus DynamoDB transaction conflicts), and the whole call is bounded by
// c.AWSCallBudget; metering is installed.
func Load(ctx context.Context, c config.Config) (aws.Config, error) {
	opts := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithRegion(c.Region),
		awsconfig.WithRetryer(func() aws.Retryer { return awsbase.NewRetryer() }),
		awsconfig.WithAPIOptions(awsbase.APIOptions(c)),
	}
	if c.Local() {
		opts = append(opts, awsconfig.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(awsbase.LocalAccessKey, awsbase.LocalSecretKey, "")))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	metering.Install(&cfg)
	return cfg, nil
}

// New builds the clients of awsclient.New on the default chain's
// configuration.
func New(ctx context.Context, c config.Config) (*awsclient.Clients, error) {
	cfg, err := Load(ctx, c)
	if err != nil {
		return nil, err
	}
	return awsclient.NewOn(c, cfg), nil
}
