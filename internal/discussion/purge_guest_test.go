package discussion_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
)

// objectExists asks the local S3 stand-in for an attachment's object.
func (f *fixture) objectExists(key string) bool {
	f.t.Helper()
	_, err := f.env.S3.HeadObject(context.Background(), &s3.HeadObjectInput{
		Bucket: aws.String(f.env.Config.UploadsBucket), Key: aws.String(key)})
	if err == nil {
		return true
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && (ae.ErrorCode() == "NotFound" || ae.ErrorCode() == "NoSuchKey") {
		return false
	}
	f.t.Fatalf("head %s: %v", key, err)
	return false
}

// attach uploads body to the thread (cid "") or a comment and confirms it.
func (f *fixture) attach(ctx context.Context, tid, cid string) string {
	f.t.Helper()
	up, err := f.svc.StartUpload(ctx, tid, discussion.UploadInput{CommentID: cid, Name: "d.png", ContentType: "image/png", Size: int64(len(png))})
	f.must(err)
	if got := put(f.t.(*testing.T), up.Put, png); got != 200 {
		f.t.Fatalf("PUT %d", got)
	}
	_, err = f.svc.ConfirmUpload(ctx, tid, up.FileID)
	f.must(err)
	return "threads/" + tid + "/" + up.FileID
}

// Purging a deleted thread deletes its attachments' objects too, and a
// purge interrupted after some objects were deleted finishes on the next run.
func TestPurgeDeletesAttachmentObjects(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice")
	bob, _ := f.user("Bob")
	gid := f.group(alice, authz.Closed, bob)
	th := f.thread(alice, gid, "With files")
	keep := f.thread(alice, gid, "Kept")
	c := f.comment(bob, th.ID, "", "attached")
	keys := []string{f.attach(alice, th.ID, ""), f.attach(bob, th.ID, c.ID)}
	kept := f.attach(alice, keep.ID, "")
	for _, k := range append(keys, kept) {
		if !f.objectExists(k) {
			t.Fatalf("%s not uploaded", k)
		}
	}
	f.must(f.svc.Delete(alice, th.ID))
	// Not yet due: nothing happens.
	n, err := f.svc.PurgeDue(context.Background(), time.Now())
	f.must(err)
	if n != 0 || !f.objectExists(keys[0]) {
		t.Fatalf("purged before due: %d", n)
	}
	// One object already gone (an interrupted earlier run): still fine.
	_, err = f.env.S3.DeleteObject(context.Background(), &s3.DeleteObjectInput{
		Bucket: aws.String(f.env.Config.UploadsBucket), Key: aws.String(keys[1])})
	f.must(err)
	due := time.Now().Add(31 * 24 * time.Hour)
	n, err = f.svc.PurgeDue(context.Background(), due)
	f.must(err)
	if n != 1 {
		t.Fatalf("purged %d threads", n)
	}
	for _, k := range keys {
		if f.objectExists(k) {
			t.Fatalf("%s survived the purge", k)
		}
	}
	if !f.objectExists(kept) {
		t.Fatal("another thread's file was deleted")
	}
	var left []map[string]any
	f.must(f.st.Table().Get("PK", "THREAD#"+th.ID).All(context.Background(), &left))
	if len(left) != 0 {
		t.Fatalf("%d items left in the thread's partition", len(left))
	}
	// Idempotent: a second run finds nothing.
	n, err = f.svc.PurgeDue(context.Background(), due)
	f.must(err)
	if n != 0 {
		t.Fatalf("second purge %d", n)
	}
}

// Threads someone is only a guest of are on their dashboard; removed grants
// and deleted threads are not.
func TestDashboardShowsGuestThreads(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice")
	bob, _ := f.user("Bob")
	gus, gusID := f.user("Gus")
	secret := f.group(alice, authz.Secret, bob)
	own := f.group(gus, authz.Closed)
	invited := f.thread(alice, secret, "You are invited")
	f.thread(alice, secret, "Not for guests")
	gone := f.thread(alice, secret, "Deleted later")
	f.thread(gus, own, "My own group")
	f.must(f.svc.AddGuest(alice, invited.ID, gusID))
	f.must(f.svc.AddGuest(alice, gone.ID, gusID))
	f.must(f.svc.Delete(alice, gone.ID))

	dash, err := f.svc.Dashboard(gus, 10)
	f.must(err)
	titles := map[string]bool{}
	for _, th := range dash {
		titles[th.Title] = true
	}
	if len(dash) != 2 || !titles["You are invited"] || !titles["My own group"] {
		t.Fatalf("guest dashboard %v", titles)
	}
	// Unread counts work for guest threads too.
	f.comment(alice, invited.ID, "", "welcome")
	dash, err = f.svc.Dashboard(gus, 10)
	f.must(err)
	if dash[0].ID != invited.ID || dash[0].Unread != 1 {
		t.Fatalf("after a comment %+v", dash[0])
	}
	// A member sees the thread once, not also as a guest.
	_, bobID := f.user("Bob")
	f.must(f.svc.AddGuest(alice, invited.ID, bobID))
	dash, err = f.svc.Dashboard(bob, 10)
	f.must(err)
	if len(dash) != 2 {
		t.Fatalf("member dashboard %d threads", len(dash))
	}
	f.must(f.svc.RemoveGuest(alice, invited.ID, gusID))
	dash, err = f.svc.Dashboard(gus, 10)
	f.must(err)
	if len(dash) != 1 || dash[0].Title != "My own group" {
		t.Fatalf("after removal %+v", dash)
	}
}
