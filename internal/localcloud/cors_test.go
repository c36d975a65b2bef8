package localcloud_test

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/localcloud"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/testcloud"
)

// The local uploads bucket gets the cloud's CORS rule (versitygw stores it
// and answers preflights from it): the app's origin may PUT with the signed
// headers; another origin, another method or an unsigned header is refused;
// and a real presigned SSE-KMS PUT sent with the app's Origin is answered
// with Access-Control-Allow-Origin, so a browser reads the result.
func TestUploadsBucketCors(t *testing.T) {
	env := testcloud.New(t)
	ctx := context.Background()
	const app = "http://localhost:18080"
	bucket := env.Config.UploadsBucket
	if err := localcloud.Provision(ctx, env.Clients.DynamoDB, env.S3, env.Prefix, app); err != nil {
		t.Fatal(err)
	}
	got, err := env.S3.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("GetBucketCors: %v", err)
	}
	if len(got.CORSRules) != 1 || !reflect.DeepEqual(got.CORSRules[0].AllowedMethods, []string{"PUT"}) ||
		!reflect.DeepEqual(got.CORSRules[0].AllowedOrigins, []string{app}) {
		t.Fatalf("CORS rules %+v", got.CORSRules)
	}
	inbound := tabledef.BucketName(env.Prefix, "", tabledef.InboundBucket)
	if _, err := env.S3.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String(inbound)}); err == nil {
		t.Errorf("inbound bucket %s has a CORS configuration", inbound)
	}

	put, err := blob.NewUploads(env.Clients.S3, bucket, env.Config.KMSKeyID, blob.DefaultLimits()).
		PresignPut(ctx, "attachments/cors/probe.txt", "text/plain", 5)
	if err != nil {
		t.Fatal(err)
	}
	preflight := func(origin, method, headers string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodOptions, put.URL, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", method)
		req.Header.Set("Access-Control-Request-Headers", headers)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	// What Chrome sends before app.js's fetch (content-length is set by the
	// browser and never requested).
	signed := "content-type,x-amz-server-side-encryption,x-amz-server-side-encryption-aws-kms-key-id"
	resp := preflight(app, "PUT", signed)
	if resp.StatusCode/100 != 2 || resp.Header.Get("Access-Control-Allow-Origin") != app ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "PUT") {
		t.Fatalf("preflight from the app: %d %v", resp.StatusCode, resp.Header)
	}
	allowed := strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers"))
	for _, h := range strings.Split(signed, ",") {
		if !strings.Contains(allowed, h) {
			t.Errorf("preflight allows headers %q, lacks %s", allowed, h)
		}
	}
	for _, bad := range []struct{ origin, method, headers string }{
		{"http://evil.example", "PUT", signed},
		{app, "DELETE", ""},
		{app, "PUT", signed + ",x-amz-acl"},
	} {
		if resp := preflight(bad.origin, bad.method, bad.headers); resp.StatusCode/100 == 2 && resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight %+v allowed: %d %v", bad, resp.StatusCode, resp.Header)
		}
	}

	req, _ := http.NewRequest(put.Method, put.URL, strings.NewReader("hello"))
	for k, v := range put.Headers {
		req.Header.Set(k, v)
	}
	req.ContentLength = 5
	req.Header.Set("Origin", app)
	pr, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	pr.Body.Close()
	if pr.StatusCode != 200 || pr.Header.Get("Access-Control-Allow-Origin") != app {
		t.Fatalf("presigned PUT with Origin: %d %v", pr.StatusCode, pr.Header)
	}
}
