// Package objstore is Quorum's S3 client: the handful of S3 operations the
// functions call (get, put with SSE-KMS, head, delete, copy, the two
// listings, presigned PUT and GET), as REST requests of its own signed with
// the SDK's SigV4 signer, which every function links anyway for DynamoDB.
// The SDK's generated S3 client cost inbound, the scheduler and the api
// 0.6-0.7 MB each (its operations, serialisers, endpoint rules and their
// initialisation at every cold start; docs/architecture.md, "Eleventh
// pass"). The requests are the ones the SDK sent: the same paths (path
// style on an endpoint override, virtual-hosted in the cloud), headers,
// x-amz-content-sha256 (the payload's hash; UNSIGNED-PAYLOAD for a PUT body
// over TLS), keys escaped once (the signer does not escape the path again),
// presigned URLs with X-Amz-Expires and the x-amz-* headers hoisted into
// the query as the SDK's presigner does. The IAM actions are unchanged:
// s3:GetObject, s3:PutObject, s3:DeleteObject(Version), s3:ListBucket(
// Versions), kms:GenerateDataKey/Decrypt through S3.
//
// Retries are the standard retryer's (awsbase.Retryable: throttling,
// 500/502/503/504, broken connections; at most awsbase.MaxAttempts, full
// jitter); each attempt must connect, answer and keep sending within the
// attempt timeout, and a call other than a GET or PUT of an object (whose
// bodies stream, of any size) is bounded by the call budget. Refusals are
// *awsbase.APIError with S3's code (NoSuchKey, NotFound for a HEAD,
// AccessDenied, PreconditionFailed, ...): IsNotFound tells a missing object.
package objstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"

	"github.com/quorum-app/quorum/internal/awsbase"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/metering"
)

// Doer sends one HTTP request (an *http.Client, the SDK's BuildableClient).
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Client calls S3 of one region.
type Client struct {
	Region string
	// Endpoint overrides the regional endpoint (a local stand-in, without
	// a trailing slash); requests are then path style.
	Endpoint string
	Creds    aws.CredentialsProvider
	HTTP     Doer
	// Budget bounds a call with all its attempts and pauses, but for the
	// streaming GetObject and PutObject.
	Budget time.Duration
	Now    func() time.Time
	// Pause waits before retry attempt n (awsbase.JitterPause; tests make
	// it instant).
	Pause func(ctx context.Context, attempt int) error
}

// New is the S3 client of c with the region and credentials of cfg: each
// attempt connects, answers and keeps sending within c's attempt timeout
// (bodies of any size stream), calls are bounded by its call budget, and
// c.S3Endpoint (the local stand-in) is called path style.
func New(cfg aws.Config, c config.Config) *Client {
	attempt := awsbase.AttemptTimeout(c)
	hc := awshttp.NewBuildableClient().WithDialerOptions(awsbase.Dial(attempt)).
		WithTransportOptions(func(t *http.Transport) { t.ResponseHeaderTimeout = attempt }).WithReadTimeout(attempt)
	return &Client{Region: cfg.Region, Endpoint: strings.TrimSuffix(c.S3Endpoint, "/"), Creds: cfg.Credentials, HTTP: hc,
		Budget: awsbase.CallBudget(c), Now: time.Now, Pause: awsbase.JitterPause}
}

// IsNotFound reports a refusal that means there is no such object (or
// version): NoSuchKey, NoSuchVersion, NotFound (a HEAD's 404) or any 404.
func IsNotFound(err error) bool {
	var ae *awsbase.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.Code {
	case "NoSuchKey", "NotFound", "NoSuchVersion":
		return true
	}
	return ae.Status == http.StatusNotFound
}

