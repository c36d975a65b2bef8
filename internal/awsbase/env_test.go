package awsbase

import (
	"context"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// A deployed function takes Lambda's credentials from its environment,
// the region from its configuration, and Quorum's retries and call budget.
func TestLoadEnvUsesLambdasCredentials(t *testing.T) {
	ctx := context.Background()
	cfg, err := LoadEnv(ctx, config.Config{Env: "cloud", Region: "eu-west-1"}, env(map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "eu-west-1" {
		t.Errorf("region %q", cfg.Region)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessKeyID != "AKIDEXAMPLE" || creds.SecretAccessKey != "secret" || creds.SessionToken != "token" {
		t.Errorf("credentials %+v", creds)
	}
	if cfg.Retryer == nil || cfg.Retryer().MaxAttempts() != MaxAttempts {
		t.Error("not Quorum's retryer")
	}
	if len(cfg.APIOptions) == 0 {
		t.Error("no call budget")
	}
}

// Locally the stand-ins' keys are used whatever the environment holds.
func TestLoadEnvLocal(t *testing.T) {
	ctx := context.Background()
	cfg, err := LoadEnv(ctx, config.Config{Env: "local", Region: "us-east-1"}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil || creds.AccessKeyID != LocalAccessKey {
		t.Errorf("credentials %+v, %v", creds, err)
	}
}

// Without Lambda's credentials or a region the function fails at start-up,
// saying what is missing, instead of at its first call.
func TestLoadEnvSaysWhatIsMissing(t *testing.T) {
	ctx := context.Background()
	_, err := LoadEnv(ctx, config.Config{Env: "cloud", Region: "eu-west-1"}, env(map[string]string{"AWS_ACCESS_KEY_ID": "x"}))
	if err == nil || !strings.Contains(err.Error(), "AWS_SECRET_ACCESS_KEY") {
		t.Errorf("err = %v", err)
	}
	_, err = LoadEnv(ctx, config.Config{Env: "cloud"}, env(map[string]string{"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"}))
	if err == nil || !strings.Contains(err.Error(), "region") {
		t.Errorf("err = %v", err)
	}
}
