package awsclient

import (
	"context"
	"net/url"
	"testing"

	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/config"
)

// The upload origin is exactly the origin of the presigned PUTs the browser
// receives (blob.Uploads, with the SSE-KMS headers signed): virtual-hosted
// style in every cloud region, path style on the local endpoint.
func TestUploadOriginIsThatOfPresignedPuts(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	cases := []struct {
		name string
		cfg  config.Config
		want string
	}{
		{"cloud eu-west-1", config.Config{Env: "cloud", Region: "eu-west-1", UploadsBucket: "quorum-uploads-123456789012-eu-west-1"},
			"https://quorum-uploads-123456789012-eu-west-1.s3.eu-west-1.amazonaws.com"},
		{"cloud us-east-1", config.Config{Env: "cloud", Region: "us-east-1", UploadsBucket: "qmin-uploads-123456789012-us-east-1"},
			"https://qmin-uploads-123456789012-us-east-1.s3.us-east-1.amazonaws.com"},
		{"local", config.Config{Env: "local", Region: "us-east-1", UploadsBucket: "quorum-uploads", S3Endpoint: "http://127.0.0.1:19000"},
			"http://127.0.0.1:19000"},
		{"no bucket", config.Config{Env: "local", Region: "us-east-1", S3Endpoint: "http://127.0.0.1:19000"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl, err := New(context.Background(), c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if cl.UploadOrigin != c.want {
				t.Fatalf("UploadOrigin = %q, want %q", cl.UploadOrigin, c.want)
			}
			if c.want == "" {
				return
			}
			put, err := blob.NewUploads(cl.S3, c.cfg.UploadsBucket, "arn:aws:kms:eu-west-1:123456789012:key/k", blob.DefaultLimits()).
				PresignPut(context.Background(), "attachments/t/f", "application/pdf", 1234)
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(put.URL)
			if err != nil {
				t.Fatal(err)
			}
			if got := u.Scheme + "://" + u.Host; got != c.want {
				t.Fatalf("presigned PUT %s has origin %q, UploadOrigin says %q", put.URL, got, c.want)
			}
		})
	}
}
