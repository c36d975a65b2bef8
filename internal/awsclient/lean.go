package awsclient

import (
	"context"

	"github.com/quorum-app/quorum/internal/awsbase"
	"github.com/quorum-app/quorum/internal/config"
)

// The functions' clients: the SDK configuration from the environment Lambda
// gives them (awsbase.LoadEnv), and only the clients each one calls.

// NewMail builds the clients of a function that reads the table and sends
// email but touches no bucket (functions/mailer): DynamoDB and SES. S3 is
// nil, so the S3 client's code is not linked and nothing is presigned at
// start-up.
func NewMail(ctx context.Context, c config.Config, getenv func(string) string) (*Clients, error) {
	cfg, err := awsbase.LoadEnv(ctx, c, getenv)
	if err != nil {
		return nil, err
	}
	return &Clients{AWS: cfg, DynamoDB: awsbase.DynamoDB(cfg, c), SES: NewSES(cfg, c)}, nil
}

// NewNoPresign builds DynamoDB, S3 and SES like New, on awsbase.LoadEnv,
// without presigning a probe URL at start-up: for the functions
// that read and write objects but hand no upload URL to a browser
// (functions/inbound, functions/scheduler: the links of exports are
// presigned by internal/blob when made).
func NewNoPresign(ctx context.Context, c config.Config, getenv func(string) string) (*Clients, error) {
	cfg, err := awsbase.LoadEnv(ctx, c, getenv)
	if err != nil {
		return nil, err
	}
	return &Clients{AWS: cfg, DynamoDB: awsbase.DynamoDB(cfg, c), S3: NewS3(cfg, c), SES: NewSES(cfg, c)}, nil
}
