package objstore_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/quorum-app/quorum/internal/awsbase"
	"github.com/quorum-app/quorum/internal/awsbase/sigv4test"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/metering"
	"github.com/quorum-app/quorum/internal/objstore"
	"github.com/quorum-app/quorum/internal/store"
)

var testCreds = aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret", SessionToken: "token"}

// seen is what an httptest server received.
type seen struct {
	r    *http.Request
	body []byte
}

// server answers each request with the next of answers (the last one
// again when they run out) and records what it received.
func server(t *testing.T, answers ...func(w http.ResponseWriter, r *http.Request)) (*objstore.Client, func() []seen) {
	t.Helper()
	var mu sync.Mutex
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{r, b})
		n := len(got)
		mu.Unlock()
		answers[min(n, len(answers))-1](w, r)
	}))
	t.Cleanup(srv.Close)
	c := &objstore.Client{Region: "eu-west-1", Endpoint: srv.URL, Creds: credentials.StaticCredentialsProvider{Value: testCreds},
		HTTP: srv.Client(), Budget: 5 * time.Second, Now: time.Now, Pause: func(context.Context, int) error { return nil }}
	return c, func() []seen { mu.Lock(); defer mu.Unlock(); return append([]seen(nil), got...) }
}

func ok(body string, header ...string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		_, _ = io.WriteString(w, body)
	}
}

