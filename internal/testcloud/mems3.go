package testcloud

import (
	"context"
	"crypto/md5" // #nosec G501 -- an ETag, as S3 computes it; not a security use
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/quorum-app/quorum/internal/awsbase"
)

// memS3 is the fast tier's S3: an in-memory subset of the S3 REST API
// (path-style), enough for what Quorum and its tests call: buckets with
// versioning and CORS, put (direct, copy and presigned), get (with a byte
// range and the response-* overrides of a presigned download), head, delete
// (a delete marker when versioned), ListObjectsV2 and ListObjectVersions.
//
// Presigned requests are checked as S3 checks them: the SigV4 signature
// over the signed headers is recomputed with the local credentials, and an
// expired URL is refused, so a browser upload that sends other headers than
// it was given fails here as it would in the cloud. Requests from the
// clients themselves (internal/objstore; the SDK's in tests, Env.S3) are
// trusted (the clients sign them; the stand-in only stores). What it does not do: multipart uploads, object locks, lifecycle
// rules, bucket policies, checksums. A test that needs those uses New.
type memS3 struct {
	region string
	now    func() time.Time

	mu      sync.Mutex
	buckets map[string]*memBucket
	serial  int
}

type memBucket struct {
	versioned bool
	cors      []byte
	objects   map[string][]*memObject // versions, oldest first
}

type memObject struct {
	version  string
	deleted  bool // a delete marker
	body     []byte
	header   http.Header // Content-Type, x-amz-meta-*, x-amz-server-side-encryption*
	modified time.Time
	etag     string
}

func newMemS3(region string) *memS3 {
	return &memS3{region: region, now: time.Now, buckets: map[string]*memBucket{}}
}

type s3Error struct {
	XMLName xml.Name `xml:"Error"`
	Code    string   `xml:"Code"`
	Message string   `xml:"Message"`
}

func s3Fail(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_ = xml.NewEncoder(w).Encode(s3Error{Code: code, Message: msg})
	}
}

func writeXML(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/xml")
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(v)
}

func (s *memS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Browsers upload across origins: answer the preflight as the local
	// stand-in does for the uploads bucket.
	if r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		w.Header().Set("Access-Control-Allow-Methods", "PUT")
		w.Header().Set("Access-Control-Allow-Headers", r.Header.Get("Access-Control-Request-Headers"))
		return
	}
	q := r.URL.Query()
	if q.Get("X-Amz-Signature") != "" {
		if status, code, msg := s.checkPresigned(r); status != 0 {
			s3Fail(w, r, status, code, msg)
			return
		}
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if bucket == "" {
		s3Fail(w, r, http.StatusNotImplemented, "NotImplemented", "ListBuckets is not part of the in-memory S3")
		return
	}
	if key == "" {
		s.bucketOp(w, r, bucket, q)
		return
	}
	s.mu.Lock()
	b := s.buckets[bucket]
	s.mu.Unlock()
	if b == nil {
		s3Fail(w, r, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
		return
	}
	switch r.Method {
	case http.MethodPut:
		s.put(w, r, b, key)
	case http.MethodGet, http.MethodHead:
		s.get(w, r, b, key, q)
	case http.MethodDelete:
		s.mu.Lock()
		if vid := q.Get("versionId"); vid != "" {
			// Deleting one version (or delete marker) removes it for good.
			kept := b.objects[key][:0]
			for _, o := range b.objects[key] {
				if o.version != vid {
					kept = append(kept, o)
				}
			}
			if len(kept) == 0 {
				delete(b.objects, key)
			} else {
				b.objects[key] = kept
			}
		} else if b.versioned {
			b.objects[key] = append(b.objects[key], &memObject{version: s.nextVersion(), deleted: true, modified: s.now()})
		} else {
			delete(b.objects, key)
		}
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	default:
		s3Fail(w, r, http.StatusMethodNotAllowed, "MethodNotAllowed", "method not allowed")
	}
}

// checkPresigned recomputes a presigned request's signature over the
// headers it says it signed; 0 when it is good.
func (s *memS3) checkPresigned(r *http.Request) (int, string, string) {
	q := r.URL.Query()
	at, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
	if err != nil {
		return http.StatusForbidden, "AccessDenied", "X-Amz-Date is not a date"
	}
	secs, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil || secs <= 0 {
		return http.StatusForbidden, "AccessDenied", "X-Amz-Expires is missing"
	}
	if s.now().After(at.Add(time.Duration(secs) * time.Second)) {
		return http.StatusForbidden, "AccessDenied", "Request has expired"
	}
	want := q.Get("X-Amz-Signature")
	for _, p := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token"} {
		q.Del(p)
	}
	u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: q.Encode()}
	again, err := http.NewRequestWithContext(r.Context(), r.Method, u.String(), nil)
	if err != nil {
		return http.StatusForbidden, "AccessDenied", "bad URL"
	}
	again.Host = r.Host
	for _, h := range strings.Split(r.URL.Query().Get("X-Amz-SignedHeaders"), ";") {
		switch h {
		case "host", "":
		case "content-length":
			again.ContentLength = r.ContentLength
		default:
			again.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true; o.DisableHeaderHoisting = true })
	creds := aws.Credentials{AccessKeyID: awsbase.LocalAccessKey, SecretAccessKey: awsbase.LocalSecretKey}
	signed, _, err := signer.PresignHTTP(context.Background(), creds, again, "UNSIGNED-PAYLOAD", "s3", s.region, at)
	if err != nil {
		return http.StatusForbidden, "AccessDenied", err.Error()
	}
	su, err := url.Parse(signed)
	if err != nil || su.Query().Get("X-Amz-Signature") != want {
		return http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided"
	}
	return 0, "", ""
}

