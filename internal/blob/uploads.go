package blob

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/objstore"
)

// Limits of uploads. Uploads go straight from the browser to S3 with a
// presigned PUT; these are checked when presigning and again after upload.
type Limits struct {
	MaxBytes int64
	// Types is the allow-list of content types.
	Types []string
	// PutTTL and GetTTL bound the presigned URLs.
	PutTTL time.Duration
	GetTTL time.Duration
}

// DefaultLimits: 25 MB; documents, images, plain text, calendars, archives.
func DefaultLimits() Limits {
	return Limits{
		MaxBytes: 25 << 20,
		Types: []string{
			"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp",
			"text/plain", "text/csv", "text/calendar", "application/zip",
			"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
			"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			"application/vnd.openxmlformats-officedocument.presentationml.presentation",
			"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
		},
		PutTTL: 10 * time.Minute,
		GetTTL: 5 * time.Minute,
	}
}

// Uploads presigns and verifies attachment uploads in a KMS-encrypted bucket.
type Uploads struct {
	client S3
	bucket string
	kmsKey string
	limits Limits
}

// NewUploads returns the upload service for bucket, encrypting with kmsKey.
func NewUploads(client S3, bucket, kmsKey string, limits Limits) *Uploads {
	return &Uploads{client: client, bucket: bucket, kmsKey: kmsKey, limits: limits}
}

// PresignedRequest is what a browser needs to upload: the URL, the method and
// the exact headers it must send (they are part of the signature).
type PresignedRequest struct {
	URL     string            `json:"url"`
	Method  string            `json:"method"`
	Headers map[string]string `json:"headers"`
	Expires time.Time         `json:"expires"`
}

func (u *Uploads) allowed(ct string) bool {
	for _, t := range u.limits.Types {
		if t == ct {
			return true
		}
	}
	return false
}

// normaliseType strips parameters and lowercases a media type.
func normaliseType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	return strings.ToLower(mt)
}

// PresignPut returns a presigned PUT for key. The signature covers the
// content type, the exact length and the SSE-KMS headers, so S3 refuses an
// upload that omits encryption, names another key, changes the type or
// sends more bytes than declared.
func (u *Uploads) PresignPut(ctx context.Context, key, contentType string, size int64) (PresignedRequest, error) {
	var fe domain.FieldErrors
	ct := normaliseType(contentType)
	if !u.allowed(ct) {
		fe.Add("content_type", "files of type %q cannot be attached", contentType)
	}
	if size <= 0 {
		fe.Add("size", "must be the file size in bytes")
	} else if size > u.limits.MaxBytes {
		fe.Add("size", "the file is larger than the %d MB limit", u.limits.MaxBytes>>20)
	}
	if err := fe.Err(); err != nil {
		return PresignedRequest{}, err
	}
	req, err := u.client.PresignPut(ctx, u.bucket, key, ct, size, u.kmsKey, u.limits.PutTTL)
	if err != nil {
		return PresignedRequest{}, domain.Wrap(domain.Internal, err, "could not prepare the upload")
	}
	headers := map[string]string{}
	for k, vs := range req.Header {
		if strings.EqualFold(k, "host") {
			continue
		}
		headers[http.CanonicalHeaderKey(k)] = strings.Join(vs, ",")
	}
	return PresignedRequest{URL: req.URL, Method: req.Method, Headers: headers, Expires: time.Now().Add(u.limits.PutTTL)}, nil
}

// Uploaded describes an object after its upload was verified.
type Uploaded struct {
	Key         string
	ContentType string
	Size        int64
}

// ErrNotUploaded is returned when the object is not (yet) there.
var ErrNotUploaded = domain.Errorf(domain.Conflict, "the file has not been uploaded yet")

// Verify checks an uploaded object against the limits: present, encrypted
// with KMS, within the size limit, of an allowed declared type, and whose
// first bytes look like that type. A failing object is deleted.
func (u *Uploads) Verify(ctx context.Context, key string) (Uploaded, error) {
	head, err := u.client.HeadObject(ctx, u.bucket, key, "")
	if err != nil {
		if objstore.IsNotFound(err) {
			return Uploaded{}, ErrNotUploaded
		}
		return Uploaded{}, domain.Wrap(domain.Unavailable, err, "could not check the upload")
	}
	ct := normaliseType(head.ContentType)
	size := head.ContentLength
	reject := func(msg string) (Uploaded, error) {
		_ = u.client.DeleteObject(ctx, u.bucket, key, "")
		return Uploaded{}, domain.Validation(domain.FieldError{Field: "file", Message: msg})
	}
	if !u.allowed(ct) {
		return reject(fmt.Sprintf("files of type %q cannot be attached", ct))
	}
	if size > u.limits.MaxBytes || size <= 0 {
		return reject("the file is empty or larger than the limit")
	}
	obj, _, err := u.client.GetObject(ctx, objstore.Get{Bucket: u.bucket, Key: key, Range: "bytes=0-511"})
	if err != nil {
		return Uploaded{}, domain.Wrap(domain.Unavailable, err, "could not check the upload")
	}
	head512, _ := io.ReadAll(io.LimitReader(obj, 512))
	_ = obj.Close() // a read-only body: nothing is lost if closing fails
	if !sniffMatches(ct, head512) {
		return reject(fmt.Sprintf("the file's content does not look like %s", ct))
	}
	return Uploaded{Key: key, ContentType: ct, Size: size}, nil
}

// sniffMatches compares the declared type with what the bytes look like.
// Office formats are zip containers; text types must not look like HTML or
// binary.
func sniffMatches(declared string, b []byte) bool {
	sniffed := normaliseType(http.DetectContentType(b))
	switch {
	case strings.HasPrefix(declared, "image/") || declared == "application/pdf":
		return sniffed == declared
	case declared == "application/zip" || strings.Contains(declared, "openxmlformats") || strings.Contains(declared, "opendocument"):
		return sniffed == "application/zip"
	case strings.HasPrefix(declared, "text/"):
		return sniffed == "text/plain"
	}
	return false
}

// PresignGet returns a short-lived download URL that makes the browser save
// the file under its name rather than render it.
func (u *Uploads) PresignGet(ctx context.Context, key, filename string) (string, error) {
	name := strings.Map(func(r rune) rune {
		if r < 0x20 || r == '"' || r == '\\' || r == 0x7f {
			return -1
		}
		return r
	}, path.Base(filename))
	req, err := u.client.PresignGet(ctx, u.bucket, key, mime.FormatMediaType("attachment", map[string]string{"filename": name}), u.limits.GetTTL)
	if err != nil {
		return "", domain.Wrap(domain.Internal, err, "could not prepare the download")
	}
	return req.URL, nil
}