func fail(status int, code string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		if code != "" && r.Method != http.MethodHead {
			_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>`+code+`</Code><Message>m</Message></Error>`)
		}
	}
}

// Every operation sends the request the SDK sent, signed so that S3
// verifies it: the path escaped once (spaces, non-ASCII, a plus sign),
// the payload's hash, the SSE-KMS and copy headers signed.
func TestRequestsAreSignedAsS3Verifies(t *testing.T) {
	ctx := context.Background()
	key := "threads/t 1/Ünïcode+plan (v2).pdf"
	escaped := "/b/threads/t%201/%C3%9Cn%C3%AFcode%2Bplan%20%28v2%29.pdf"
	c, got := server(t, ok("", "X-Amz-Version-Id", "v9", "Content-Type", "application/pdf", "Content-Length", "0",
		"ETag", `"e"`, "Last-Modified", "Mon, 07 Dec 2026 10:00:00 GMT", "X-Amz-Server-Side-Encryption", "aws:kms"))
	if v, err := c.PutObject(ctx, objstore.Put{Bucket: "b", Key: key, Body: []byte("%PDF-1.4"), ContentType: "application/pdf", KMSKey: "arn:k"}); err != nil || v != "v9" {
		t.Fatalf("PutObject = %q, %v", v, err)
	}
	head, err := c.HeadObject(ctx, "b", key, "v 1")
	if err != nil || head.VersionID != "v9" || head.ContentType != "application/pdf" || head.ETag != `"e"` || head.SSE != "aws:kms" ||
		!head.LastModified.Equal(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("HeadObject = %+v, %v", head, err)
	}
	body, _, err := c.GetObject(ctx, objstore.Get{Bucket: "b", Key: key, Range: "bytes=0-511"})
	if err != nil {
		t.Fatal(err)
	}
	_ = body.Close()
	if err := c.DeleteObject(ctx, "b", key, "v1"); err != nil {
		t.Fatal(err)
	}
	if v, err := c.CopyObject(ctx, objstore.Copy{Bucket: "b", Key: key, Source: "b/k?versionId=v1", KMSKey: "arn:k"}); err != nil || v != "v9" {
		t.Fatalf("CopyObject = %q, %v", v, err)
	}
	if err := c.HeadBucket(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		method, path, query string
		signed              []string
		header              map[string]string
	}{
		{"PUT", escaped, "x-id=PutObject", []string{"content-type", "x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id"},
			map[string]string{"Content-Type": "application/pdf", "X-Amz-Server-Side-Encryption": "aws:kms", "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id": "arn:k", "Content-Length": "8"}},
		{"HEAD", escaped, "versionId=v%201", nil, nil},
		{"GET", escaped, "x-id=GetObject", []string{"range"}, map[string]string{"Range": "bytes=0-511"}},
		{"DELETE", escaped, "versionId=v1&x-id=DeleteObject", nil, nil},
		{"PUT", escaped, "x-id=CopyObject", []string{"x-amz-copy-source", "x-amz-metadata-directive", "x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id"},
			map[string]string{"X-Amz-Copy-Source": "b/k?versionId=v1", "X-Amz-Metadata-Directive": "COPY"}},
		{"HEAD", "/b/", "", nil, nil},
	}
	all := got()
	if len(all) != len(want) {
		t.Fatalf("%d requests, want %d", len(all), len(want))
	}
	for i, w := range want {
		r := all[i]
		if r.r.Method != w.method || r.r.URL.EscapedPath() != w.path || r.r.URL.RawQuery != w.query {
			t.Errorf("request %d: %s %s?%s, want %s %s?%s", i, r.r.Method, r.r.URL.EscapedPath(), r.r.URL.RawQuery, w.method, w.path, w.query)
		}
		for k, v := range w.header {
			if r.r.Header.Get(k) != v {
				t.Errorf("request %d: %s = %q, want %q", i, k, r.r.Header.Get(k), v)
			}
		}
		// Over plain HTTP even a PUT's body is hashed (UNSIGNED-PAYLOAD
		// only over TLS, as the SDK does).
		sigv4test.VerifyS3(t, r.r, r.body, testCreds, "eu-west-1", false, w.signed...)
	}
}

// A PUT's body over TLS is sent UNSIGNED-PAYLOAD, as the SDK sends it;
// every other request's payload is hashed.
func TestPutOverTLSIsUnsignedPayload(t *testing.T) {
	var got []seen
	var mu sync.Mutex
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{r, b})
		mu.Unlock()
	}))
	defer srv.Close()
	c := &objstore.Client{Region: "eu-west-1", Endpoint: srv.URL, Creds: credentials.StaticCredentialsProvider{Value: testCreds},
		HTTP: srv.Client(), Budget: 5 * time.Second, Now: time.Now, Pause: func(context.Context, int) error { return nil }}
	if _, err := c.PutObject(context.Background(), objstore.Put{Bucket: "b", Key: "k", Body: []byte("hello")}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteObject(context.Background(), "b", "k", ""); err != nil {
		t.Fatal(err)
	}
	sigv4test.VerifyS3(t, got[0].r, got[0].body, testCreds, "eu-west-1", true)
	sigv4test.VerifyS3(t, got[1].r, got[1].body, testCreds, "eu-west-1", false)
}

// Addressing: virtual-hosted in the cloud with the partition's DNS suffix,
// path style for a name that cannot be a host, and on an endpoint override.
func TestAddressing(t *testing.T) {
	for _, c := range []struct {
		region, endpoint, bucket, want string
	}{
		{"eu-west-1", "", "quorum-uploads-1-eu-west-1", "https://quorum-uploads-1-eu-west-1.s3.eu-west-1.amazonaws.com/a%20b/c"},
		{"us-east-1", "", "qmin-uploads", "https://qmin-uploads.s3.us-east-1.amazonaws.com/a%20b/c"},
		{"cn-north-1", "", "q-uploads", "https://q-uploads.s3.cn-north-1.amazonaws.com.cn/a%20b/c"},
		{"us-gov-west-1", "", "q-uploads", "https://q-uploads.s3.us-gov-west-1.amazonaws.com/a%20b/c"},
		{"eu-west-1", "", "Has.Dots", "https://s3.eu-west-1.amazonaws.com/Has.Dots/a%20b/c"},
		{"us-east-1", "http://127.0.0.1:7070", "quorum-uploads", "http://127.0.0.1:7070/quorum-uploads/a%20b/c"},
	} {
		cl := &objstore.Client{Region: c.region, Endpoint: c.endpoint}
		if got := cl.URL(c.bucket, "a b/c", nil).String(); got != c.want {
			t.Errorf("%s %s %s: %s, want %s", c.region, c.endpoint, c.bucket, got, c.want)
		}
	}
	bad := &objstore.Client{Region: "eu-west-1", Endpoint: "http://[::1", Creds: credentials.StaticCredentialsProvider{Value: testCreds},
		HTTP: http.DefaultClient, Budget: time.Second, Now: time.Now, Pause: func(context.Context, int) error { return nil }}
	if err := bad.HeadBucket(context.Background(), "b"); err == nil {
		t.Error("HeadBucket on an endpoint that is not a URL succeeded")
	}
	if got := objstore.CopySource("b", "a+b c/Ü(1)", "v1"); got != "b/a%2Bb%20c/%C3%9C%281%29?versionId=v1" {
		t.Errorf("CopySource = %s", got)
	}
}

// The presigned URLs are the SDK presigner's, byte for byte: the same
// query (X-Amz-Expires, the hoisted headers, x-id), the same signed headers
// (content type, exact length, SSE-KMS) and the same signature.
func TestPresignedURLsAreTheSDKs(t *testing.T) {
	ctx := context.Background()
	for _, endpoint := range []string{"", "http://127.0.0.1:7070"} {
		sdk := s3.New(s3.Options{Region: "eu-west-1", Credentials: credentials.StaticCredentialsProvider{Value: testCreds}, UsePathStyle: endpoint != "",
			BaseEndpoint: map[bool]*string{true: aws.String(endpoint), false: nil}[endpoint != ""]})
		p := s3.NewPresignClient(sdk)
		key := "threads/t 1/Ünï+(1).pdf"
		sput, err := p.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("quorum-uploads"), Key: aws.String(key),
			ContentType: aws.String("application/pdf"), ContentLength: aws.Int64(1234),
			ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String("arn:aws:kms:eu-west-1:1:key/k")},
			s3.WithPresignExpires(10*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		disp := `attachment; filename="plan (v2).pdf"`
		sget, err := p.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("quorum-uploads"), Key: aws.String(key),
			ResponseContentDisposition: aws.String(disp)}, s3.WithPresignExpires(5*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		at := func(raw string) time.Time {
			u, _ := url.Parse(raw)
			tm, err := time.Parse("20060102T150405Z", u.Query().Get("X-Amz-Date"))
			if err != nil {
				t.Fatal(err)
			}
			return tm
		}
		c := &objstore.Client{Region: "eu-west-1", Endpoint: endpoint, Creds: credentials.StaticCredentialsProvider{Value: testCreds}}
		c.Now = func() time.Time { return at(sput.URL) }
		put, err := c.PresignPut(ctx, "quorum-uploads", key, "application/pdf", 1234, "arn:aws:kms:eu-west-1:1:key/k", 10*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if put.URL != sput.URL || put.Method != sput.Method {
			t.Errorf("presigned PUT:\n got %s %s\nwant %s %s", put.Method, put.URL, sput.Method, sput.URL)
		}
		if len(put.Header) != len(sput.SignedHeader) {
			t.Errorf("signed headers %v, want %v", put.Header, sput.SignedHeader)
		}
		for k, v := range sput.SignedHeader {
			if strings.Join(put.Header.Values(k), ",") != strings.Join(v, ",") {
				t.Errorf("signed header %s = %v, want %v", k, put.Header.Values(k), v)
			}
		}
		c.Now = func() time.Time { return at(sget.URL) }
		get, err := c.PresignGet(ctx, "quorum-uploads", key, disp, 5*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if get.URL != sget.URL {
			t.Errorf("presigned GET:\n got %s\nwant %s", get.URL, sget.URL)
		}
	}
}

// Throttling and 5xx are retried, at most MaxAttempts times; refusals are
// not, and keep S3's code: a missing object (NoSuchKey, a HEAD's bare
// 404) IsNotFound, AccessDenied and PreconditionFailed are what they are,
// and store.Classify reads them as it read the SDK's errors.
func TestRetriesAndRefusals(t *testing.T) {
	ctx := context.Background()
	t.Run("throttled then done", func(t *testing.T) {
		c, got := server(t, fail(503, "SlowDown"), fail(500, "InternalError"), ok("", "X-Amz-Version-Id", "v1"))
		mctx, meter := metering.NewContext(ctx)
		if v, err := c.PutObject(mctx, objstore.Put{Bucket: "b", Key: "k", Body: []byte("x")}); err != nil || v != "v1" {
			t.Fatalf("PutObject = %q, %v", v, err)
		}
		if n := len(got()); n != 3 {
			t.Fatalf("%d attempts, want 3", n)
		}
		// Metered as the SDK's middleware metered it: one call, whatever
		// its attempts.
		if snap := meter.Snapshot(); snap.S3Calls != 1 || snap.Operations["S3.PutObject"] != 1 {
			t.Fatalf("metered %+v, want one S3.PutObject", snap)
		}
		for _, s := range got() {
			if string(s.body) != "x" {
				t.Fatalf("a retry sent %q: the body must be sent whole again", s.body)
			}
		}
	})
	t.Run("down", func(t *testing.T) {
		c, got := server(t, fail(503, "SlowDown"))
		err := c.DeleteObject(ctx, "b", "k", "")
		if n := len(got()); n != awsbase.MaxAttempts {
			t.Fatalf("%d attempts, want %d", n, awsbase.MaxAttempts)
		}
		var de *domain.Error
		if !errors.As(store.Classify(err), &de) || de.Code != domain.Unavailable || de.RetryAfter != store.RetryBusy {
			t.Fatalf("Classify(%v) = %v, want Unavailable, busy", err, store.Classify(err))
		}
	})
	t.Run("copy fails after its 200", func(t *testing.T) {
		c, got := server(t, ok(`<?xml version="1.0"?><Error><Code>InternalError</Code><Message>m</Message></Error>`), ok(`<CopyObjectResult/>`, "X-Amz-Version-Id", "v2"))
		if v, err := c.CopyObject(ctx, objstore.Copy{Bucket: "b", Key: "k", Source: "b/k?versionId=v1"}); err != nil || v != "v2" || len(got()) != 2 {
			t.Fatalf("CopyObject = %q, %v after %d attempts", v, err, len(got()))
		}
	})
	for _, c := range []struct {
		name     string
		answer   func(w http.ResponseWriter, r *http.Request)
		call     func(c *objstore.Client) error
		code     string
		status   int
		notFound bool
	}{
		{"no such key", fail(404, "NoSuchKey"), func(c *objstore.Client) error {
			_, _, err := c.GetObject(ctx, objstore.Get{Bucket: "b", Key: "k"})
			return err
		}, "NoSuchKey", 404, true},
		{"head of nothing", fail(404, ""), func(c *objstore.Client) error { _, err := c.HeadObject(ctx, "b", "k", ""); return err }, "NotFound", 404, true},
		{"access denied", fail(403, "AccessDenied"), func(c *objstore.Client) error {
			_, err := c.PutObject(ctx, objstore.Put{Bucket: "b", Key: "k", Body: []byte("x")})
			return err
		}, "AccessDenied", 403, false},
		{"head forbidden", fail(403, ""), func(c *objstore.Client) error { return c.HeadBucket(ctx, "b") }, "Forbidden", 403, false},
		{"precondition", fail(412, "PreconditionFailed"), func(c *objstore.Client) error {
			_, err := c.CopyObject(ctx, objstore.Copy{Bucket: "b", Key: "k", Source: "b/j"})
			return err
		}, "PreconditionFailed", 412, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl, got := server(t, c.answer)
			err := c.call(cl)
			if n := len(got()); n != 1 {
				t.Fatalf("%d attempts of a refusal", n)
			}
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != c.code {
				t.Fatalf("error %v, want code %s", err, c.code)
			}
			var st interface{ HTTPStatusCode() int }
			if !errors.As(err, &st) || st.HTTPStatusCode() != c.status {
				t.Fatalf("error %v, want status %d", err, c.status)
			}
			if objstore.IsNotFound(err) != c.notFound {
				t.Fatalf("IsNotFound(%v) = %v", err, !c.notFound)
			}
		})
	}
}

// A call that is not a streaming GET or PUT ends with the call budget,
// all attempts included.
func TestCallBudget(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	c, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	c.Budget = 200 * time.Millisecond
	start := time.Now()
	_, err := c.HeadObject(context.Background(), "b", "k", "")
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("HeadObject of a stalled service: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the call took %s, past its budget", d)
	}
}

// The listings: S3's XML (the shapes of the S3 API reference) with their
// continuation token and markers, and the query each page sends.
func TestListings(t *testing.T) {
	ctx := context.Background()
	var pages atomic.Int32
	c, got := server(t, func(w http.ResponseWriter, r *http.Request) {
		pages.Add(1)
		if r.URL.Query().Has("versions") {
			_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>
<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>a/</Prefix><KeyMarker></KeyMarker>
<VersionIdMarker></VersionIdMarker><NextKeyMarker>a/2</NextKeyMarker><NextVersionIdMarker>v 3</NextVersionIdMarker><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
<Version><Key>a/1</Key><VersionId>v1</VersionId><IsLatest>true</IsLatest><LastModified>2026-12-06T10:00:00.000Z</LastModified><ETag>"e1"</ETag><Size>5</Size></Version>
<DeleteMarker><Key>a/2</Key><VersionId>v2</VersionId><IsLatest>true</IsLatest><LastModified>2026-12-06T11:00:00.000Z</LastModified></DeleteMarker>
</ListVersionsResult>`)
			return
		}
		_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>a/</Prefix><KeyCount>1</KeyCount><MaxKeys>1</MaxKeys>
