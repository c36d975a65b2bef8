package objstore_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/objstore"
	"github.com/quorum-app/quorum/internal/testcloud"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

// Every operation against versitygw, which verifies SigV4 headers and
// presigned URLs as S3 does, in a versioned bucket: put with SSE-KMS, head,
// a ranged get, the listings page by page, copy of an old version, delete
// of a version, presigned PUT and GET used by a plain HTTP client, and the
// refusals' codes.
func TestEveryOperationAgainstVersitygw(t *testing.T) {
	env := testcloud.New(t)
	ctx := context.Background()
	c, bucket, kms := env.Clients.S3, env.Config.UploadsBucket, env.Config.KMSKeyID
	key := "objstore/a b/Ünï+(1).txt"
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	if err := c.HeadBucket(ctx, bucket); err != nil {
		t.Fatalf("HeadBucket: %v", err)
	}
	v1, err := c.PutObject(ctx, objstore.Put{Bucket: bucket, Key: key, Body: []byte("first version"), ContentType: "text/plain", KMSKey: kms})
	must(err, "put v1")
	v2, err := c.PutObject(ctx, objstore.Put{Bucket: bucket, Key: key, Body: []byte("second"), ContentType: "text/plain", KMSKey: kms})
	must(err, "put v2")
	if v1 == "" || v2 == "" || v1 == v2 {
		t.Fatalf("versions %q, %q", v1, v2)
	}
	head, err := c.HeadObject(ctx, bucket, key, "")
	must(err, "head")
	if head.VersionID != v2 || head.ContentLength != 6 || head.ContentType != "text/plain" {
		t.Fatalf("head = %+v", head)
	}
	old, err := c.HeadObject(ctx, bucket, key, v1)
	must(err, "head v1")
	if old.ContentLength != int64(len("first version")) {
		t.Fatalf("head v1 = %+v", old)
	}
	body, obj, err := c.GetObject(ctx, objstore.Get{Bucket: bucket, Key: key, Range: "bytes=0-2"})
	must(err, "ranged get")
	b, _ := io.ReadAll(body)
	_ = body.Close()
	if string(b) != "sec" || obj.ContentLength != 3 {
		t.Fatalf("ranged get = %q, %+v", b, obj)
	}
	body, _, err = c.GetObject(ctx, objstore.Get{Bucket: bucket, Key: key, Version: v1})
	must(err, "get v1")
	b, _ = io.ReadAll(body)
	_ = body.Close()
	if string(b) != "first version" {
		t.Fatalf("get v1 = %q", b)
	}

	// Five more objects, listed two at a time.
	for i := range 5 {
		_, err := c.PutObject(ctx, objstore.Put{Bucket: bucket, Key: fmt.Sprintf("objstore/list/%d", i), Body: []byte("x"), KMSKey: kms})
		must(err, "put list")
	}
	var keys []string
	token := ""
	for page := 0; page < 10; page++ {
		l, err := c.ListObjects(ctx, bucket, "objstore/list/", 2, token)
		must(err, "list")
		if len(l.Contents) > 2 {
			t.Fatalf("page of %d, asked for 2", len(l.Contents))
		}
		for _, o := range l.Contents {
			keys = append(keys, o.Key)
		}
		if !l.IsTruncated {
			break
		}
		token = l.NextContinuationToken
	}
	if strings.Join(keys, ",") != "objstore/list/0,objstore/list/1,objstore/list/2,objstore/list/3,objstore/list/4" {
		t.Fatalf("listed %v", keys)
	}

	// Delete: a marker above v2; the versions listing shows all three.
	must(c.DeleteObject(ctx, bucket, key, ""), "delete")
	if _, err := c.HeadObject(ctx, bucket, key, ""); !objstore.IsNotFound(err) {
		t.Fatalf("head after delete: %v, want not found", err)
	}
	if _, _, err := c.GetObject(ctx, objstore.Get{Bucket: bucket, Key: key}); !objstore.IsNotFound(err) {
		t.Fatalf("get after delete: %v, want not found", err)
	}
	vs, err := c.ListVersions(ctx, bucket, key, "", "")
	must(err, "list versions")
	if len(vs.Versions) != 2 || len(vs.DeleteMarkers) != 1 || !vs.DeleteMarkers[0].IsLatest {
		t.Fatalf("versions = %+v", vs)
	}
	// Copy v1 back over the marker, then delete the marker for good.
	// As recovery.Objects names the source ("+" escaped: a bare one
	// would be read as a space).
	src := objstore.CopySource(bucket, key, v1)
	v3, err := c.CopyObject(ctx, objstore.Copy{Bucket: bucket, Key: key, Source: src, KMSKey: kms})
	must(err, "copy")
	body, _, err = c.GetObject(ctx, objstore.Get{Bucket: bucket, Key: key})
	must(err, "get copy")
	b, _ = io.ReadAll(body)
	_ = body.Close()
	if string(b) != "first version" || v3 == "" {
		t.Fatalf("after copy: %q, version %q", b, v3)
	}
	must(c.DeleteObject(ctx, bucket, key, vs.DeleteMarkers[0].VersionID), "delete the marker")
	vs, err = c.ListVersions(ctx, bucket, key, "", "")
	must(err, "list versions")
	if len(vs.Versions) != 3 || len(vs.DeleteMarkers) != 0 {
		t.Fatalf("versions after = %+v", vs)
	}

	// Presigned: a browser's PUT with exactly the signed headers, then a
	// download with the disposition asked for; another type is refused.
	put, err := c.PresignPut(ctx, bucket, "objstore/up load.pdf", "application/pdf", 8, kms, time.Minute)
	must(err, "presign put")
	send := func(ct string) int {
		r, _ := http.NewRequest(put.Method, put.URL, bytes.NewReader([]byte("%PDF-1.4")))
		for k, v := range put.Header {
			if !strings.EqualFold(k, "host") {
				r.Header[k] = v
			}
		}
		r.Header.Set("Content-Type", ct)
		resp, err := http.DefaultClient.Do(r)
		must(err, "presigned PUT")
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	if s := send("text/html"); s != http.StatusForbidden {
		t.Fatalf("presigned PUT of another type: %d, want 403", s)
	}
	if s := send("application/pdf"); s != http.StatusOK {
		t.Fatalf("presigned PUT: %d", s)
	}
	get, err := c.PresignGet(ctx, bucket, "objstore/up load.pdf", `attachment; filename="up load.pdf"`, time.Minute)
	must(err, "presign get")
	resp, err := http.Get(get.URL)
	must(err, "presigned GET")
	b, _ = io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(b) != "%PDF-1.4" || resp.Header.Get("Content-Disposition") != `attachment; filename="up load.pdf"` {
		t.Fatalf("presigned GET: %d %q %q", resp.StatusCode, b, resp.Header.Get("Content-Disposition"))
	}

	// A bucket that is not there: 404 without a body (a HEAD).
	if err := c.HeadBucket(ctx, bucket+"-none"); !objstore.IsNotFound(err) {
		t.Fatalf("HeadBucket of a missing bucket: %v", err)
	}
}
