// Command floor is the second yardstick of cold starts: the smallest
// function the design's dependencies allow that does what every Quorum
// function's first event does at least once, one DynamoDB call. It is
// aws-lambda-go with Quorum's configuration and the DynamoDB client every
// function builds (internal/config, awsbase.LoadEnv, awsbase.DynamoDB:
// aws-sdk-go-v2 and guregu/dynamo), reading one item that does not exist.
// make bench reports its CPU from exec to the first response against
// hello-world's, as it does each function's (BenchmarkColdStart): what no
// function that calls DynamoDB on its first event can start below.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/awsbase"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/tabledef"
)

type response struct {
	Found bool `json:"found"`
	Bytes int  `json:"event_bytes"`
}

func main() {
	ctx := context.Background()
	c, err := config.Load(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cfg, err := awsbase.LoadEnv(ctx, c, os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	table := dynamo.NewFromIface(awsbase.DynamoDB(cfg, c)).Table(c.Table)
	lambda.Start(func(ctx context.Context, ev json.RawMessage) (response, error) {
		var item map[string]any
		err := table.Get(tabledef.PK, "FLOOR#probe").Range(tabledef.SK, dynamo.Equal, "FLOOR").One(ctx, &item)
		if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
			return response{}, err
		}
		return response{Found: err == nil, Bytes: len(ev)}, nil
	})
}
