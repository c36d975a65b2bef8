// Package sigv4test checks, in tests, a request that Quorum signed itself
// (awsbase.Signed) as the AWS service would: the credential scope, the
// session token, and a SigV4 signature recomputed over exactly what arrived.
package sigv4test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Verify fails t unless r (whose body was body) is signed with creds for
// service in region, carries the session token, and signs every header in
// signed (lower case) besides host and x-amz-date.
func Verify(t testing.TB, r *http.Request, body []byte, creds aws.Credentials, service, region string, signed ...string) {
	t.Helper()
	auth := r.Header.Get("Authorization")
	date := r.Header.Get("X-Amz-Date")
	at, err := time.Parse("20060102T150405Z", date)
	if err != nil {
		t.Fatalf("X-Amz-Date %q: %v", date, err)
	}
	scope := "Credential=" + creds.AccessKeyID + "/" + at.Format("20060102") + "/" + region + "/" + service + "/aws4_request"
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") || !strings.Contains(auth, scope) {
		t.Errorf("Authorization %q, want AWS4-HMAC-SHA256 with %s", auth, scope)
	}
	if creds.SessionToken != "" && r.Header.Get("X-Amz-Security-Token") != creds.SessionToken {
		t.Errorf("X-Amz-Security-Token %q: the session token must be sent", r.Header.Get("X-Amz-Security-Token"))
	}
	for _, h := range append([]string{"host", "x-amz-date"}, signed...) {
		if !strings.Contains(auth, h) {
			t.Errorf("Authorization %q does not sign %s", auth, h)
		}
	}
	// Recompute the signature over the request as received.
	re, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	for _, h := range signed {
		if h != "x-amz-security-token" {
			re.Header.Set(h, r.Header.Get(h))
		}
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, re, hex.EncodeToString(sum[:]), service, region, at); err != nil {
		t.Fatal(err)
	}
	if re.Header.Get("Authorization") != auth {
		t.Errorf("signature does not verify:\n got %s\nwant %s", auth, re.Header.Get("Authorization"))
	}
}

// VerifyS3 is Verify for S3 (internal/objstore): the path is signed as
// sent (not escaped again), the payload's hash is the x-amz-content-sha256
// header, which must be the body's SHA-256, or UNSIGNED-PAYLOAD when
// unsigned is true, and must itself be signed.
func VerifyS3(t testing.TB, r *http.Request, body []byte, creds aws.Credentials, region string, unsigned bool, signed ...string) {
	t.Helper()
	sum := sha256.Sum256(body)
	want := hex.EncodeToString(sum[:])
	if unsigned {
		want = "UNSIGNED-PAYLOAD"
	}
	hash := r.Header.Get("X-Amz-Content-Sha256")
	if hash != want {
		t.Errorf("X-Amz-Content-Sha256 %q, want %q", hash, want)
	}
	auth := r.Header.Get("Authorization")
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		t.Fatalf("X-Amz-Date %q: %v", r.Header.Get("X-Amz-Date"), err)
	}
	scope := "Credential=" + creds.AccessKeyID + "/" + at.Format("20060102") + "/" + region + "/s3/aws4_request"
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") || !strings.Contains(auth, scope) {
		t.Errorf("Authorization %q, want AWS4-HMAC-SHA256 with %s", auth, scope)
	}
	if creds.SessionToken != "" && r.Header.Get("X-Amz-Security-Token") != creds.SessionToken {
		t.Errorf("X-Amz-Security-Token %q: the session token must be sent", r.Header.Get("X-Amz-Security-Token"))
	}
	for _, h := range append([]string{"host", "x-amz-date", "x-amz-content-sha256"}, signed...) {
		if !strings.Contains(auth, h) {
			t.Errorf("Authorization %q does not sign %s", auth, h)
		}
	}
	re, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	re.URL.RawPath = r.URL.RawPath
	re.URL.Path = r.URL.Path
	if len(body) > 0 {
		re.ContentLength = int64(len(body))
	}
	for _, h := range append([]string{"x-amz-content-sha256"}, signed...) {
		if h != "x-amz-security-token" && h != "content-length" {
			re.Header.Set(h, r.Header.Get(h))
		}
	}
	err = v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).
		SignHTTP(context.Background(), creds, re, hash, "s3", region, at)
	if err != nil {
		t.Fatal(err)
	}
	if re.Header.Get("Authorization") != auth {
		t.Errorf("signature does not verify:\n got %s\nwant %s", auth, re.Header.Get("Authorization"))
	}
}
