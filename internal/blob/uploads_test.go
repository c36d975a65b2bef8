package blob_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/testcloud"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

var png = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)

func put(t *testing.T, req blob.PresignedRequest, body []byte, drop ...string) int {
	t.Helper()
	r, err := http.NewRequest(req.Method, req.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range req.Headers {
		skip := false
		for _, d := range drop {
			if strings.EqualFold(k, d) {
				skip = true
			}
		}
		if !skip {
			r.Header.Set(k, v)
		}
	}
	r.ContentLength = int64(len(body))
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func newUploads(t *testing.T, limits blob.Limits) (*blob.Uploads, *testcloud.Env) {
	env := testcloud.New(t)
	return blob.NewUploads(env.Clients.S3, env.Config.UploadsBucket, env.Config.KMSKeyID, limits), env
}

// Against versitygw, which checks SigV4 like S3: the presigned PUT works
// only with the signed SSE-KMS headers, the declared length and type, and
// before it expires.
func TestPresignedPutIsBoundToEncryptionAndExpiry(t *testing.T) {
	u, _ := newUploads(t, blob.DefaultLimits())
	ctx := context.Background()
	req, err := u.PresignPut(ctx, "t/ok.png", "image/png", int64(len(png)))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"X-Amz-Server-Side-Encryption", "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", "Content-Type"} {
		if req.Headers[h] == "" {
			t.Fatalf("header %s is not part of the signed request: %v", h, req.Headers)
		}
	}
	if req.Headers["X-Amz-Server-Side-Encryption"] != "aws:kms" {
		t.Fatalf("sse %q", req.Headers["X-Amz-Server-Side-Encryption"])
	}

	cases := []struct {
		name string
		drop []string
		body []byte
		want int
	}{
		{"without the SSE header", []string{"X-Amz-Server-Side-Encryption"}, png, http.StatusForbidden},
		{"without the KMS key header", []string{"X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id"}, png, http.StatusForbidden},
		{"more bytes than declared", nil, append(png, 1, 2, 3), http.StatusForbidden},
		{"with every signed header", nil, png, http.StatusOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := put(t, req, c.body, c.drop...); got != c.want {
				t.Fatalf("status %d, want %d", got, c.want)
			}
		})
	}
	if _, err := u.Verify(ctx, "t/ok.png"); err != nil {
		t.Fatalf("verify: %v", err)
	}
	url, err := u.PresignGet(ctx, "t/ok.png", "diagram \"1\".png")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, png) {
		t.Fatalf("download %d", resp.StatusCode)
	}
}

func TestPresignedURLsExpire(t *testing.T) {
	limits := blob.DefaultLimits()
	limits.PutTTL, limits.GetTTL = time.Second, time.Second
	u, _ := newUploads(t, limits)
	ctx := context.Background()
	req, err := u.PresignPut(ctx, "t/late.png", "image/png", int64(len(png)))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond)
	if got := put(t, req, png); got != http.StatusForbidden {
		t.Fatalf("expired PUT: %d", got)
	}
	fresh, _ := u.PresignPut(ctx, "t/late.png", "image/png", int64(len(png)))
	if got := put(t, fresh, png); got != 200 {
		t.Fatalf("fresh PUT: %d", got)
	}
	url, _ := u.PresignGet(ctx, "t/late.png", "late.png")
	time.Sleep(2100 * time.Millisecond)
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("expired GET: %d", resp.StatusCode)
	}
}

func TestPresignValidation(t *testing.T) {
	u, _ := newUploads(t, blob.DefaultLimits())
	cases := []struct {
		name, ct string
		size     int64
		field    string
	}{
		{"html not allowed", "text/html", 10, "content_type"},
		{"svg not allowed", "image/svg+xml", 10, "content_type"},
		{"garbage type", "???", 10, "content_type"},
		{"zero size", "image/png", 0, "size"},
		{"too big", "image/png", 26 << 20, "size"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := u.PresignPut(context.Background(), "t/x", c.ct, c.size)
			var de *domain.Error
			if domain.ErrorCode(err) != domain.Invalid || !asDomain(err, &de) || de.Fields[0].Field != c.field {
				t.Fatalf("got %v", err)
			}
		})
	}
}

// Content that does not match its declared type is refused after upload and deleted.
func TestVerifyRejectsDisguisedContent(t *testing.T) {
	u, _ := newUploads(t, blob.DefaultLimits())
	ctx := context.Background()
	html := []byte("<!DOCTYPE html><html><script>alert(1)</script></html>")
	req, _ := u.PresignPut(ctx, "t/fake.png", "image/png", int64(len(html)))
	if got := put(t, req, html); got != 200 {
		t.Fatalf("put %d", got)
	}
	if _, err := u.Verify(ctx, "t/fake.png"); domain.ErrorCode(err) != domain.Invalid {
		t.Fatalf("disguised html accepted: %v", err)
	}
	if _, err := u.Verify(ctx, "t/fake.png"); err != blob.ErrNotUploaded {
		t.Fatalf("rejected object not deleted: %v", err)
	}
	txt := []byte("<html><body>hi</body></html>")
	req, _ = u.PresignPut(ctx, "t/fake.txt", "text/plain", int64(len(txt)))
	put(t, req, txt)
	if _, err := u.Verify(ctx, "t/fake.txt"); domain.ErrorCode(err) != domain.Invalid {
		t.Fatalf("html as text accepted: %v", err)
	}
	if _, err := u.Verify(ctx, "t/missing"); err != blob.ErrNotUploaded {
		t.Fatalf("missing: %v", err)
	}
}

func asDomain(err error, target **domain.Error) bool {
	e, ok := err.(*domain.Error)
	if ok {
		*target = e
	}
	return ok
}
