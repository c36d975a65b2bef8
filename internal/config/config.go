// Package config reads and validates Quorum's environment contract. Every
// function (api, scheduler, inbound, ...) and every local tool reads the same
// variables; docs/config.md lists them. Load never reads the process
// environment itself: callers pass a lookup function (os.Getenv in main,
// a map in tests).
package config

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is the validated configuration of one process.
type Config struct {
	// Env is "local" (make dev, tests) or "cloud" (inside AWS).
	Env string
	// Region is the AWS region of the table, buckets and SES.
	Region string
	// Table is the DynamoDB table name.
	Table string
	// UploadsBucket and InboundBucket are S3 bucket names.
	UploadsBucket string
	InboundBucket string
	// InboundPrefix is the key prefix under which the SES receipt rule stores
	// raw inbound mail (the object key is the prefix + the SES message id).
	InboundPrefix string
	// InboundRetention is how long raw inbound mail and the record of each
	// processed message are kept.
	InboundRetention time.Duration
	// GroupDeleteGrace is how long a deleted group can be restored before
	// the scheduler erases it (QUORUM_GROUP_DELETE_GRACE_DAYS, default 14).
	GroupDeleteGrace time.Duration
	// KMSKeyID is the key id or ARN used for SSE-KMS on uploads.
	KMSKeyID string
	// BaseURL is the public origin of the web app, without trailing slash.
	BaseURL *url.URL
	// MailDomain is the domain Quorum sends from and receives at.
	MailDomain string
	// MailFrom is the From address of notifications.
	MailFrom string
	// SESConfigurationSet is attached to every outbound message (optional).
	SESConfigurationSet string
	// Endpoints override AWS service endpoints; only allowed locally.
	DynamoDBEndpoint string
	S3Endpoint       string
	SESEndpoint      string
	// SigningKey is the root secret for cursors, links and reply tokens
	// (at least 32 bytes). Purposes derive their own keys from it.
	SigningKey []byte
	// SigningKeySecretARN names the Secrets Manager secret that holds the
	// signing key in the cloud; awsclient.ResolveSecrets fills SigningKey.
	SigningKeySecretARN string
	// FactsJSON is the deployment's security facts (infra/facts.Facts) as
	// JSON, or "" when the deployment did not publish them.
	FactsJSON string
	// LegalDir holds the operator's terms.md and privacy.md (internal/legal);
	// "" or a missing file keeps the built-in document.
	LegalDir string
	// ListenAddr is where functions/api serves HTTP outside Lambda.
	ListenAddr string
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// RequestTimeout bounds each API request.
	RequestTimeout time.Duration
	// AWSAttemptTimeout bounds one attempt of a DynamoDB, S3 or SES call and
	// AWSCallBudget the whole call with its retries (0: awsclient's defaults).
	AWSAttemptTimeout time.Duration
	AWSCallBudget     time.Duration
}

// Local reports whether the process runs on the local cloud.
func (c Config) Local() bool { return c.Env == "local" }

// Variable describes one environment variable of the contract.
type Variable struct {
	Name     string
	Required string // "always", "cloud", "local" or "" (optional)
	Default  string
	Doc      string
}

