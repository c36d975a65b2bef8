package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/testcloud"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

// The real handler, wired as in Lambda, answers the sample API Gateway v2
// event with a 200 whose body reports DynamoDB and S3 ok.
func TestInvokeHealthzEvent(t *testing.T) {
	env := testcloud.New(t)
	var logs bytes.Buffer
	h, err := newHandler(context.Background(), env.Config, logging.New(&logs, "info"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := invokeOnce(context.Background(), h, filepath.Join("..", "..", "events", "api-healthz.json"), &out); err != nil {
		t.Fatal(err)
	}
	var resp struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Body       string            `json:"body"`
	}
	if err := json.Unmarshal(out.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, `"dynamodb":"ok"`) || !strings.Contains(resp.Body, `"s3":"ok"`) {
		t.Fatalf("response %+v", resp)
	}
	if resp.Headers["Strict-Transport-Security"] == "" || resp.Headers["Content-Security-Policy"] == "" {
		t.Fatalf("security headers missing in Lambda response: %v", resp.Headers)
	}
	// The request id from API Gateway is used and logged with the call counts.
	if resp.Headers["X-Request-Id"] != "Cg5Jxj3XjoEEMbA=" || !strings.Contains(logs.String(), `"request_id":"Cg5Jxj3XjoEEMbA="`) ||
		!strings.Contains(logs.String(), `"ddb_calls":1`) || !strings.Contains(logs.String(), `"s3_calls":1`) {
		t.Fatalf("request id / metering not logged: %s", logs.String())
	}
}

func TestInvokeHomeEvent(t *testing.T) {
	env := testcloud.New(t)
	h, err := newHandler(context.Background(), env.Config, logging.New(&bytes.Buffer{}, "info"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := invokeOnce(context.Background(), h, filepath.Join("..", "..", "events", "api-home.json"), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"statusCode": 200`) || !strings.Contains(out.String(), "Discuss and decide together") {
		t.Fatalf("home via Lambda: %s", out.String()[:min(400, out.Len())])
	}
}

func TestInvokeRejectsNonEvent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.json")
	_ = os.WriteFile(path, []byte(`[1,2,3]`), 0o644)
	err := invokeOnce(context.Background(), nil, path, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "not an API Gateway HTTP API v2 event") {
		t.Fatalf("got %v", err)
	}
}
