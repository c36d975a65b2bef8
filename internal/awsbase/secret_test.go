package awsbase

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/quorum-app/quorum/internal/awsbase/sigv4test"
	"github.com/quorum-app/quorum/internal/config"
)

const testARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:quorum/signing-key-AbCdEf"

var testCreds = credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token")

// verifySigV4 checks r as Secrets Manager would: the operation, the
// protocol, and a SigV4 signature over exactly what arrived (method, host,
// path, the signed headers and the body), recomputed here with the
// credentials the client holds.
func verifySigV4(t *testing.T, r *http.Request, body []byte) {
	t.Helper()
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		t.Errorf("%s %s, want POST /", r.Method, r.URL.Path)
	}
	if got := r.Header.Get("X-Amz-Target"); got != "secretsmanager.GetSecretValue" {
		t.Errorf("X-Amz-Target %q", got)
	}
	if got := r.Header.Get("Content-Type"); got != "application/x-amz-json-1.1" {
		t.Errorf("Content-Type %q", got)
	}
	creds, _ := testCreds.Retrieve(context.Background())
	sigv4test.Verify(t, r, body, creds, "secretsmanager", "eu-west-1", "content-type", "x-amz-security-token", "x-amz-target")
	var in map[string]any
	if err := json.Unmarshal(body, &in); err != nil || len(in) != 1 || in["SecretId"] != testARN {
		t.Errorf("body %s, want {\"SecretId\": the ARN}", body)
	}
}

func reader(url string) Signed {
	return Signed{Service: "secretsmanager", Creds: testCreds, Region: "eu-west-1", Endpoint: url, Client: &http.Client{Timeout: 2 * time.Second},
		Budget: 5 * time.Second, Now: time.Now, Pause: func(context.Context, int) error { return nil }}
}

// The signing key is read with one signed GetSecretValue call and decoded
// as before; the configuration then carries it.
func TestResolveSecretsReadsTheKeyWithASignedCall(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		verifySigV4(t, r, body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_ = json.NewEncoder(w).Encode(map[string]any{"ARN": testARN, "Name": "quorum/signing-key",
			"SecretString": base64.StdEncoding.EncodeToString(key) + "\n", "VersionId": "v1", "CreatedDate": 1.7e9})
	}))
	defer srv.Close()
	c := config.Config{SigningKeySecretARN: testARN}
	if err := resolveSecrets(context.Background(), reader(srv.URL), &c); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c.SigningKey, key) {
		t.Errorf("key %x", c.SigningKey)
	}
	if calls.Load() != 1 {
		t.Errorf("%d calls, want 1", calls.Load())
	}
}

// Throttling and server errors are retried, up to MaxAttempts; a refusal
// (no such secret, access denied) is not, and says what the service said.
func TestResolveSecretsRetriesAsTheClientsDo(t *testing.T) {
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 48))
	fail := func(status int, typ string) func(w http.ResponseWriter) {
		return func(w http.ResponseWriter) {
			w.WriteHeader(status)
			_, _ = io.WriteString(w, `{"__type":"`+typ+`","message":"said the service"}`)
		}
	}
	ok := func(w http.ResponseWriter) { _, _ = io.WriteString(w, `{"SecretString":"`+key+`"}`) }
	for _, tc := range []struct {
		name      string
		answers   []func(http.ResponseWriter)
		wantCalls int32
		wantErr   string
	}{
		{"server error then success", []func(http.ResponseWriter){fail(500, "InternalServiceError"), ok}, 2, ""},
		{"throttled twice then success", []func(http.ResponseWriter){fail(400, "ThrottlingException"), fail(429, "TooManyRequestsException"), ok}, 3, ""},
		{"unavailable every time", []func(http.ResponseWriter){fail(503, ""), fail(503, ""), fail(503, ""), ok}, MaxAttempts, "HTTP 503"},
		{"access denied", []func(http.ResponseWriter){fail(400, "com.amazonaws.secretsmanager#AccessDeniedException"), ok}, 1,
			"AccessDeniedException: said the service"},
		{"no such secret", []func(http.ResponseWriter){fail(400, "ResourceNotFoundException"), ok}, 1, "ResourceNotFoundException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := calls.Add(1)
				body, _ := io.ReadAll(r.Body)
				verifySigV4(t, r, body)
				tc.answers[n-1](w)
			}))
			defer srv.Close()
			c := config.Config{SigningKeySecretARN: testARN}
			err := resolveSecrets(context.Background(), reader(srv.URL), &c)
			if calls.Load() != tc.wantCalls {
				t.Errorf("%d calls, want %d", calls.Load(), tc.wantCalls)
			}
			switch {
			case tc.wantErr == "" && (err != nil || len(c.SigningKey) != 48):
				t.Errorf("err %v, key %d bytes", err, len(c.SigningKey))
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr) ||
				!strings.Contains(err.Error(), "read the signing key secret")):
				t.Errorf("err %v, want one saying %q", err, tc.wantErr)
			}
		})
	}
}

// A secret that is not base64 of at least 32 bytes is refused as before,
// and a server that never answers ends with the call budget.
func TestResolveSecretsRefusesAShortKeyAndKeepsTheBudget(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"SecretString":"`+base64.StdEncoding.EncodeToString([]byte("short"))+`"}`)
	}))
	defer srv.Close()
	c := config.Config{SigningKeySecretARN: testARN}
	if err := resolveSecrets(context.Background(), reader(srv.URL), &c); err == nil || !strings.Contains(err.Error(), "at least 32 bytes") {
		t.Errorf("err %v", err)
	}

	stuck := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-stuck }))
	defer slow.Close()
	defer close(stuck)
	r := reader(slow.URL)
	r.Budget = 200 * time.Millisecond
	start := time.Now()
	if err := resolveSecrets(context.Background(), r, &c); err == nil {
		t.Error("no error from a server that never answers")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v: the call budget was not kept", d)
	}
}

// Local configurations carry the key: nothing is read; a configured key
// is never replaced.
func TestResolveSecretsReadsNothingLocally(t *testing.T) {
	c := config.Config{SigningKey: []byte("k"), SigningKeySecretARN: testARN}
	if err := ResolveSecrets(context.Background(), aws.Config{}, &c); err != nil || string(c.SigningKey) != "k" {
		t.Errorf("err %v, key %q", err, c.SigningKey)
	}
	c = config.Config{}
	if err := ResolveSecrets(context.Background(), aws.Config{}, &c); err != nil || c.SigningKey != nil {
		t.Errorf("err %v, key %q", err, c.SigningKey)
	}
}

// The endpoint is the one the SDK's rules resolve for the region.
func TestEndpoint(t *testing.T) {
	for region, want := range map[string]string{
		"eu-west-1":      "https://secretsmanager.eu-west-1.amazonaws.com",
		"us-gov-west-1":  "https://secretsmanager.us-gov-west-1.amazonaws.com",
		"cn-north-1":     "https://secretsmanager.cn-north-1.amazonaws.com.cn",
		"us-iso-east-1":  "https://secretsmanager.us-iso-east-1.c2s.ic.gov",
		"us-isob-east-1": "https://secretsmanager.us-isob-east-1.sc2s.sgov.gov",
	} {
		if got := Endpoint("secretsmanager", region); got != want {
			t.Errorf("%s: %s, want %s", region, got, want)
		}
	}
}
