// Command hello is the yardstick of cold starts: the smallest aws-lambda-go
// function, built like Quorum's functions (lambdarun.Build). make bench
// compares every function's start-up with this one's.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

type response struct {
	Message string `json:"message"`
	Bytes   int    `json:"event_bytes"`
}

func handle(_ context.Context, ev json.RawMessage) (response, error) {
	return response{Message: "hello", Bytes: len(ev)}, nil
}

func main() { lambda.Start(handle) }
