package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/config"
)

// newHandler builds the application (internal/app) and returns its handler.
func newHandler(ctx context.Context, cfg config.Config, log *slog.Logger) (http.Handler, error) {
	a, err := app.NewAPI(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	return a.Handler(), nil
}

// invokeOnce runs the real Lambda adapter on one event file and prints the
// API Gateway v2 response as JSON.
func invokeOnce(ctx context.Context, h http.Handler, path string, out io.Writer) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		return fmt.Errorf("%s is not an API Gateway HTTP API v2 event: %w", path, err)
	}
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "local-invoke"})
	resp, err := httpadapter.NewV2(h).ProxyWithContext(ctx, ev)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(resp)
}