// Variables is the environment contract, in the order docs/config.md lists it.
func Variables() []Variable {
	return []Variable{
		{"QUORUM_ENV", "always", "", "`local` (make dev, tests) or `cloud` (deployed by the CDK stack)."},
		{"AWS_REGION", "always", "", "AWS region of the table, buckets and SES (set by Lambda in the cloud)."},
		{"QUORUM_TABLE", "always", "", "DynamoDB table name."},
		{"QUORUM_UPLOADS_BUCKET", "always", "", "S3 bucket for attachments (SSE-KMS)."},
		{"QUORUM_INBOUND_BUCKET", "always", "", "S3 bucket where SES stores raw inbound mail."},
		{"QUORUM_INBOUND_PREFIX", "", "raw/", "Key prefix of raw inbound mail in the inbound bucket (the SES receipt rule's object key prefix; the key is the prefix + the SES message id)."},
		{"QUORUM_INBOUND_RETENTION_DAYS", "", "30", "Days raw inbound mail is kept (the bucket's lifecycle rule); processed-message records expire after the same time."},
		{"QUORUM_GROUP_DELETE_GRACE_DAYS", "", "14", "Days a deleted group can be restored by its admins before the scheduler erases it."},
		{"QUORUM_KMS_KEY_ID", "cloud", "", "KMS key id or ARN for SSE-KMS uploads (local: any id; versitygw accepts the headers)."},
		{"QUORUM_BASE_URL", "always", "", "Public origin of the web app, e.g. https://quorum.example.org (https required in the cloud)."},
		{"QUORUM_MAIL_DOMAIN", "always", "", "Domain Quorum sends from and receives mail at."},
		{"QUORUM_MAIL_FROM", "", "Quorum <notifications@$QUORUM_MAIL_DOMAIN>", "From header of outbound mail."},
		{"QUORUM_SES_CONFIGURATION_SET", "", "", "SES configuration set for bounce/complaint events."},
		{"QUORUM_DYNAMODB_ENDPOINT", "local", "", "DynamoDB Local URL (forbidden in the cloud)."},
		{"QUORUM_S3_ENDPOINT", "local", "", "S3 stand-in (versitygw) URL (forbidden in the cloud)."},
		{"QUORUM_SES_ENDPOINT", "local", "", "SES emulator URL (forbidden in the cloud)."},
		{"QUORUM_SIGNING_KEY", "local", "", "Base64 root secret, at least 32 bytes, for cursors, links and reply tokens (locally; generated into .data/ by make dev)."},
		{"QUORUM_SIGNING_KEY_SECRET_ARN", "", "", "In the cloud: ARN of the Secrets Manager secret holding the base64 root secret, read once at cold start (set instead of QUORUM_SIGNING_KEY)."},
		{"QUORUM_FACTS", "", "", "JSON of the deployment's security facts (infra/facts), set by the CDK stack; rendered at /security."},
		{"QUORUM_LEGAL_DIR", "", "", "Directory with the operator's terms.md and privacy.md (Markdown, at most 64 KB each), shown at /terms and /privacy and accepted at sign-up; a missing file keeps the built-in text. `make build-lambdas LEGAL_DIR=...` puts them beside the api function and the stack sets this."},
		{"QUORUM_LISTEN_ADDR", "", "127.0.0.1:8080", "Address functions/api listens on outside Lambda."},
		{"QUORUM_LOG_LEVEL", "", "info", "debug, info, warn or error."},
		{"QUORUM_REQUEST_TIMEOUT", "", "25s", "Upper bound of one API request (Go duration). With the 3 s in which a request settles its `Idempotency-Key`, it must stay within the api function's timeout (29 s)."},
		{"QUORUM_AWS_ATTEMPT_TIMEOUT", "", "2s", "Upper bound of one attempt of a DynamoDB, S3 or SES call (DynamoDB and SES: the whole answer; S3: connecting and each pause in the data). A slower attempt is retried."},
		{"QUORUM_AWS_CALL_BUDGET", "", "5s", "Upper bound of one DynamoDB, S3 or SES call with all its attempts (3) and pauses; when a service is down, requests answer 503 with `Retry-After` after about this long. At least the attempt timeout."},
	}
}

// The name rules are written out rather than as regular expressions:
// Load runs at every cold start of every function, and compiling these
// (the domain rule expands to thousands of instructions) cost more than
// the rest of Load.

// validTableName: 3 to 255 of [a-zA-Z0-9_.-] (DynamoDB's rule).
func validTableName(s string) bool {
	return len(s) >= 3 && len(s) <= 255 && allBytes(s, func(c byte) bool { return alnum(c) || c == '_' || c == '.' || c == '-' })
}