func (s *memS3) nextVersion() string {
	s.serial++
	return fmt.Sprintf("v%08d", s.serial)
}

func (s *memS3) bucketOp(w http.ResponseWriter, r *http.Request, name string, q url.Values) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[name]
	if b == nil && !(r.Method == http.MethodPut && len(q) == 0) {
		s3Fail(w, r, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
		return
	}
	switch {
	case r.Method == http.MethodPut && q.Has("versioning"):
		var v struct {
			Status string `xml:"Status"`
		}
		_ = xml.NewDecoder(r.Body).Decode(&v)
		b.versioned = v.Status == "Enabled"
	case r.Method == http.MethodGet && q.Has("versioning"):
		type conf struct {
			XMLName xml.Name `xml:"VersioningConfiguration"`
			Status  string   `xml:"Status,omitempty"`
		}
		c := conf{}
		if b.versioned {
			c.Status = "Enabled"
		}
		writeXML(w, c)
	case r.Method == http.MethodPut && q.Has("cors"):
		b.cors, _ = io.ReadAll(r.Body)
	case r.Method == http.MethodGet && q.Has("cors"):
		if b.cors == nil {
			s3Fail(w, r, http.StatusNotFound, "NoSuchCORSConfiguration", "The CORS configuration does not exist")
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		_, _ = w.Write(b.cors)
	case r.Method == http.MethodPut:
		if b != nil {
			s3Fail(w, r, http.StatusConflict, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded")
			return
		}
		s.buckets[name] = &memBucket{objects: map[string][]*memObject{}}
	case r.Method == http.MethodHead:
	case r.Method == http.MethodGet && q.Has("versions"):
		s.listVersions(w, b, q)
	case r.Method == http.MethodGet:
		s.list(w, b, q)
	default:
		s3Fail(w, r, http.StatusNotImplemented, "NotImplemented", "not part of the in-memory S3")
	}
}

func (s *memS3) put(w http.ResponseWriter, r *http.Request, b *memBucket, key string) {
	var body []byte
	header := http.Header{}
	if src := r.Header.Get("X-Amz-Copy-Source"); src != "" {
		src, _ = url.PathUnescape(src)
		sb, sk, _ := strings.Cut(strings.TrimPrefix(src, "/"), "/")
		sk, vid, _ := strings.Cut(sk, "?versionId=")
		s.mu.Lock()
		from := s.buckets[sb]
		var o *memObject
		if from != nil {
			o = find(from.objects[sk], vid)
		}
		s.mu.Unlock()
		if o == nil {
			s3Fail(w, r, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
			return
		}
		body, header = o.body, o.header.Clone()
	} else {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			s3Fail(w, r, http.StatusBadRequest, "IncompleteBody", err.Error())
			return
		}
		if r.ContentLength >= 0 && int64(len(body)) != r.ContentLength {
			s3Fail(w, r, http.StatusBadRequest, "IncompleteBody", "the body is shorter than its Content-Length")
			return
		}
	}
	for k, v := range r.Header {
		lk := strings.ToLower(k)
		if lk == "content-type" || lk == "content-disposition" || strings.HasPrefix(lk, "x-amz-meta-") || strings.HasPrefix(lk, "x-amz-server-side-encryption") {
			header[k] = v
		}
	}
	sum := md5.Sum(body) // #nosec G401 -- an ETag
	o := &memObject{body: body, header: header, modified: s.now().UTC().Truncate(time.Second), etag: `"` + hex.EncodeToString(sum[:]) + `"`}
	s.mu.Lock()
	if b.versioned {
		o.version = s.nextVersion()
		b.objects[key] = append(b.objects[key], o)
	} else {
		o.version = "null"
		b.objects[key] = []*memObject{o}
	}
	s.mu.Unlock()
	w.Header().Set("ETag", o.etag)
	if b.versioned {
		w.Header().Set("X-Amz-Version-Id", o.version)
	}
	if r.Header.Get("X-Amz-Copy-Source") != "" {
		writeXML(w, struct {
			XMLName      xml.Name `xml:"CopyObjectResult"`
			ETag         string   `xml:"ETag"`
			LastModified string   `xml:"LastModified"`
		}{ETag: o.etag, LastModified: o.modified.Format(time.RFC3339)})
	}
}

// find is the object's version vid, or its current one when vid is "";
// nil when that is a delete marker or missing.
func find(versions []*memObject, vid string) *memObject {
	for i := len(versions) - 1; i >= 0; i-- {
		o := versions[i]
		if vid == "" || o.version == vid {
			if o.deleted {
				return nil
			}
			return o
		}
	}
	return nil
}

func (s *memS3) get(w http.ResponseWriter, r *http.Request, b *memBucket, key string, q url.Values) {
	s.mu.Lock()
	o := find(b.objects[key], q.Get("versionId"))
	s.mu.Unlock()
	if o == nil {
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		s3Fail(w, r, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	for k, v := range o.header {
		w.Header()[k] = v
	}
	w.Header().Set("ETag", o.etag)
	w.Header().Set("Last-Modified", o.modified.Format(http.TimeFormat))
	if o.version != "null" {
		w.Header().Set("X-Amz-Version-Id", o.version)
	}
	for p, h := range map[string]string{"response-content-type": "Content-Type", "response-content-disposition": "Content-Disposition",
		"response-cache-control": "Cache-Control", "response-content-language": "Content-Language"} {
		if v := q.Get(p); v != "" {
			w.Header().Set(h, v)
		}
	}
	body, status := o.body, http.StatusOK
	if rg := r.Header.Get("Range"); rg != "" {
		var from, to int
		if n, _ := fmt.Sscanf(rg, "bytes=%d-%d", &from, &to); n == 2 && from >= 0 && from < len(body) {
			if to >= len(body) {
				to = len(body) - 1
			}
			w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", from, to, len(body)))
			body, status = body[from:to+1], http.StatusPartialContent
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method == http.MethodGet {
		_, _ = w.Write(body)
	}
}

type listEntry struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int    `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
}

// keys are the bucket's keys under prefix, in order, after the marker.
func (b *memBucket) keys(prefix, after string) []string {
	var ks []string
	for k := range b.objects {
		if strings.HasPrefix(k, prefix) && k > after {
			ks = append(ks, k)
		}
	}
	sort.Strings(ks)
	return ks
}

func maxKeys(q url.Values) int {
	if n, err := strconv.Atoi(q.Get("max-keys")); err == nil && n > 0 && n < 1000 {
		return n
	}
	return 1000
}

// list and listVersions run under s.mu (bucketOp holds it).
func (s *memS3) list(w http.ResponseWriter, b *memBucket, q url.Values) {
	after := q.Get("start-after")
	if t := q.Get("continuation-token"); t != "" {
		after = t
	}
	type result struct {
		XMLName               xml.Name    `xml:"ListBucketResult"`
		Prefix                string      `xml:"Prefix"`
		KeyCount              int         `xml:"KeyCount"`
		MaxKeys               int         `xml:"MaxKeys"`
		IsTruncated           bool        `xml:"IsTruncated"`
		NextContinuationToken string      `xml:"NextContinuationToken,omitempty"`
		Contents              []listEntry `xml:"Contents"`
	}
	res := result{Prefix: q.Get("prefix"), MaxKeys: maxKeys(q)}
	for _, k := range b.keys(res.Prefix, after) {
		o := find(b.objects[k], "")
		if o == nil {
			continue
		}
		if len(res.Contents) == res.MaxKeys {
			res.IsTruncated = true
			res.NextContinuationToken = res.Contents[len(res.Contents)-1].Key
			break
		}
		res.Contents = append(res.Contents, listEntry{Key: k, LastModified: o.modified.Format(time.RFC3339), ETag: o.etag, Size: len(o.body), StorageClass: "STANDARD"})
	}
	res.KeyCount = len(res.Contents)
	writeXML(w, res)
}

func (s *memS3) listVersions(w http.ResponseWriter, b *memBucket, q url.Values) {
	type version struct {
		Key          string `xml:"Key"`
		VersionID    string `xml:"VersionId"`
		IsLatest     bool   `xml:"IsLatest"`
		LastModified string `xml:"LastModified"`
		ETag         string `xml:"ETag,omitempty"`
		Size         int    `xml:"Size"`
	}
	type result struct {
		XMLName       xml.Name  `xml:"ListVersionsResult"`
		Prefix        string    `xml:"Prefix"`
		MaxKeys       int       `xml:"MaxKeys"`
		IsTruncated   bool      `xml:"IsTruncated"`
		NextKeyMarker string    `xml:"NextKeyMarker,omitempty"`
		Versions      []version `xml:"Version"`
		DeleteMarkers []version `xml:"DeleteMarker"`
	}
	res := result{Prefix: q.Get("prefix"), MaxKeys: maxKeys(q)}
	n := 0
	for _, k := range b.keys(res.Prefix, q.Get("key-marker")) {
		if n >= res.MaxKeys {
			res.IsTruncated, res.NextKeyMarker = true, k
			break
		}
		vs := b.objects[k]
		for i := len(vs) - 1; i >= 0; i-- {
			o := vs[i]
			v := version{Key: k, VersionID: o.version, IsLatest: i == len(vs)-1, LastModified: o.modified.Format(time.RFC3339)}
			if o.deleted {
				res.DeleteMarkers = append(res.DeleteMarkers, v)
			} else {
				v.ETag, v.Size = o.etag, len(o.body)
				res.Versions = append(res.Versions, v)
			}
			n++
		}
	}
	writeXML(w, res)
}
