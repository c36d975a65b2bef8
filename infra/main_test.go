package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/infra/stack"
)

// skipShort: the tests that run the CDK CLI (Node, and `go run ./infra`
// with jsii) belong to the real tier, like the AWS stand-ins: `make test`
// runs them, the fast tier (-short) does not.
func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the CDK CLI (Node and jsii): runs in `make test`, not with -short")
	}
}

// TestCLISynth runs the pinned CDK CLI over the real app (cdk.json), offline,
// with notices and telemetry off, on placeholder bootstraps.
func TestCLISynth(t *testing.T) {
	skipShort(t)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	cdk := filepath.Join(root, "node_modules", ".bin", "cdk")
	if _, err := os.Stat(cdk); err != nil {
		t.Fatalf("pinned CDK CLI missing (%v): run npm ci", err)
	}
	assets, out := t.TempDir(), t.TempDir()
	for _, sp := range stack.Functions {
		dir := filepath.Join(assets, sp.Name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "bootstrap"), []byte("placeholder"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cdk, "synth", "--quiet", "--no-notices", "-o", out,
		"-c", "account=123456789012", "-c", "lambdaAssetDir="+assets,
		"-c", "mailDomain=mail.example.org", "-c", "alarmEmail=ops@example.org")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CDK_DISABLE_CLI_TELEMETRY=true", "AWS_EC2_METADATA_DISABLED=true",
		"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20", "CDK_DEFAULT_ACCOUNT=", "CDK_DEFAULT_REGION=",
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_PROFILE=")
	output, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("cdk synth: %v\n%s", err, output)
	}
	for _, name := range []string{"quorum-dr.template.json", "quorum-primary.template.json", "quorum-dr-app.template.json"} {
		raw, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, output)
		}
		if name != "quorum-dr.template.json" && !strings.Contains(string(raw), `"provided.al2023"`) {
			t.Errorf("%s: no function", name)
		}
	}
	if strings.Contains(string(output), "AwsSolutions-") || strings.Contains(string(output), "NIST.800.53") {
		t.Errorf("cdk-nag findings in synth output:\n%s", output)
	}
}

// TestMissingAccountIsAClearError: without -c account (and no credentials)
// the app refuses to guess.
func TestMissingAccountIsAClearError(t *testing.T) {
	skipShort(t)
	root, _ := filepath.Abs("..")
	cmd := exec.Command(filepath.Join(root, "node_modules", ".bin", "cdk"), "synth", "--quiet", "--no-notices", "-o", t.TempDir())
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CDK_DISABLE_CLI_TELEMETRY=true", "AWS_EC2_METADATA_DISABLED=true",
		"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20", "CDK_DEFAULT_ACCOUNT=", "AWS_ACCESS_KEY_ID=", "AWS_PROFILE=")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "account: is required") {
		t.Fatalf("want a clear account error, got %v\n%s", err, out)
	}
}

// TestSynthAndDeployInstallThePinnedCLI: on a fresh clone (no node_modules)
// `make synth` and `make deploy` install the pinned npm tools before they
// call the CDK CLI. make -n prints the recipes without running them.
func TestSynthAndDeployInstallThePinnedCLI(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	clone := t.TempDir()
	for _, f := range []string{"Makefile", "infra/infra.mk", "package.json", "package-lock.json"} {
		raw, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(clone, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(clone, f), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, target := range []string{"synth", "deploy", "infra-test"} {
		cmd := exec.Command("make", "-n", "-C", clone, target, "ACCOUNT=123456789012")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("make -n %s: %v\n%s", target, err, out)
		}
		s := string(out)
		install := strings.Index(s, "npm ci")
		if install < 0 {
			t.Errorf("make %s on a fresh clone does not install the pinned npm tools:\n%s", target, s)
			continue
		}
		if use := strings.Index(s, "cdk "+target); target != "infra-test" && (use < 0 || use < install) {
			t.Errorf("make %s calls the CDK CLI before installing it:\n%s", target, s)
		}
	}
}
