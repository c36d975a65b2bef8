package recovery_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/recovery"
)

// A deleted group: hidden from its members during the grace period,
// restorable by its admin; after the grace period the scheduler erases it
// in batches (three items each here, one batch a run, as if every run
// were interrupted) until nothing of it is left in the table but its
// tombstone and nothing in the bucket, not even old versions of its file.
func TestDeletedGroupIsErasedEverywhere(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	s3c := w.env.Clients.S3
	bucket := w.env.Config.UploadsBucket
	// A second version of the attachment: the bucket is versioned.
	_, err := w.env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(w.file), Body: strings.NewReader("v2")})
	w.must(err, "second version")
	if n := versions(t, w, "threads/"+w.t1+"/"); n < 2 {
		t.Fatalf("%d versions before", n)
	}
	// An export of the group, made before it is deleted: erased with it.
	ex, err := w.a.Exports.RequestGroup(w.owner, w.gid)
	w.must(err, "group export")
	for i := 0; i < 100; i++ {
		done, _, err := w.a.Exports.Step(ctx, ex.ID)
		w.must(err, "export step")
		if done {
			break
		}
	}
	if n := versions(t, w, "exports/"+ex.ID+"/"); n == 0 {
		t.Fatal("the export wrote no archive")
	}
	if _, err := w.a.Groups.Delete(w.owner, w.gid, "Garden"); domain.ErrorCode(err) != domain.Invalid {
		t.Fatalf("wrong name: %v", err)
	}
	if _, err := w.a.Groups.Delete(w.max, w.gid, "Garden club"); domain.ErrorCode(err) != domain.Forbidden {
		t.Fatalf("member deletes: %v", err)
	}
	g, err := w.a.Groups.Delete(w.owner, w.gid, "Garden club")
	w.must(err, "delete")
	if g.DeletingAt == nil || g.PurgeAt == nil || g.PurgeAt.Sub(*g.DeletingAt) != 14*24*time.Hour {
		t.Fatalf("deleted: %+v", g)
	}
	for _, id := range []string{w.gid, w.sub} {
		if _, err := w.a.Groups.Get(w.max, id); domain.ErrorCode(err) != domain.NotFound {
			t.Fatalf("member sees deleted group %s: %v", id, err)
		}
		if _, err := w.a.Groups.Get(w.owner, id); err != nil {
			t.Fatalf("admin does not see %s: %v", id, err)
		}
	}
	if _, err := w.a.Discussions.Thread(w.max, w.t1); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("member reads a thread of the deleted group: %v", err)
	}
	// Restored: visible again; deleted again for the rest of the test.
	_, err = w.a.Groups.Restore(w.owner, w.gid)
	w.must(err, "restore")
	if _, err := w.a.Groups.Get(w.max, w.gid); err != nil {
		t.Fatalf("restored group hidden: %v", err)
	}
	_, err = w.a.Groups.Delete(w.owner, w.gid, "Garden club")
	w.must(err, "delete again")

	w.a.Groups.SetEraser(&recovery.GroupEraser{DB: w.env.Clients.DynamoDB, Table: w.env.Config.Table, S3: s3c, Bucket: bucket, Batch: 3,
		Notes: w.a.Notifications, Owners: []recovery.GroupOwned{w.a.Exports}})
	// Max's notifications: about the group, its subgroup, and another group.
	other := "other-" + w.env.Prefix
	w.must(w.a.Notifications.Deliver(ctx, []notify.Notification{
		{UserID: w.maxID, Kind: notify.Reply, GroupID: w.gid, ThreadID: w.t1, Title: "What to plant"},
		{UserID: w.maxID, Kind: notify.Reply, GroupID: w.sub, ThreadID: w.subThread},
		{UserID: w.maxID, Kind: notify.Reply, GroupID: other, ThreadID: "elsewhere"},
	}), "notifications")
	// Within the grace period: members are told, nothing is erased.
	rep, err := w.a.Groups.RunDeletions(ctx, time.Now(), 1)
	w.must(err, "run within grace")
	if rep.Notified != 1 || rep.Steps != 0 {
		t.Fatalf("within grace: %+v", rep)
	}
	if _, err := w.a.Groups.Get(w.owner, w.gid); err != nil {
		t.Fatalf("erased too early: %v", err)
	}
	later := time.Now().Add(15 * 24 * time.Hour)
	erased := false
	for i := 0; i < 500 && !erased; i++ {
		rep, err := w.a.Groups.RunDeletions(ctx, later, 1)
		w.must(err, "run after grace")
		erased = rep.Erased == 1
		if i == 1 {
			// Erasing began: no restore from now on.
			if _, err := w.a.Groups.Restore(w.owner, w.gid); domain.ErrorCode(err) != domain.Conflict {
				t.Fatalf("restore while erasing: %v", err)
			}
		}
	}
	if !erased {
		t.Fatal("never erased")
	}
	// Nothing of the group is left outside people's own partitions, but
	// the tombstone.
	ids := []string{w.gid, w.sub, w.t1, w.t2, w.subThread, w.p1, w.anon}
	var start map[string]types.AttributeValue
	for {
		out, err := w.env.Clients.DynamoDB.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(w.env.Config.Table), ExclusiveStartKey: start})
		w.must(err, "scan")
		for _, it := range out.Items {
			pk := it["PK"].(*types.AttributeValueMemberS).Value
			if strings.HasPrefix(pk, "USER#") || pk == "GROUPGONE#"+w.gid {
				continue
			}
			for name, v := range it {
				s, ok := v.(*types.AttributeValueMemberS)
				if !ok {
					continue
				}
				for _, id := range ids {
					if strings.Contains(s.Value, id) {
						t.Errorf("left: %s / %s (%s holds %s)", pk, it["SK"].(*types.AttributeValueMemberS).Value, name, id)
					}
				}
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		start = out.LastEvaluatedKey
	}
	// Max's notifications about the erased groups are gone, the other
	// group's stays, and the unread count is what is left unread.
	page, err := w.a.Notifications.List(w.max, "", 100)
	w.must(err, "notifications after")
	keptOther, unread := false, int64(0)
	for _, n := range page.Items {
		if n.GroupID == w.gid || n.GroupID == w.sub {
			t.Errorf("notification about the erased group left: %+v", n)
		}
		keptOther = keptOther || n.GroupID == other
		if !n.Read {
			unread++
		}
	}
	if !keptOther {
		t.Error("the other group's notification was erased")
	}
	if c, err := w.a.Notifications.UnreadCount(w.max); err != nil || c != unread {
		t.Errorf("unread count %d (%v), %d unread listed", c, err, unread)
	}
	if n := versions(t, w, "exports/"+ex.ID+"/"); n != 0 {
		t.Fatalf("%d versions of the group's export left", n)
	}
	if n := versions(t, w, "threads/"+w.t1+"/"); n != 0 {
		t.Fatalf("%d object versions or delete markers left", n)
	}
	gone, at, err := w.a.Groups.Deleted(ctx, w.gid)
	w.must(err, "tombstone")
	if !gone || at.IsZero() {
		t.Fatalf("tombstone: %v %v", gone, at)
	}
	if _, err := w.a.Groups.Get(w.owner, w.gid); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("erased group still readable: %v", err)
	}
}

// versions counts the object versions and delete markers under prefix.
func versions(t *testing.T, w *world, prefix string) int {
	t.Helper()
	out, err := w.env.S3.ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{
		Bucket: aws.String(w.env.Config.UploadsBucket), Prefix: aws.String(prefix)})
	w.must(err, "list versions")
	return len(out.Versions) + len(out.DeleteMarkers)
}
