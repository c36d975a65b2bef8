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
	"github.com/aws/smithy-go"

	"github.com/quorum-app/quorum/internal/config"
)

// A few AWS calls are made by Quorum itself, signed with the SDK's SigV4
// signer (which every client links anyway), instead of through the SDK's
// generated service clients: reading the signing-key secret once at a
// cold start (secret.go) and sending email (SES v2's SendEmail with raw
// content, internal/awsclient). Each generated client brings its service
// package, its schemas (built at package initialisation, at every cold
// start), its endpoint rules and its types into every function that links
// it, about 0.26 MB for Secrets Manager and 0.4 MB for SES v2, for one
// operation each (docs/architecture.md, "Ninth pass"). The calls are the
// ones the SDK made: the same operation, endpoint, credentials and IAM
// permission, the same retries (MaxAttempts, full jitter, what the SDK's
// standard retryer retries), each attempt bounded by the attempt timeout
// and the call by the call budget.

// Signed makes signed calls to one AWS service.
type Signed struct {
	// Service is the SigV4 signing name ("secretsmanager", "ses").
	Service string
	Region  string
	// Endpoint is the service's base URL, without a trailing slash.
	Endpoint string
	Creds    aws.CredentialsProvider
	Client   *http.Client
	// Budget bounds a call with all its attempts and pauses.
	Budget time.Duration
	Now    func() time.Time
	// Pause waits before retry attempt n (JitterPause; tests make it
	// instant).
	Pause func(ctx context.Context, attempt int) error
}

// NewSigned is Signed for service at endpoint with the credentials and
// region of cfg and the timeouts of c.
func NewSigned(cfg aws.Config, c config.Config, service, endpoint string) Signed {
	attempt := AttemptTimeout(c)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: attempt, KeepAlive: 30 * time.Second}).DialContext
	tr.MaxIdleConnsPerHost = 10 // as the SDK's clients keep
	return Signed{Service: service, Region: cfg.Region, Endpoint: strings.TrimSuffix(endpoint, "/"), Creds: cfg.Credentials,
		Client: &http.Client{Timeout: attempt, Transport: tr}, Budget: CallBudget(c), Now: time.Now, Pause: JitterPause}
}

// Endpoint is the regional endpoint https://<prefix>.<region>.<suffix>
// in the DNS suffix of the region's partition, as the SDK's endpoint rules
// resolve it without FIPS or dual-stack (which the functions'
// configuration never asks for).
func Endpoint(prefix, region string) string {
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
	return "https://" + prefix + "." + region + "." + suffix
}

// APIError is a service's refusal of a call.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, e.Message)
}

// ErrorCode, ErrorMessage and ErrorFault make it a smithy.APIError, and
// HTTPStatusCode gives its status, as the SDK's errors do: what classifies
// a failure (store.Classify) reads a refusal of these calls as it read the
// SDK clients'.
func (e *APIError) ErrorCode() string    { return e.Code }
func (e *APIError) ErrorMessage() string { return e.Message }
func (e *APIError) HTTPStatusCode() int  { return e.Status }

// ErrorFault is the server's for a 5xx, else the client's.
func (e *APIError) ErrorFault() smithy.ErrorFault {
	if e.Status >= 500 {
		return smithy.FaultServer
	}
	return smithy.FaultClient
}

// Retryable reports what the SDK's standard retryer retries: throttling,
// transient server errors and failed connections; not refusals (access
// denied, no such secret, a rejected message) nor the end of the budget.
func Retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var ae *APIError
	if errors.As(err, &ae) {
		switch ae.Code {
		case "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
			"ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
			"BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
			"EC2ThrottledException", "RequestTimeout", "RequestTimeoutException":
			return true
		}
		switch ae.Status {
		case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// Call sends body (JSON) to path with the extra headers, signed, retrying
// as every client does within the budget, and returns the answer's body
// of a 2xx answer; any other answer is an *APIError.
func (s Signed) Call(ctx context.Context, path string, header http.Header, body []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, s.Budget)
	defer cancel()
	var out []byte
	err := Retry(ctx, s.Pause, func() (err error) {
		out, err = s.attempt(ctx, path, header, body)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Retry calls try up to MaxAttempts times while its error is Retryable,
// waiting pause before each retry, as the SDK's standard retryer does, and
// returns try's last error (joined with the pause's when ctx ended the
// wait). The signed calls (Signed.Call, internal/objstore) retry with it.
func Retry(ctx context.Context, pause func(ctx context.Context, attempt int) error, try func() error) error {
	var err error
	for attempt := 0; attempt < MaxAttempts; attempt++ {
		if attempt > 0 {
			if perr := pause(ctx, attempt); perr != nil {
				return errors.Join(err, perr)
			}
		}
		if err = try(); err == nil || !Retryable(ctx, err) {
			return err
		}
	}
	return err
}

// attempt is one try of Call.
func (s Signed) attempt(ctx context.Context, path string, header http.Header, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Endpoint+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	creds, err := s.Creds.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, sha256hex(body), s.Service, s.Region, s.Now()); err != nil {
		return nil, err
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 == 2 {
		return raw, nil
	}
	var e struct {
		Type    string `json:"__type"`
		Code    string `json:"code"`
		Message string `json:"message"`
		Msg     string `json:"Message"`
	}
	_ = json.Unmarshal(raw, &e)
	// The error's code: X-Amzn-ErrorType (REST-JSON), else the body's
	// __type or code (JSON 1.1), without its namespace or suffix.
	code, _, _ := strings.Cut(resp.Header.Get("X-Amzn-Errortype"), ":")
	for _, c := range []string{e.Type, e.Code} {
		if code == "" {
			code = c
		}
	}
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	return nil, &APIError{Status: resp.StatusCode, Code: code, Message: e.Message + e.Msg}
}

// JitterPause sleeps fullJitter's delay before retry attempt, or until
// ctx ends.
func JitterPause(ctx context.Context, attempt int) error {
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
