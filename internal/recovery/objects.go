package recovery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// S3 is what the object tools call (an *s3.Client).
type S3 interface {
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	ListObjectVersions(ctx context.Context, in *s3.ListObjectVersionsInput, opts ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
	CopyObject(ctx context.Context, in *s3.CopyObjectInput, opts ...func(*s3.Options)) (*s3.CopyObjectOutput, error)
}

// Objects restores object versions in one versioned bucket.
type Objects struct {
	S3     S3
	Bucket string
	// KMSKey encrypts a copied version (SSE-KMS, as the application writes);
	// empty leaves the bucket's default encryption.
	KMSKey string
	// Log receives one line per call that changes the bucket (or would, in a
	// dry run); nil discards them.
	Log io.Writer
}

// ObjectAction is what RestoreObject did.
type ObjectAction string

// Object actions.
const (
	// ObjectPresent: the wanted content is already current; nothing done.
	ObjectPresent ObjectAction = "present"
	// ObjectUndeleted: the delete markers above the newest version were
	// removed, so that version is current again.
	ObjectUndeleted ObjectAction = "undeleted"
	// ObjectRolledBack: the named version was copied over the current one.
	ObjectRolledBack ObjectAction = "rolled back"
	// ObjectLost: deleted, and no earlier version is left.
	ObjectLost ObjectAction = "lost"
)

// ObjectResult reports one object.
type ObjectResult struct {
	Key    string       `json:"key"`
	Action ObjectAction `json:"action"`
	// VersionID is the version that is (or would be) current.
	VersionID string `json:"versionId,omitempty"`
	// Removed lists the delete markers removed (or to remove).
	Removed []string `json:"removedDeleteMarkers,omitempty"`
}

// maxMarkers bounds how many stacked delete markers one undelete removes.
const maxMarkers = 100

// Restore brings key back. Without version it undeletes: when the current
// version is a delete marker, it removes the delete markers above the newest
// real version. With version it makes that version current by copying it
// over the current one (unless its content is already current). Both are
// safe to repeat.
func (o *Objects) Restore(ctx context.Context, key, version string, dryRun bool) (ObjectResult, error) {
	if key == "" {
		return ObjectResult{}, errors.New("name the object key")
	}
	if version != "" {
		return o.rollBack(ctx, key, version, dryRun)
	}
	res := ObjectResult{Key: key}
	cur, err := o.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(o.Bucket), Key: aws.String(key)})
	if err == nil {
		res.Action, res.VersionID = ObjectPresent, aws.ToString(cur.VersionId)
		return res, nil
	}
	if !notFound(err) {
		return res, err
	}
	// S3 marks the current entry IsLatest: remove delete markers while one
	// is current (stacked deletes leave several), down to a real version.
	for range maxMarkers {
		vs, markers, err := o.versions(ctx, key)
		if err != nil {
			return res, err
		}
		if len(vs) == 0 {
			res.Action = ObjectLost
			return res, nil
		}
		var current *s3types.DeleteMarkerEntry
		for i := range markers {
			if aws.ToBool(markers[i].IsLatest) {
				current = &markers[i]
			}
		}
		if current == nil {
			for _, v := range vs {
				if aws.ToBool(v.IsLatest) {
					res.VersionID = aws.ToString(v.VersionId)
				}
			}
			break
		}
		if res.VersionID == "" {
			res.VersionID = aws.ToString(newestVersion(vs).VersionId)
		}
		res.Action = ObjectUndeleted
		id := aws.ToString(current.VersionId)
		res.Removed = append(res.Removed, id)
		o.logf(dryRun, "s3:DeleteObject bucket=%s key=%s versionId=%s (a delete marker)", o.Bucket, key, id)
		if dryRun {
			return res, nil
		}
		if _, err := o.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(o.Bucket), Key: aws.String(key), VersionId: aws.String(id)}); err != nil {
			return res, err
		}
	}
	if res.Action != ObjectUndeleted {
		return res, fmt.Errorf("%s: not readable, yet no delete marker is current", key)
	}
	if _, err := o.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(o.Bucket), Key: aws.String(key)}); err != nil {
		return res, fmt.Errorf("%s: still not readable after removing its delete markers: %w", key, err)
	}
	return res, nil
}

