package lambdarun

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/quorum-app/quorum/internal/testcloud"
)

// The test binary doubles as the function under test: with
// LAMBDARUN_TEST_CHILD set it behaves as that kind of function.
func TestMain(m *testing.M) {
	switch os.Getenv("LAMBDARUN_TEST_CHILD") {
	case "":
		code := testcloud.Run(m)
		removeLinks()
		os.Exit(code)
	case "env":
		// Answers with the environment it was given.
		lambda.Start(func(context.Context, json.RawMessage) ([]string, error) { return os.Environ(), nil })
	case "fail":
		lambda.Start(func(context.Context, json.RawMessage) (string, error) { return "", errors.New("handler says no") })
	case "exit":
		os.Stderr.WriteString("cannot start: missing configuration\n")
		os.Exit(3)
	case "mute":
		time.Sleep(time.Minute)
	}
	os.Exit(0)
}

func child(t *testing.T, mode string, timeout time.Duration) (Result, error) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return Invoke(context.Background(), self, Options{
		Env: []string{"LAMBDARUN_TEST_CHILD=" + mode}, Event: []byte(`{"ping":1}`), Timeout: timeout,
	})
}

func TestInvokeGivesTheFunctionItsEnvironmentOnly(t *testing.T) {
	t.Setenv("LAMBDARUN_SHOULD_NOT_LEAK", "1")
	res, err := child(t, "env", 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed {
		t.Fatalf("failed: %s", res.Response)
	}
	var env []string
	if err := json.Unmarshal(res.Response, &env); err != nil {
		t.Fatalf("response %q: %v", res.Response, err)
	}
	got := strings.Join(env, "\n")
	for _, want := range []string{"LAMBDARUN_TEST_CHILD=env", "AWS_LAMBDA_RUNTIME_API=127.0.0.1:", "AWS_LAMBDA_FUNCTION_NAME=", "_HANDLER=bootstrap"} {
		if !strings.Contains(got, want) {
			t.Errorf("environment lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "LAMBDARUN_SHOULD_NOT_LEAK") {
		t.Errorf("the parent's environment leaked into the function:\n%s", got)
	}
	if res.Wall <= 0 || res.CPU() <= 0 || res.MaxRSS <= 0 {
		t.Errorf("no cost measured: wall %v cpu %v rss %d", res.Wall, res.CPU(), res.MaxRSS)
	}
}

func TestInvokeReportsAHandlerError(t *testing.T) {
	res, err := child(t, "fail", 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Failed || !strings.Contains(string(res.Response), "handler says no") {
		t.Fatalf("want a failed result naming the error, got failed=%v %s", res.Failed, res.Response)
	}
}

func TestInvokeFailsWhenTheProcessExitsWithoutAnswering(t *testing.T) {
	_, err := child(t, "exit", 20*time.Second)
	if err == nil || !strings.Contains(err.Error(), "exited before answering") || !strings.Contains(err.Error(), "missing configuration") {
		t.Fatalf("want an error with the process's output, got %v", err)
	}
}

func TestInvokeGivesUpAfterTheTimeout(t *testing.T) {
	start := time.Now()
	_, err := child(t, "mute", time.Second)
	if err == nil || !strings.Contains(err.Error(), "did not answer") {
		t.Fatalf("want a timeout error, got %v", err)
	}
	if time.Since(start) > 20*time.Second {
		t.Errorf("the timeout was not enforced: %v", time.Since(start))
	}
}

// The yardstick itself, built as the deployment builds functions.
func TestHelloBuiltLikeAFunctionAnswers(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "bootstrap")
	if err := Build(context.Background(), ".", "./hello", runtime.GOARCH, bin); err != nil {
		t.Fatal(err)
	}
	res, err := Invoke(context.Background(), bin, Options{Event: []byte(`{"a":"bc"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed || string(res.Response) != `{"message":"hello","event_bytes":10}` {
		t.Fatalf("response %s (failed %v)", res.Response, res.Failed)
	}
}
