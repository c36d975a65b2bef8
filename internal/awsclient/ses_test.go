package awsclient

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/quorum-app/quorum/internal/awsbase"
	"github.com/quorum-app/quorum/internal/awsbase/sigv4test"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/metering"
)

// checkSendEmail checks r as SES would: SendEmail of the v2 REST API, and
// a SigV4 signature for "ses" in the region over exactly what arrived,
// recomputed here.
func checkSendEmail(t *testing.T, r *http.Request, body []byte, creds aws.Credentials) map[string]any {
	t.Helper()
	if r.Method != http.MethodPost || r.URL.Path != "/v2/email/outbound-emails" {
		t.Errorf("%s %s, want POST /v2/email/outbound-emails", r.Method, r.URL.Path)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	sigv4test.Verify(t, r, body, creds, "ses", "eu-west-1", "content-type", "x-amz-security-token")
	var in map[string]any
	if err := json.Unmarshal(body, &in); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	return in
}

func testSES(t *testing.T, h func(n int32, w http.ResponseWriter, in map[string]any)) (*SES, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	provider := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "tok")
	creds, _ := provider.Retrieve(context.Background())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		h(n, w, checkSendEmail(t, r, body, creds))
	}))
	t.Cleanup(srv.Close)
	s := NewSES(aws.Config{Region: "eu-west-1", Credentials: provider}, config.Config{SESEndpoint: srv.URL})
	s.call.Pause = func(context.Context, int) error { return nil }
	return s, &calls
}

// A message goes out as SendEmail with raw content, its sender, its
// recipients and the configuration set, as the SDK's client sent it; the
// call is metered as an SES call.
func TestSESSendsRawEmail(t *testing.T) {
	raw := []byte("From: a@example.org\r\nTo: b@example.org\r\nSubject: hi\r\n\r\nbody\r\n")
	s, calls := testSES(t, func(_ int32, w http.ResponseWriter, in map[string]any) {
		want := map[string]any{"FromEmailAddress": "a@example.org", "ConfigurationSetName": "quorum-mail",
			"Destination": map[string]any{"ToAddresses": []any{"b@example.org"}},
			"Content":     map[string]any{"Raw": map[string]any{"Data": "RnJvbTogYUBleGFtcGxlLm9yZw0KVG86IGJAZXhhbXBsZS5vcmcNClN1YmplY3Q6IGhpDQoNCmJvZHkNCg=="}}}
		got, _ := json.Marshal(in)
		exp, _ := json.Marshal(want)
		if string(got) != string(exp) {
			t.Errorf("SendEmail input\n got %s\nwant %s", got, exp)
		}
		_, _ = io.WriteString(w, `{"MessageId":"0100018c-abc"}`)
	})
	ctx, m := metering.NewContext(context.Background())
	id, err := s.SendRaw(ctx, "a@example.org", []string{"b@example.org"}, "quorum-mail", raw)
	if err != nil || id != "0100018c-abc" {
		t.Fatalf("id %q, err %v", id, err)
	}
	if calls.Load() != 1 || m.Snapshot().SESCalls != 1 {
		t.Errorf("%d calls, %d metered", calls.Load(), m.Snapshot().SESCalls)
	}
}

// Throttling and unavailability are retried as the SDK's retryer did; a
// rejected message is not, and the error says what SES said.
func TestSESRetriesAsTheSDKDid(t *testing.T) {
	s, calls := testSES(t, func(n int32, w http.ResponseWriter, _ map[string]any) {
		switch n {
		case 1:
			w.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException:http://internal.amazon.com/coral/com.amazonaws.sesv2/")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"message":"Maximum sending rate exceeded."}`)
		case 2:
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			_, _ = io.WriteString(w, `{"MessageId":"m3"}`)
		}
	})
	if id, err := s.SendRaw(context.Background(), "a@example.org", []string{"b@example.org"}, "", []byte("x")); err != nil || id != "m3" || calls.Load() != 3 {
		t.Errorf("id %q, err %v, %d calls", id, err, calls.Load())
	}

	s, calls = testSES(t, func(_ int32, w http.ResponseWriter, in map[string]any) {
		if _, ok := in["ConfigurationSetName"]; ok {
			t.Error("an empty configuration set is sent")
		}
		w.Header().Set("X-Amzn-ErrorType", "MessageRejected")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"message":"Email address is not verified."}`)
	})
	_, err := s.SendRaw(context.Background(), "a@example.org", []string{"b@example.org"}, "", []byte("x"))
	var ae *awsbase.APIError
	if !errors.As(err, &ae) || ae.Code != "MessageRejected" || !strings.Contains(err.Error(), "not verified") || calls.Load() != 1 {
		t.Errorf("err %v, %d calls: want one MessageRejected", err, calls.Load())
	}
}

// Without an endpoint in the configuration, SES's regional endpoint.
func TestSESEndpoint(t *testing.T) {
	s := NewSES(aws.Config{Region: "eu-central-1"}, config.Config{})
	if s.call.Endpoint != "https://email.eu-central-1.amazonaws.com" || s.call.Service != "ses" {
		t.Errorf("%s signed for %s", s.call.Endpoint, s.call.Service)
	}
}
