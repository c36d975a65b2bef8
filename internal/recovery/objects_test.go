package recovery_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/quorum-app/quorum/internal/recovery"
	"github.com/quorum-app/quorum/internal/testcloud"
)

// A deleted file comes back from its previous version; an overwritten one
// rolls back to a named version; both are safe to repeat, and a dry run
// changes nothing (on versitygw, the local S3 stand-in).
func TestRestoreObjectVersions(t *testing.T) {
	env := testcloud.New(t)
	ctx := context.Background()
	c, bucket := env.S3, env.Config.UploadsBucket
	key := "threads/t1/f1"
	var versions []string
	for _, body := range []string{"first", "second"} {
		o, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		versions = append(versions, aws.ToString(o.VersionId))
	}
	read := func() string {
		t.Helper()
		o, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
		if err != nil {
			return "(" + err.Error() + ")"
		}
		defer o.Body.Close()
		b, _ := io.ReadAll(o.Body)
		return string(b)
	}
	// Deleted twice (stacked delete markers).
	for range 2 {
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key}); err != nil {
			t.Fatal(err)
		}
	}
	var log bytes.Buffer
	o := &recovery.Objects{S3: env.Clients.S3, Bucket: bucket, Log: &log}

	dry, err := o.Restore(ctx, key, "", true)
	if err != nil || dry.Action != recovery.ObjectUndeleted || !strings.Contains(log.String(), "dry run: would call s3:DeleteObject") {
		t.Fatalf("dry run: %+v %v\n%s", dry, err, log.String())
	}
	if got := read(); got[0] != '(' {
		t.Fatalf("a dry run undeleted the object: %q", got)
	}
	res, err := o.Restore(ctx, key, "", false)
	if err != nil || res.Action != recovery.ObjectUndeleted || len(res.Removed) != 2 || res.VersionID != versions[1] {
		t.Fatalf("undelete: %+v %v", res, err)
	}
	if got := read(); got != "second" {
		t.Fatalf("after undelete: %q", got)
	}
	if again, err := o.Restore(ctx, key, "", false); err != nil || again.Action != recovery.ObjectPresent {
		t.Fatalf("undelete again: %+v %v", again, err)
	}

	back, err := o.Restore(ctx, key, versions[0], false)
	if err != nil || back.Action != recovery.ObjectRolledBack {
		t.Fatalf("roll back: %+v %v", back, err)
	}
	if got := read(); got != "first" {
		t.Fatalf("after roll back: %q", got)
	}
	if again, err := o.Restore(ctx, key, versions[0], false); err != nil || again.Action != recovery.ObjectPresent {
		t.Fatalf("roll back again: %+v %v", again, err)
	}
	if _, err := o.Restore(ctx, key, "no-such-version", false); err == nil {
		t.Error("an unknown version was accepted")
	}
	if lost, err := o.Restore(ctx, "threads/t1/never", "", false); err != nil || lost.Action != recovery.ObjectLost {
		t.Errorf("never stored: %+v %v", lost, err)
	}
}