// validBucketName: 3 to 63 of [a-z0-9.-], starting and ending with a
// lowercase letter or digit.
func validBucketName(s string) bool {
	return len(s) >= 3 && len(s) <= 63 && lowerDigit(s[0]) && lowerDigit(s[len(s)-1]) &&
		allBytes(s, func(c byte) bool { return lowerDigit(c) || c == '.' || c == '-' })
}

// validDomainName: dot-separated labels of 1 to 63 of [a-z0-9-], each
// starting and ending with a lowercase letter or digit.
func validDomainName(s string) bool {
	for _, label := range strings.Split(s, ".") {
		if len(label) == 0 || len(label) > 63 || !lowerDigit(label[0]) || !lowerDigit(label[len(label)-1]) ||
			!allBytes(label, func(c byte) bool { return lowerDigit(c) || c == '-' }) {
			return false
		}
	}
	return true
}

func lowerDigit(c byte) bool { return ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') }

func alnum(c byte) bool { return lowerDigit(c) || ('A' <= c && c <= 'Z') }

func allBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

// Load reads and validates the contract. The error names every missing or
// invalid variable, one per line.
func Load(getenv func(string) string) (Config, error) {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	get := func(v Variable) string {
		s := strings.TrimSpace(getenv(v.Name))
		if s == "" {
			s = v.Default
		}
		return s
	}
	vars := map[string]Variable{}
	for _, v := range Variables() {
		vars[v.Name] = v
	}
	val := func(name string) string { return get(vars[name]) }

	c := Config{Env: val("QUORUM_ENV")}
	switch c.Env {
	case "local", "cloud":
	case "":
		bad("QUORUM_ENV", "is required (local or cloud)")
	default:
		bad("QUORUM_ENV", "must be local or cloud, not %q", c.Env)
	}
	for _, v := range Variables() {
		if get(v) == "" && (v.Required == "always" || v.Required == c.Env) && v.Name != "QUORUM_ENV" {
			bad(v.Name, "is required")
		}
	}

	c.Region = val("AWS_REGION")
	c.Table = val("QUORUM_TABLE")
	if c.Table != "" && !validTableName(c.Table) {
		bad("QUORUM_TABLE", "%q is not a valid DynamoDB table name", c.Table)
	}
	c.UploadsBucket = val("QUORUM_UPLOADS_BUCKET")
	c.InboundBucket = val("QUORUM_INBOUND_BUCKET")
	for name, b := range map[string]string{"QUORUM_UPLOADS_BUCKET": c.UploadsBucket, "QUORUM_INBOUND_BUCKET": c.InboundBucket} {
		if b != "" && !validBucketName(b) {
			bad(name, "%q is not a valid S3 bucket name", b)
		}
	}
	c.InboundPrefix = val("QUORUM_INBOUND_PREFIX")
	if len(c.InboundPrefix) > 200 || strings.ContainsAny(c.InboundPrefix, "\\\x00\r\n") || strings.HasPrefix(c.InboundPrefix, "/") {
		bad("QUORUM_INBOUND_PREFIX", "%q is not a usable S3 key prefix", c.InboundPrefix)
	}
	if days, err := strconv.Atoi(val("QUORUM_INBOUND_RETENTION_DAYS")); err != nil || days < 1 || days > 3653 {
		bad("QUORUM_INBOUND_RETENTION_DAYS", "must be a whole number of days from 1 to 3653")
	} else {
		c.InboundRetention = time.Duration(days) * 24 * time.Hour
	}
	if days, err := strconv.Atoi(val("QUORUM_GROUP_DELETE_GRACE_DAYS")); err != nil || days < 1 || days > 365 {
		bad("QUORUM_GROUP_DELETE_GRACE_DAYS", "must be a whole number of days from 1 to 365")
	} else {
		c.GroupDeleteGrace = time.Duration(days) * 24 * time.Hour
	}
	c.KMSKeyID = val("QUORUM_KMS_KEY_ID")
	if c.KMSKeyID == "" && c.Local() {
		c.KMSKeyID = "local-dev-key"
	}

	if raw := val("QUORUM_BASE_URL"); raw != "" {
		u, err := url.Parse(strings.TrimRight(raw, "/"))
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
			bad("QUORUM_BASE_URL", "%q is not an absolute http(s) URL", raw)
		case u.Path != "" || u.RawQuery != "" || u.Fragment != "":
			bad("QUORUM_BASE_URL", "must be an origin without path, query or fragment")
		case c.Env == "cloud" && u.Scheme != "https":
			bad("QUORUM_BASE_URL", "must use https in the cloud")
		default:
			c.BaseURL = u
		}
	}

	c.MailDomain = strings.ToLower(val("QUORUM_MAIL_DOMAIN"))
	if c.MailDomain != "" && !validDomainName(c.MailDomain) {
		bad("QUORUM_MAIL_DOMAIN", "%q is not a domain name", c.MailDomain)
	}
	c.MailFrom = strings.ReplaceAll(val("QUORUM_MAIL_FROM"), "$QUORUM_MAIL_DOMAIN", c.MailDomain)
	c.SESConfigurationSet = val("QUORUM_SES_CONFIGURATION_SET")

	for _, ep := range []struct {
		name string
		dst  *string
	}{{"QUORUM_DYNAMODB_ENDPOINT", &c.DynamoDBEndpoint}, {"QUORUM_S3_ENDPOINT", &c.S3Endpoint}, {"QUORUM_SES_ENDPOINT", &c.SESEndpoint}} {
		raw := val(ep.name)
		if raw == "" {
			continue
		}
		if c.Env == "cloud" {
			bad(ep.name, "must not be set in the cloud")
			continue
		}
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			bad(ep.name, "%q is not an http(s) URL", raw)
			continue
		}
		*ep.dst = strings.TrimRight(raw, "/")
	}

	if raw := val("QUORUM_SIGNING_KEY"); raw != "" {
		key, err := base64.StdEncoding.DecodeString(raw)
		if err != nil {
			key, err = base64.RawURLEncoding.DecodeString(raw)
		}
		switch {
		case err != nil:
			bad("QUORUM_SIGNING_KEY", "is not base64")
		case len(key) < 32:
			bad("QUORUM_SIGNING_KEY", "must decode to at least 32 bytes, got %d", len(key))
		default:
			c.SigningKey = key
		}
	}

	c.SigningKeySecretARN = val("QUORUM_SIGNING_KEY_SECRET_ARN")
	switch {
	case c.Env == "cloud" && c.SigningKey == nil && c.SigningKeySecretARN == "" && val("QUORUM_SIGNING_KEY") == "":
		bad("QUORUM_SIGNING_KEY_SECRET_ARN", "is required in the cloud (or QUORUM_SIGNING_KEY)")
	case c.SigningKeySecretARN != "" && !strings.HasPrefix(c.SigningKeySecretARN, "arn:"):
		bad("QUORUM_SIGNING_KEY_SECRET_ARN", "%q is not an ARN", c.SigningKeySecretARN)
	}

	c.FactsJSON = val("QUORUM_FACTS")
	if c.FactsJSON != "" && !json.Valid([]byte(c.FactsJSON)) {
		bad("QUORUM_FACTS", "is not valid JSON")
	}

	c.LegalDir = val("QUORUM_LEGAL_DIR")

	c.ListenAddr = val("QUORUM_LISTEN_ADDR")
	c.LogLevel = val("QUORUM_LOG_LEVEL")
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("QUORUM_LOG_LEVEL", "must be debug, info, warn or error, not %q", c.LogLevel)
	}
	d, err := time.ParseDuration(val("QUORUM_REQUEST_TIMEOUT"))
	if err != nil || d <= 0 || d > 15*time.Minute {
		bad("QUORUM_REQUEST_TIMEOUT", "must be a positive Go duration up to 15m")
	}
	c.RequestTimeout = d
	for _, t := range []struct {
		name string
		dst  *time.Duration
	}{{"QUORUM_AWS_ATTEMPT_TIMEOUT", &c.AWSAttemptTimeout}, {"QUORUM_AWS_CALL_BUDGET", &c.AWSCallBudget}} {
		d, err := time.ParseDuration(val(t.name))
		if err != nil || d < 100*time.Millisecond || d > time.Minute {
			bad(t.name, "must be a Go duration from 100ms to 1m")
			continue
		}
		*t.dst = d
	}
	if c.AWSAttemptTimeout > c.AWSCallBudget && c.AWSCallBudget > 0 {
		bad("QUORUM_AWS_CALL_BUDGET", "must be at least QUORUM_AWS_ATTEMPT_TIMEOUT (%s)", c.AWSAttemptTimeout)
	}

	if len(errs) > 0 {
		return Config{}, fmt.Errorf("invalid configuration:\n%w", errors.Join(errs...))
	}
	return c, nil
}

