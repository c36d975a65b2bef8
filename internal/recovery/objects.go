package recovery

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/quorum-app/quorum/internal/objstore"
)

// S3 is what the object tools call (an *objstore.Client).
type S3 interface {
	HeadObject(ctx context.Context, bucket, key, version string) (objstore.Object, error)
	ListVersions(ctx context.Context, bucket, prefix, keyMarker, versionMarker string) (objstore.Versions, error)
	DeleteObject(ctx context.Context, bucket, key, version string) error
	CopyObject(ctx context.Context, cp objstore.Copy) (string, error)
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
	cur, err := o.S3.HeadObject(ctx, o.Bucket, key, "")
	if err == nil {
		res.Action, res.VersionID = ObjectPresent, cur.VersionID
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
		var current *objstore.Version
		for i := range markers {
			if markers[i].IsLatest {
				current = &markers[i]
			}
		}
		if current == nil {
			for _, v := range vs {
				if v.IsLatest {
					res.VersionID = v.VersionID
				}
			}
			break
		}
		if res.VersionID == "" {
			res.VersionID = newestVersion(vs).VersionID
		}
		res.Action = ObjectUndeleted
		id := current.VersionID
		res.Removed = append(res.Removed, id)
		o.logf(dryRun, "s3:DeleteObject bucket=%s key=%s versionId=%s (a delete marker)", o.Bucket, key, id)
		if dryRun {
			return res, nil
		}
		if err := o.S3.DeleteObject(ctx, o.Bucket, key, id); err != nil {
			return res, err
		}
	}
	if res.Action != ObjectUndeleted {
		return res, fmt.Errorf("%s: not readable, yet no delete marker is current", key)
	}
	if _, err := o.S3.HeadObject(ctx, o.Bucket, key, ""); err != nil {
		return res, fmt.Errorf("%s: still not readable after removing its delete markers: %w", key, err)
	}
	return res, nil
}

func (o *Objects) rollBack(ctx context.Context, key, version string, dryRun bool) (ObjectResult, error) {
	res := ObjectResult{Key: key, VersionID: version}
	want, err := o.S3.HeadObject(ctx, o.Bucket, key, version)
	if err != nil {
		return res, fmt.Errorf("%s version %s: %w", key, version, err)
	}
	cur, err := o.S3.HeadObject(ctx, o.Bucket, key, "")
	switch {
	case err == nil && (cur.VersionID == version || cur.ETag == want.ETag):
		res.Action, res.VersionID = ObjectPresent, cur.VersionID
		return res, nil
	case err != nil && !notFound(err):
		return res, err
	}
	res.Action = ObjectRolledBack
	src := objstore.CopySource(o.Bucket, key, version)
	in := objstore.Copy{Bucket: o.Bucket, Key: key, Source: src, KMSKey: o.KMSKey}
	o.logf(dryRun, "s3:CopyObject bucket=%s key=%s copySource=%s", o.Bucket, key, src)
	if dryRun {
		return res, nil
	}
	out, err := o.S3.CopyObject(ctx, in)
	if err != nil {
		return res, err
	}
	res.VersionID = out
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
func (o *Objects) versions(ctx context.Context, key string) ([]objstore.Version, []objstore.Version, error) {
	var vs, ms []objstore.Version
	keyMarker, versionMarker := "", ""
	for {
		out, err := o.S3.ListVersions(ctx, o.Bucket, key, keyMarker, versionMarker)
		if err != nil {
			return nil, nil, err
		}
		for _, v := range out.Versions {
			if v.Key == key {
				vs = append(vs, v)
			}
		}
		for _, m := range out.DeleteMarkers {
			if m.Key == key {
				ms = append(ms, m)
			}
		}
		if !out.IsTruncated {
			return vs, ms, nil
		}
		keyMarker, versionMarker = out.NextKeyMarker, out.NextVersionIDMarker
	}
}

// newestVersion is the most recent real version (S3 lists a key's versions
// newest first).
func newestVersion(vs []objstore.Version) *objstore.Version {
	var best *objstore.Version
	for i := range vs {
		v := &vs[i]
		if best == nil || v.LastModified.After(best.LastModified) {
			best = v
		}
	}
	return best
}

func notFound(err error) bool { return objstore.IsNotFound(err) }