<IsTruncated>true</IsTruncated><NextContinuationToken>tok+/=</NextContinuationToken>
<Contents><Key>a/1</Key><LastModified>2026-12-06T10:00:00.000Z</LastModified><ETag>"e1"</ETag><Size>5</Size><StorageClass>STANDARD</StorageClass></Contents>
</ListBucketResult>`)
	})
	l, err := c.ListObjects(ctx, "b", "a/", 1, "")
	if err != nil || len(l.Contents) != 1 || l.Contents[0].Key != "a/1" || l.Contents[0].Size != 5 || !l.IsTruncated || l.NextContinuationToken != "tok+/=" ||
		!l.Contents[0].LastModified.Equal(time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("ListObjects = %+v, %v", l, err)
	}
	if _, err := c.ListObjects(ctx, "b", "a/", 0, l.NextContinuationToken); err != nil {
		t.Fatal(err)
	}
	v, err := c.ListVersions(ctx, "b", "a/", "", "")
	if err != nil || len(v.Versions) != 1 || len(v.DeleteMarkers) != 1 || v.Versions[0].VersionID != "v1" || !v.Versions[0].IsLatest ||
		v.DeleteMarkers[0].Key != "a/2" || v.NextKeyMarker != "a/2" || v.NextVersionIDMarker != "v 3" || !v.IsTruncated {
		t.Fatalf("ListVersions = %+v, %v", v, err)
	}
	if _, err := c.ListVersions(ctx, "b", "a/", v.NextKeyMarker, v.NextVersionIDMarker); err != nil {
		t.Fatal(err)
	}
	want := []url.Values{
		{"list-type": {"2"}, "prefix": {"a/"}, "max-keys": {"1"}},
		{"list-type": {"2"}, "prefix": {"a/"}, "continuation-token": {"tok+/="}},
		{"versions": {""}, "prefix": {"a/"}},
		{"versions": {""}, "prefix": {"a/"}, "key-marker": {"a/2"}, "version-id-marker": {"v 3"}},
	}
	for i, s := range got() {
		if s.r.URL.Query().Encode() != want[i].Encode() {
			t.Errorf("page %d: query %s, want %s", i, s.r.URL.Query().Encode(), want[i].Encode())
		}
		sigv4test.VerifyS3(t, s.r, s.body, testCreds, "eu-west-1", false)
	}
}

// Keys are escaped exactly as the SDK escapes them, whatever they hold:
// every printable ASCII character, spaces, non-ASCII letters, "//".
func TestKeysEscapedAsTheSDKEscapesThem(t *testing.T) {
	ctx := context.Background()
	sdk := s3.NewPresignClient(s3.New(s3.Options{Region: "eu-west-1", Credentials: credentials.StaticCredentialsProvider{Value: testCreds}}))
	c := &objstore.Client{Region: "eu-west-1", Creds: credentials.StaticCredentialsProvider{Value: testCreds}}
	var keys []string
	for ch := byte(0x20); ch < 0x7f; ch++ {
		keys = append(keys, "a"+string(ch)+"b/"+string(ch))
	}
	keys = append(keys, "threads/Ünïcødé 名前.pdf", "a//b/", "~user/%41+%2B", "exports/x y+z=(1)&[2]")
	for _, key := range keys {
		want, err := sdk.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("quorum-uploads"), Key: aws.String(key)}, s3.WithPresignExpires(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(want.URL)
		at, _ := time.Parse("20060102T150405Z", u.Query().Get("X-Amz-Date"))
		c.Now = func() time.Time { return at }
		got, err := c.PresignGet(ctx, "quorum-uploads", key, "", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if got.URL != want.URL {
			t.Errorf("key %q:\n got %s\nwant %s", key, got.URL, want.URL)
		}
	}
}