// virtualHostable reports whether bucket can be a DNS label of the
// endpoint (the SDK's rule without dots: 3-63 lower-case letters, digits
// and hyphens, not starting or ending with a hyphen, not an IP address).
func virtualHostable(bucket string) bool {
	if len(bucket) < 3 || len(bucket) > 63 || bucket[0] == '-' || bucket[len(bucket)-1] == '-' {
		return false
	}
	for i := 0; i < len(bucket); i++ {
		c := bucket[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// escapePath escapes a key for the request's path as the SDK does: every
// byte but the unreserved characters and '/' percent-encoded, once.
func escapePath(s string) string {
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexd[c>>4])
		b.WriteByte(hexd[c&15])
	}
	return b.String()
}

// URL is the address of key in bucket ("" key: the bucket itself) with
// the query q: path style on an endpoint override or for a bucket name
// that cannot be a host name, https://<bucket>.s3.<region>.<suffix>/<key>
// otherwise.
func (c *Client) URL(bucket, key string, q url.Values) *url.URL {
	var u *url.URL
	path := "/" + key
	switch {
	case c.Endpoint != "":
		var err error
		if u, err = url.Parse(c.Endpoint); err != nil {
			u = &url.URL{} // not a URL: the request fails, naming no host
		}
		path = strings.TrimSuffix(u.Path, "/") + "/" + bucket + path
	case virtualHostable(bucket):
		u, _ = url.Parse(awsbase.Endpoint(bucket+".s3", c.Region))
	default:
		u, _ = url.Parse(awsbase.Endpoint("s3", c.Region))
		path = "/" + bucket + path
	}
	u.Path, u.RawPath = path, escapePath(path)
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	return u
}

// Origin is the scheme://host[:port] of the URLs of bucket (what a browser
// PUTs a presigned upload to, for the API's Content-Security-Policy).
func (c *Client) Origin(bucket string) string {
	u := c.URL(bucket, "", nil)
	return u.Scheme + "://" + u.Host
}

// request is one S3 call.
type request struct {
	op     string // the operation, for metering and errors
	method string
	bucket string
	key    string
	query  url.Values
	header http.Header
	body   []byte
	// stream: the answer's body is the caller's to read; no call budget.
	stream bool
}

// do sends r, retrying within the budget, and returns a 2xx answer (its
// body open when r.stream, else read into the result's body); any other
// answer is an *awsbase.APIError.
func (c *Client) do(ctx context.Context, r request) (*http.Response, []byte, error) {
	done := metering.Observe(ctx, "S3", r.op, nil)
	defer done(nil)
	cancel := context.CancelFunc(func() {})
	if !r.stream {
		ctx, cancel = context.WithTimeout(ctx, c.Budget)
	}
	defer cancel()
	var resp *http.Response
	var body []byte
	err := awsbase.Retry(ctx, c.Pause, func() (err error) {
		resp, body, err = c.attempt(ctx, r)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("S3 %s: %w", r.op, err)
	}
	return resp, body, nil
}

// payloadHash is x-amz-content-sha256 as the SDK sends it: the body's
// SHA-256, but UNSIGNED-PAYLOAD for an object's body sent over TLS (the
// SDK's dynamic payload signing of PutObject; TLS protects its integrity).
func payloadHash(r request, u *url.URL) string {
	if r.op == "PutObject" && u.Scheme == "https" {
		return "UNSIGNED-PAYLOAD"
	}
	sum := sha256.Sum256(r.body)
	return hex.EncodeToString(sum[:])
}

func (c *Client) attempt(ctx context.Context, r request) (*http.Response, []byte, error) {
	u := c.URL(r.bucket, r.key, r.query)
	var body io.Reader = http.NoBody
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, nil, err
	}
	req.URL = u // keep the path as escaped above
	for k, v := range r.header {
		req.Header[k] = v
	}
	if r.body != nil {
		req.ContentLength = int64(len(r.body))
	}
	hash := payloadHash(r, u)
	req.Header.Set("X-Amz-Content-Sha256", hash)
	creds, err := c.Creds.Retrieve(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("credentials: %w", err)
	}
	if err := signer().SignHTTP(ctx, creds, req, hash, "s3", c.Region, c.Now()); err != nil {
		return nil, nil, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode/100 == 2 && r.stream {
		return resp, nil, nil
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode/100 == 2 {
		// CopyObject (and other calls that answer late) may fail after
		// their 200 has been sent: the body is then an <Error>, which
		// the SDK treats as a server error.
		if r.op == "CopyObject" && bytes.Contains(raw[:min(len(raw), 128)], []byte("<Error>")) {
			e := apiError(http.StatusInternalServerError, raw)
			return nil, nil, e
		}
		return resp, raw, nil
	}
	return nil, nil, apiError(resp.StatusCode, raw)
}

// apiError is the refusal in an S3 error body; without one (a HEAD) the
// code is the status's, as the SDK names it (NotFound, Forbidden, ...).
func apiError(status int, raw []byte) *awsbase.APIError {
	var e struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	_ = xml.Unmarshal(raw, &e)
	if e.Code == "" {
		e.Code = strings.ReplaceAll(http.StatusText(status), " ", "")
		if status == http.StatusNotModified {
			e.Code = "NotModified"
		}
	}
	return &awsbase.APIError{Status: status, Code: e.Code, Message: e.Message}
}

// signer is the SDK's SigV4 signer with S3's option: the path is signed
// as sent, not escaped a second time.
func signer() *v4.Signer {
	return v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
}

// sse sets the SSE-KMS headers for kmsKey ("" sets none: the bucket's
// default encryption).
func sse(h http.Header, kmsKey string) {
	if kmsKey != "" {
		h.Set("X-Amz-Server-Side-Encryption", "aws:kms")
		h.Set("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", kmsKey)
	}
}

func versionQuery(q url.Values, version string) url.Values {
	if version != "" {
		q.Set("versionId", version)
	}
	return q
}

// HeadBucket checks that bucket exists and the credentials may use it.
func (c *Client) HeadBucket(ctx context.Context, bucket string) error {
	_, _, err := c.do(ctx, request{op: "HeadBucket", method: http.MethodHead, bucket: bucket})
	return err
}

// Put is an object to store.
type Put struct {
	Bucket, Key string
	Body        []byte
	ContentType string
	// KMSKey encrypts the object with SSE-KMS under this key ("" leaves
	// the bucket's default encryption).
	KMSKey string
}

// PutObject stores p and returns the new version's id ("" in an
// unversioned bucket).
func (c *Client) PutObject(ctx context.Context, p Put) (string, error) {
	h := http.Header{}
	if p.ContentType != "" {
		h.Set("Content-Type", p.ContentType)
	}
	sse(h, p.KMSKey)
	body := p.Body
	if body == nil {
		body = []byte{}
	}
	resp, _, err := c.do(ctx, request{op: "PutObject", method: http.MethodPut, bucket: p.Bucket, key: p.Key,
		query: url.Values{"x-id": {"PutObject"}}, header: h, body: body})
	if err != nil {
		return "", err
	}
	return resp.Header.Get("X-Amz-Version-Id"), nil
}

// Object is what a HEAD or GET of an object tells about it.
type Object struct {
	ContentType   string
	ContentLength int64
	ETag          string
	VersionID     string
	LastModified  time.Time
	// SSE is the server-side encryption ("aws:kms", "AES256").
	SSE string
}

func objectOf(h http.Header) Object {
	n, _ := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
	t, _ := http.ParseTime(h.Get("Last-Modified"))
	return Object{ContentType: h.Get("Content-Type"), ContentLength: n, ETag: h.Get("ETag"),
		VersionID: h.Get("X-Amz-Version-Id"), LastModified: t, SSE: h.Get("X-Amz-Server-Side-Encryption")}
}

// HeadObject describes key (its version when version is not "").
func (c *Client) HeadObject(ctx context.Context, bucket, key, version string) (Object, error) {
	resp, _, err := c.do(ctx, request{op: "HeadObject", method: http.MethodHead, bucket: bucket, key: key,
		query: versionQuery(url.Values{}, version)})
	if err != nil {
		return Object{}, err
	}
	return objectOf(resp.Header), nil
}

// Get asks for an object.
type Get struct {
	Bucket, Key string
	// Range is a byte range ("bytes=0-511"); "" reads all.
	Range string
	// Version reads that version ("" the current one).
	Version string
}

// GetObject opens g's object: the caller reads and closes the body. Each
// read must progress within the attempt timeout; the call budget does not
// bound it (a body of any size streams).
func (c *Client) GetObject(ctx context.Context, g Get) (io.ReadCloser, Object, error) {
	h := http.Header{}
	if g.Range != "" {
		h.Set("Range", g.Range)
	}
	resp, _, err := c.do(ctx, request{op: "GetObject", method: http.MethodGet, bucket: g.Bucket, key: g.Key,
		query: versionQuery(url.Values{"x-id": {"GetObject"}}, g.Version), header: h, stream: true})
	if err != nil {
		return nil, Object{}, err
	}
	return resp.Body, objectOf(resp.Header), nil
}

// DeleteObject deletes key: the current object (a delete marker in a
// versioned bucket) or, with version, that version or delete marker for
// good. Deleting what is not there succeeds.
func (c *Client) DeleteObject(ctx context.Context, bucket, key, version string) error {
	_, _, err := c.do(ctx, request{op: "DeleteObject", method: http.MethodDelete, bucket: bucket, key: key,
		query: versionQuery(url.Values{"x-id": {"DeleteObject"}}, version)})
	return err
}

// CopySource is x-amz-copy-source for version ("" the current one) of
// key in bucket: the key percent-encoded as in a request's path, "+"
// included (S3 and versitygw read a bare "+" there as a space).
func CopySource(bucket, key, version string) string {
	src := escapePath(bucket + "/" + key)
	if version != "" {
		src += "?versionId=" + url.QueryEscape(version)
	}
	return src
}

// Copy copies an object (version) over another in the same region.
type Copy struct {
	Bucket, Key string
	// Source is x-amz-copy-source (CopySource).
	Source string
	// KMSKey encrypts the copy with SSE-KMS ("" the bucket's default).
	KMSKey string
}

// CopyObject copies cp.Source to cp.Key with its metadata (COPY) and
// returns the new version's id.
func (c *Client) CopyObject(ctx context.Context, cp Copy) (string, error) {
	h := http.Header{}
	h.Set("X-Amz-Copy-Source", cp.Source)
	h.Set("X-Amz-Metadata-Directive", "COPY")
	sse(h, cp.KMSKey)
	resp, _, err := c.do(ctx, request{op: "CopyObject", method: http.MethodPut, bucket: cp.Bucket, key: cp.Key,
		query: url.Values{"x-id": {"CopyObject"}}, header: h})
	if err != nil {
		return "", err
	}
	return resp.Header.Get("X-Amz-Version-Id"), nil
}

// Listed is one current object of a listing.
type Listed struct {
	Key          string    `xml:"Key"`
	Size         int64     `xml:"Size"`
	LastModified time.Time `xml:"LastModified"`
	ETag         string    `xml:"ETag"`
}

// List is one page of ListObjectsV2.
type List struct {
	Contents              []Listed `xml:"Contents"`
	IsTruncated           bool     `xml:"IsTruncated"`
	NextContinuationToken string   `xml:"NextContinuationToken"`
}

// ListObjects lists a page of the current objects whose key starts with
// prefix, at most maxKeys (S3's 1000 when 0), after the page that gave
// token ("" the first).
func (c *Client) ListObjects(ctx context.Context, bucket, prefix string, maxKeys int, token string) (List, error) {
	q := url.Values{"list-type": {"2"}, "prefix": {prefix}}
	if maxKeys > 0 {
		q.Set("max-keys", strconv.Itoa(maxKeys))
	}
	if token != "" {
		q.Set("continuation-token", token)
	}
	var out List
	_, raw, err := c.do(ctx, request{op: "ListObjectsV2", method: http.MethodGet, bucket: bucket, query: q})
	if err == nil {
		err = decode(raw, &out, "ListObjectsV2")
	}
	return out, err
}

// Version is one version or delete marker of a key.
type Version struct {
	Key          string    `xml:"Key"`
	VersionID    string    `xml:"VersionId"`
	IsLatest     bool      `xml:"IsLatest"`
	LastModified time.Time `xml:"LastModified"`
	ETag         string    `xml:"ETag"`
	Size         int64     `xml:"Size"`
}

// Versions is one page of ListObjectVersions.
type Versions struct {
	Versions            []Version `xml:"Version"`
	DeleteMarkers       []Version `xml:"DeleteMarker"`
	IsTruncated         bool      `xml:"IsTruncated"`
	NextKeyMarker       string    `xml:"NextKeyMarker"`
	NextVersionIDMarker string    `xml:"NextVersionIdMarker"`
}

// ListVersions lists a page of the versions and delete markers of the keys
// that start with prefix, after keyMarker and versionMarker (the previous
// page's NextKeyMarker and NextVersionIDMarker; "" the first page).
func (c *Client) ListVersions(ctx context.Context, bucket, prefix, keyMarker, versionMarker string) (Versions, error) {
	q := url.Values{"versions": {""}, "prefix": {prefix}}
	if keyMarker != "" {
		q.Set("key-marker", keyMarker)
	}
	if versionMarker != "" {
		q.Set("version-id-marker", versionMarker)
	}
	var out Versions
	_, raw, err := c.do(ctx, request{op: "ListObjectVersions", method: http.MethodGet, bucket: bucket, query: q})
	if err == nil {
		err = decode(raw, &out, "ListObjectVersions")
	}
	return out, err
}

func decode(raw []byte, v any, op string) error {
	if err := xml.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("S3 %s: the answer is not its XML: %w", op, err)
	}
	return nil
}

// Presigned is a request a browser may send without credentials.
type Presigned struct {
	URL    string
	Method string
	// Header is what the browser must send as signed (host included).
	Header http.Header
}

// PresignPut presigns the PUT of key for ttl: the signature covers the
// content type, the exact length and the SSE-KMS headers (kmsKey), so S3
// refuses an upload that sends other values or more bytes.
func (c *Client) PresignPut(ctx context.Context, bucket, key, contentType string, size int64, kmsKey string, ttl time.Duration) (Presigned, error) {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	sse(h, kmsKey)
	return c.presign(ctx, http.MethodPut, bucket, key, url.Values{"x-id": {"PutObject"}}, h, size, ttl)
}

// PresignGet presigns the GET of key for ttl; disposition, when not "",
// is the Content-Disposition S3 answers with (response-content-disposition).
func (c *Client) PresignGet(ctx context.Context, bucket, key, disposition string, ttl time.Duration) (Presigned, error) {
	q := url.Values{"x-id": {"GetObject"}}
	if disposition != "" {
		q.Set("response-content-disposition", disposition)
	}
	return c.presign(ctx, http.MethodGet, bucket, key, q, http.Header{}, 0, ttl)
}

func (c *Client) presign(ctx context.Context, method, bucket, key string, q url.Values, h http.Header, size int64, ttl time.Duration) (Presigned, error) {
	q.Set("X-Amz-Expires", strconv.FormatInt(int64(ttl/time.Second), 10))
	u := c.URL(bucket, key, q)
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return Presigned{}, err
	}
	req.URL = u
	req.Header = h
	req.ContentLength = size
	creds, err := c.Creds.Retrieve(ctx)
	if err != nil {
		return Presigned{}, fmt.Errorf("credentials: %w", err)
	}
	signed, header, err := signer().PresignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", "s3", c.Region, c.Now())
	if err != nil {
		return Presigned{}, err
	}
	return Presigned{URL: signed, Method: method, Header: header}, nil
}