func (o *Objects) rollBack(ctx context.Context, key, version string, dryRun bool) (ObjectResult, error) {
	res := ObjectResult{Key: key, VersionID: version}
	want, err := o.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(o.Bucket), Key: aws.String(key), VersionId: aws.String(version)})
	if err != nil {
		return res, fmt.Errorf("%s version %s: %w", key, version, err)
	}
	cur, err := o.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(o.Bucket), Key: aws.String(key)})
	switch {
	case err == nil && (aws.ToString(cur.VersionId) == version || aws.ToString(cur.ETag) == aws.ToString(want.ETag)):
		res.Action, res.VersionID = ObjectPresent, aws.ToString(cur.VersionId)
		return res, nil
	case err != nil && !notFound(err):
		return res, err
	}
	res.Action = ObjectRolledBack
	src := (&url.URL{Path: o.Bucket + "/" + key}).EscapedPath() + "?versionId=" + url.QueryEscape(version)
	in := &s3.CopyObjectInput{Bucket: aws.String(o.Bucket), Key: aws.String(key), CopySource: aws.String(src),
		MetadataDirective: s3types.MetadataDirectiveCopy}
	if o.KMSKey != "" {
		in.ServerSideEncryption, in.SSEKMSKeyId = s3types.ServerSideEncryptionAwsKms, aws.String(o.KMSKey)
	}
	o.logf(dryRun, "s3:CopyObject bucket=%s key=%s copySource=%s", o.Bucket, key, src)
	if dryRun {
		return res, nil
	}
	out, err := o.S3.CopyObject(ctx, in)
	if err != nil {
		return res, err
	}
	res.VersionID = aws.ToString(out.VersionId)
	return res, nil
}

func (o *Objects) logf(dryRun bool, format string, args ...any) {
	if o.Log == nil {
		return
	}
	prefix := "call "
	if dryRun {
		prefix = "dry run: would call "
	}
	fmt.Fprintf(o.Log, prefix+format+"\n", args...)
}

// versions lists the versions and delete markers of exactly key.
func (o *Objects) versions(ctx context.Context, key string) ([]s3types.ObjectVersion, []s3types.DeleteMarkerEntry, error) {
	var vs []s3types.ObjectVersion
	var ms []s3types.DeleteMarkerEntry
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(o.Bucket), Prefix: aws.String(key)}
	for {
		out, err := o.S3.ListObjectVersions(ctx, in)
		if err != nil {
			return nil, nil, err
		}
		for _, v := range out.Versions {
			if aws.ToString(v.Key) == key {
				vs = append(vs, v)
			}
		}
		for _, m := range out.DeleteMarkers {
			if aws.ToString(m.Key) == key {
				ms = append(ms, m)
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			return vs, ms, nil
		}
		in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
	}
}

// newestVersion is the most recent real version (S3 lists a key's versions
// newest first).
func newestVersion(vs []s3types.ObjectVersion) *s3types.ObjectVersion {
	var best *s3types.ObjectVersion
	for i := range vs {
		v := &vs[i]
		if best == nil || (v.LastModified != nil && best.LastModified != nil && v.LastModified.After(*best.LastModified)) {
			best = v
		}
	}
	return best
}

func notFound(err error) bool {
	var nf *s3types.NotFound
	var nsk *s3types.NoSuchKey
	if errors.As(err, &nf) || errors.As(err, &nsk) {
		return true
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && (ae.ErrorCode() == "NotFound" || ae.ErrorCode() == "NoSuchKey") {
		return true
	}
	var re *smithyhttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound
}
