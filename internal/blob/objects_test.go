package blob_test

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/testcloud"
)

// Objects (exports): stored under their prefix, read back, deleted, and
// downloadable only while the link lives.
func TestObjectsAreEncryptedAndLinksExpire(t *testing.T) {
	env := testcloud.Fast(t)
	o := blob.NewObjects(env.Clients.S3, env.Config.UploadsBucket, env.Config.KMSKeyID, "exports/")
	ctx := context.Background()
	for _, k := range []string{"x/parts/000001.jsonl", "x/parts/000000.jsonl", "y/parts/000000.jsonl"} {
		if err := o.Put(ctx, k, "application/x-ndjson", []byte(k+"\n")); err != nil {
			t.Fatal(err)
		}
	}
	// (The stand-in does not report SSE headers back; Put sends SSE-KMS
	// with the key as Uploads.PutFile does, and the bucket refuses
	// unencrypted writes in the stack.)
	if _, err := env.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(env.Config.UploadsBucket),
		Key: aws.String("exports/x/parts/000000.jsonl")}); err != nil {
		t.Fatalf("the object is not under the prefix: %v", err)
	}
	got, err := o.Get(ctx, "x/parts/000001.jsonl")
	if err != nil || string(got) != "x/parts/000001.jsonl\n" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	url, err := o.PresignGet(ctx, "x/parts/000000.jsonl", "a.zip", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "x/parts/000000.jsonl\n" {
		t.Fatalf("fresh link: %d %q", resp.StatusCode, body)
	}
	time.Sleep(2100 * time.Millisecond)
	resp, err = http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("expired link: %d, want 403", resp.StatusCode)
	}
	if err := o.Delete(ctx, "x/parts/000000.jsonl", "x/parts/000001.jsonl", "x/missing"); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Get(ctx, "x/parts/000000.jsonl"); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("deleted object: %v", err)
	}
	if got, err := o.Get(ctx, "y/parts/000000.jsonl"); err != nil || len(got) == 0 {
		t.Fatalf("another export's part went too: %v", err)
	}
}
