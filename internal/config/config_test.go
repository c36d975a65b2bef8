package config

import (
	"strings"
	"testing"
)

func localEnv() map[string]string {
	return map[string]string{
		"QUORUM_ENV":               "local",
		"AWS_REGION":               "eu-west-1",
		"QUORUM_TABLE":             "quorum-dev-main",
		"QUORUM_UPLOADS_BUCKET":    "quorum-dev-uploads",
		"QUORUM_INBOUND_BUCKET":    "quorum-dev-inbound",
		"QUORUM_BASE_URL":          "http://localhost:8080",
		"QUORUM_MAIL_DOMAIN":       "quorum.localhost",
		"QUORUM_DYNAMODB_ENDPOINT": "http://127.0.0.1:8000",
		"QUORUM_S3_ENDPOINT":       "http://127.0.0.1:7070",
		"QUORUM_SES_ENDPOINT":      "http://127.0.0.1:8005",
		"QUORUM_SIGNING_KEY":       "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=",
	}
}

func TestLoadValid(t *testing.T) {
	env := localEnv()
	c, err := Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.MailFrom != "Quorum <notifications@quorum.localhost>" || c.ListenAddr != "127.0.0.1:8080" || len(c.SigningKey) != 32 {
		t.Fatalf("defaults not applied: %+v", c)
	}
	// Environ round-trips.
	back := map[string]string{}
	for _, kv := range c.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		back[k] = v
	}
	c2, err := Load(func(k string) string { return back[k] })
	if err != nil || c2.Table != c.Table || c2.BaseURL.String() != c.BaseURL.String() || string(c2.SigningKey) != string(c.SigningKey) {
		t.Fatalf("round trip failed: %v %+v", err, c2)
	}
}

func TestLoadErrorsNameTheVariable(t *testing.T) {
	cases := []struct {
		name   string
		change map[string]string
		want   string
	}{
		{"missing table", map[string]string{"QUORUM_TABLE": ""}, "QUORUM_TABLE: is required"},
		{"bad env", map[string]string{"QUORUM_ENV": "prod"}, "QUORUM_ENV: must be local or cloud"},
		{"short key", map[string]string{"QUORUM_SIGNING_KEY": "c2hvcnQ="}, "QUORUM_SIGNING_KEY: must decode to at least 32 bytes"},
		{"not base64", map[string]string{"QUORUM_SIGNING_KEY": "!!!"}, "QUORUM_SIGNING_KEY: is not base64"},
		{"base url path", map[string]string{"QUORUM_BASE_URL": "http://x.org/app"}, "QUORUM_BASE_URL: must be an origin"},
		{"base url relative", map[string]string{"QUORUM_BASE_URL": "/app"}, "QUORUM_BASE_URL: \"/app\" is not an absolute"},
		{"endpoint in cloud", map[string]string{"QUORUM_ENV": "cloud", "QUORUM_BASE_URL": "https://q.example.org", "QUORUM_KMS_KEY_ID": "k"}, "QUORUM_DYNAMODB_ENDPOINT: must not be set in the cloud"},
		{"http in cloud", map[string]string{"QUORUM_ENV": "cloud", "QUORUM_DYNAMODB_ENDPOINT": "", "QUORUM_S3_ENDPOINT": "", "QUORUM_SES_ENDPOINT": "", "QUORUM_KMS_KEY_ID": "k"}, "QUORUM_BASE_URL: must use https"},
		{"kms in cloud", map[string]string{"QUORUM_ENV": "cloud", "QUORUM_DYNAMODB_ENDPOINT": "", "QUORUM_S3_ENDPOINT": "", "QUORUM_SES_ENDPOINT": "", "QUORUM_BASE_URL": "https://q.example.org"}, "QUORUM_KMS_KEY_ID: is required"},
		{"bad bucket", map[string]string{"QUORUM_UPLOADS_BUCKET": "Bad_Bucket"}, "QUORUM_UPLOADS_BUCKET: \"Bad_Bucket\" is not a valid"},
		{"bad log level", map[string]string{"QUORUM_LOG_LEVEL": "loud"}, "QUORUM_LOG_LEVEL"},
		{"bad timeout", map[string]string{"QUORUM_REQUEST_TIMEOUT": "forever"}, "QUORUM_REQUEST_TIMEOUT"},
		{"bad domain", map[string]string{"QUORUM_MAIL_DOMAIN": "not a domain"}, "QUORUM_MAIL_DOMAIN"},
		{"no key locally", map[string]string{"QUORUM_SIGNING_KEY": ""}, "QUORUM_SIGNING_KEY: is required"},
		{"no key in cloud", map[string]string{"QUORUM_ENV": "cloud", "QUORUM_SIGNING_KEY": "", "QUORUM_DYNAMODB_ENDPOINT": "", "QUORUM_S3_ENDPOINT": "", "QUORUM_SES_ENDPOINT": "", "QUORUM_KMS_KEY_ID": "k", "QUORUM_BASE_URL": "https://q.example.org"}, "QUORUM_SIGNING_KEY_SECRET_ARN: is required in the cloud"},
		{"secret not arn", map[string]string{"QUORUM_SIGNING_KEY_SECRET_ARN": "my-secret"}, "is not an ARN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := localEnv()
			for k, v := range tc.change {
				env[k] = v
			}
			_, err := Load(func(k string) string { return env[k] })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v does not contain %q", err, tc.want)
			}
		})
	}
}

func TestCloudWithSecretARN(t *testing.T) {
	env := map[string]string{
		"QUORUM_ENV": "cloud", "AWS_REGION": "eu-west-1", "QUORUM_TABLE": "quorum-main",
		"QUORUM_UPLOADS_BUCKET": "quorum-uploads-1", "QUORUM_INBOUND_BUCKET": "quorum-inbound-1",
		"QUORUM_KMS_KEY_ID": "arn:aws:kms:eu-west-1:123456789012:key/abc", "QUORUM_BASE_URL": "https://quorum.example.org",
		"QUORUM_MAIL_DOMAIN":            "quorum.example.org",
		"QUORUM_SIGNING_KEY_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:quorum-signing-AbCdEf",
	}
	c, err := Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.SigningKey != nil || c.SigningKeySecretARN == "" || c.Local() {
		t.Fatalf("%+v", c)
	}
}
