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