// Environ returns the contract variables for c as NAME=value pairs, the
// inverse of Load; the local cloud uses it to start functions.
func (c Config) Environ() []string {
	kv := []string{
		"QUORUM_ENV=" + c.Env,
		"AWS_REGION=" + c.Region,
		"QUORUM_TABLE=" + c.Table,
		"QUORUM_UPLOADS_BUCKET=" + c.UploadsBucket,
		"QUORUM_INBOUND_BUCKET=" + c.InboundBucket,
		"QUORUM_INBOUND_PREFIX=" + c.InboundPrefix,
		"QUORUM_KMS_KEY_ID=" + c.KMSKeyID,
		"QUORUM_MAIL_DOMAIN=" + c.MailDomain,
		"QUORUM_MAIL_FROM=" + c.MailFrom,
		"QUORUM_SES_CONFIGURATION_SET=" + c.SESConfigurationSet,
		"QUORUM_DYNAMODB_ENDPOINT=" + c.DynamoDBEndpoint,
		"QUORUM_S3_ENDPOINT=" + c.S3Endpoint,
		"QUORUM_SES_ENDPOINT=" + c.SESEndpoint,
		"QUORUM_SIGNING_KEY=" + base64.StdEncoding.EncodeToString(c.SigningKey),
		"QUORUM_SIGNING_KEY_SECRET_ARN=" + c.SigningKeySecretARN,
		"QUORUM_FACTS=" + c.FactsJSON,
		"QUORUM_LEGAL_DIR=" + c.LegalDir,
		"QUORUM_LISTEN_ADDR=" + c.ListenAddr,
		"QUORUM_LOG_LEVEL=" + c.LogLevel,
		"QUORUM_REQUEST_TIMEOUT=" + c.RequestTimeout.String(),
	}
	for name, d := range map[string]time.Duration{"QUORUM_AWS_ATTEMPT_TIMEOUT": c.AWSAttemptTimeout, "QUORUM_AWS_CALL_BUDGET": c.AWSCallBudget} {
		if d > 0 {
			kv = append(kv, name+"="+d.String())
		}
	}
	if c.BaseURL != nil {
		kv = append(kv, "QUORUM_BASE_URL="+c.BaseURL.String())
	}
	if c.InboundRetention > 0 {
		kv = append(kv, "QUORUM_INBOUND_RETENTION_DAYS="+strconv.Itoa(int(c.InboundRetention/(24*time.Hour))))
	}
	if c.GroupDeleteGrace > 0 {
		kv = append(kv, "QUORUM_GROUP_DELETE_GRACE_DAYS="+strconv.Itoa(int(c.GroupDeleteGrace/(24*time.Hour))))
	}
	return kv
}
