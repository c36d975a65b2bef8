package awsbase

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/metering"
)

// LoadEnv is Load for a deployed function: the same retries, call budget
// and metering, with the region from c and the credentials Lambda puts in
// the function's environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, read through getenv), or the stand-ins' when c is
// local. It does not use the SDK's default configuration chain (shared
// files, profiles, SSO, role assumption, instance metadata), which Lambda
// never needs: a function built on LoadEnv links none of those clients
// (STS, SSO, SSO OIDC, sign-in, IMDS: about 1 MB of the binary) and reads no
// file at start-up. Tools run on an operator's machine use internal/awschain,
// the SDK's default chain.
func LoadEnv(ctx context.Context, c config.Config, getenv func(string) string) (aws.Config, error) {
	var creds aws.CredentialsProvider
	switch {
	case c.Local():
		creds = credentials.NewStaticCredentialsProvider(LocalAccessKey, LocalSecretKey, "")
	case getenv("AWS_ACCESS_KEY_ID") != "" && getenv("AWS_SECRET_ACCESS_KEY") != "":
		creds = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(getenv("AWS_ACCESS_KEY_ID"),
			getenv("AWS_SECRET_ACCESS_KEY"), getenv("AWS_SESSION_TOKEN")))
	default:
		return aws.Config{}, errors.New("load AWS configuration: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set " +
			"(Lambda sets them; outside Lambda, point the function at the local cloud)")
	}
	if c.Region == "" {
		return aws.Config{}, errors.New("load AWS configuration: no region")
	}
	cfg := aws.Config{
		Region:      c.Region,
		Credentials: creds,
		Retryer:     func() aws.Retryer { return NewRetryer() },
		APIOptions:  APIOptions(c),
	}
	metering.Install(&cfg)
	return cfg, nil
}
