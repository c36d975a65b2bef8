package awsbase

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The signing-key secret is read with one signed call of our own,
// Secrets Manager's GetSecretValue (its JSON 1.1 protocol: a POST to the
// service's regional endpoint naming the operation in X-Amz-Target),
// signed with the SDK's SigV4 signer, which every client links anyway.
// The SDK's Secrets Manager client would bring its service package, its
// generated schemas (built at package initialisation, every cold start),
// its endpoint rules and types into every function: about 0.2 MB of each
// binary, for one call at a cold start (docs/architecture.md, "Ninth
// pass"). The call is the one the SDK made: the same operation, endpoint,
// credentials and IAM permission (secretsmanager:GetSecretValue, and
// kms:Decrypt via secretsmanager.<region>.amazonaws.com), the same retries
// (MaxAttempts, full jitter) within the same call budget.

// secretsTarget is the X-Amz-Target of GetSecretValue.
const secretsTarget = "secretsmanager.GetSecretValue"

// secretReader reads secrets; endpoint is the service's base URL.
type secretReader struct {
	creds    aws.CredentialsProvider
	region   string
	endpoint string
	client   *http.Client
	budget   time.Duration
	now      func() time.Time
	// pause waits before retry n (fullJitter; tests make it instant).
	pause func(ctx context.Context, attempt int) error
}

// secretsEndpoint is Secrets Manager's regional endpoint, in the DNS
// suffix of the region's partition (as the SDK's endpoint rules resolve it
// without FIPS or dual-stack, which the functions' configuration never
// asks for).
func secretsEndpoint(region string) string {
	suffix := "amazonaws.com"
	for _, p := range []struct{ prefix, suffix string }{
		{"cn-", "amazonaws.com.cn"},
		{"us-isob-", "sc2s.sgov.gov"},
		{"us-isof-", "csp.hci.ic.gov"},
		{"us-iso-", "c2s.ic.gov"},
		{"eu-isoe-", "cloud.adc-e.uk"},
		{"eusc-", "amazonaws.eu"},
	} {
		if strings.HasPrefix(region, p.prefix) {
			suffix = p.suffix
			break
		}
	}
	return "https://secretsmanager." + region + "." + suffix
}

// secretError is Secrets Manager's answer to a refused call.
type secretError struct {
	Status  int
	Code    string
	Message string
}

func (e *secretError) Error() string {
	return fmt.Sprintf("GetSecretValue: HTTP %d %s: %s", e.Status, e.Code, e.Message)
}

// retryable reports what the SDK's standard retryer retries: throttling,
// server errors and failed connections; not refusals (access denied, no
// such secret) nor the end of the call's budget.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var se *secretError
	if errors.As(err, &se) {
		switch se.Code {
		case "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded",
			"RequestThrottled", "RequestThrottledException", "ProvisionedThroughputExceededException",
			"TransactionInProgressException", "RequestTimeout", "RequestTimeoutException", "InternalServiceError",
			"PriorRequestNotComplete", "EC2ThrottledException", "SlowDown", "BandwidthLimitExceeded":
			return true
		}
		return se.Status >= 500 || se.Status == http.StatusTooManyRequests
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// SecretString returns the SecretString of the secret id, retrying as
// every client does, all attempts within the call budget.
func (r secretReader) SecretString(ctx context.Context, id string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, r.budget)
	defer cancel()
	var err error
	for attempt := 0; attempt < MaxAttempts; attempt++ {
		if attempt > 0 {
			if perr := r.pause(ctx, attempt); perr != nil {
				return "", errors.Join(err, perr)
			}
		}
		var s string
		if s, err = r.get(ctx, id); err == nil {
			return s, nil
		}
		if !retryable(ctx, err) {
			return "", err
		}
	}
	return "", err
}

// get is one attempt.
func (r secretReader) get(ctx context.Context, id string) (string, error) {
	body, err := json.Marshal(struct {
		SecretID string `json:"SecretId"`
	}{id})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", secretsTarget)
	creds, err := r.creds.Retrieve(ctx)
	if err != nil {
		return "", fmt.Errorf("credentials: %w", err)
	}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, sha256hex(body), "secretsmanager", r.region, r.now()); err != nil {
		return "", err
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
			Msg     string `json:"Message"`
		}
		_ = json.Unmarshal(raw, &e)
		code := e.Type
		if i := strings.LastIndexByte(code, '#'); i >= 0 {
			code = code[i+1:]
		}
		if code == "" {
			code = resp.Header.Get("X-Amzn-Errortype")
			code, _, _ = strings.Cut(code, ":")
		}
		return "", &secretError{Status: resp.StatusCode, Code: code, Message: e.Message + e.Msg}
	}
	var out struct {
		SecretString *string `json:"SecretString"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", fmt.Errorf("GetSecretValue: the answer is not JSON: %w", err)
	}
	if out.SecretString == nil {
		return "", errors.New("GetSecretValue: the secret holds no SecretString")
	}
	return *out.SecretString, nil
}

// jitterPause sleeps fullJitter's delay before retry attempt, or until
// ctx ends.
func jitterPause(ctx context.Context, attempt int) error {
	d, _ := fullJitter{}.BackoffDelay(attempt, nil)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
