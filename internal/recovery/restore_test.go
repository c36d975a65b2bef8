package recovery_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/recovery"
)

// An admin's mistake (or a bug) removed a group with everything in it
// yesterday; one thread was edited since the restore point. Restoring the
// group from a restored table brings back the group, its subgroup, members,
// threads with comments and edit history, polls with their ballots and the
// file (from its previous version), keeps the newer thread as it is, and a
// second run changes nothing.
func TestRestoreOneGroupFromARestoredTable(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	restored := w.snapshot(w.env.Prefix + "-restore")

	// After the restore point: someone edits thread 2 (newer than the copy).
	t2, err := w.a.Discussions.Thread(w.max, w.t2)
	w.must(err, "read t2")
	newTitle := "Tools (edited after the restore point)"
	_, err = w.a.Discussions.UpdateThread(w.max, w.t2, discussion.UpdateInput{Title: &newTitle, Version: t2.Version})
	w.must(err, "edit t2")

	// The accident: thread 1 deleted and purged (with its file's object),
	// then the group, its subgroup, their handles, threads and polls gone.
	w.must(w.a.Discussions.Delete(w.owner, w.t1), "delete t1")
	if n, err := w.a.Discussions.PurgeDue(ctx, time.Now().Add(40*24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("purge: %d %v", n, err)
	}
	for _, pk := range []string{"GROUP#" + w.gid, "GROUP#" + w.sub, "HANDLE#garden-" + w.env.Prefix, "HANDLE#seeds-" + w.env.Prefix,
		"POLL#" + w.p1, "POLL#" + w.anon, "THREAD#" + w.subThread} {
		if w.deletePartition(pk) == 0 {
			t.Fatalf("nothing to delete in %s", pk)
		}
	}
	if _, err := w.a.Groups.Get(w.owner, w.gid); err == nil {
		t.Fatal("the group is still readable after the accident")
	}
	if _, err := w.download(); err == nil {
		t.Fatal("the file is still readable after the accident")
	}

	objects := &recovery.Objects{S3: w.env.Clients.S3, Bucket: w.env.Config.UploadsBucket, KMSKey: w.env.Config.KMSKeyID}
	in := recovery.RestoreInput{Source: restored, Target: w.env.Config.Table, Scope: recovery.Scope{GroupID: w.gid}, Files: objects}

	// A dry run reports the same plan and writes nothing.
	dry := in
	dry.DryRun = true
	plan, err := recovery.Restore(ctx, w.env.Clients.DynamoDB, dry)
	w.must(err, "dry run")
	if _, err := w.a.Groups.Get(w.owner, w.gid); err == nil {
		t.Fatal("a dry run restored the group")
	}
	if plan.Files == nil || len(plan.Files.Undeleted) != 1 {
		t.Fatalf("dry run files: %+v", plan.Files)
	}
	if _, err := w.download(); err == nil {
		t.Fatal("a dry run restored the file")
	}

	rep, err := recovery.Restore(ctx, w.env.Clients.DynamoDB, in)
	w.must(err, "restore")
	var out bytes.Buffer
	rep.Print(&out)
	t.Logf("\n%s", out.String())
	if rep.Counts[recovery.Restored] != plan.Counts[recovery.Restored] || rep.Counts[recovery.Restored] == 0 {
		t.Errorf("restored %d items, the dry run planned %d", rep.Counts[recovery.Restored], plan.Counts[recovery.Restored])
	}
	if len(rep.Groups) != 2 || len(rep.Threads) != 3 || len(rep.Polls) != 2 {
		t.Errorf("scope: groups %v threads %v polls %v", rep.Groups, rep.Threads, rep.Polls)
	}
	for _, ent := range []string{"group", "handle", "membership", "thread", "history", "file", "poll", "tally_shard", "ballot", "sealed_ballot", "participation"} {
		if rep.ByEntity[ent][recovery.Restored] == 0 {
			t.Errorf("no %s restored: %v", ent, rep.ByEntity[ent])
		}
	}
	keptT2 := false
	for _, c := range rep.Kept {
		if c.Key.PK == "THREAD#"+w.t2 && c.Key.SK == "THREAD" && strings.Contains(c.Why, "newer in the live table") {
			keptT2 = true
		} else {
			t.Errorf("unexpectedly kept %s: %s", c.Key, c.Why)
		}
	}
	if !keptT2 {
		t.Errorf("the thread edited after the restore point was not reported as kept: %+v", rep.Kept)
	}
	if rep.Files == nil || len(rep.Files.Undeleted) != 1 || rep.Files.Undeleted[0] != w.file || len(rep.Files.Lost) != 0 {
		t.Errorf("files: %+v", rep.Files)
	}
	if !strings.Contains(out.String(), "kept in the live table") || !strings.Contains(out.String(), "1 undeleted") {
		t.Errorf("report:\n%s", out.String())
	}

	// What the members see again, through the application.
	g, err := w.a.Groups.Get(w.max, w.gid)
	w.must(err, "group after restore")
	if g.Name != "Garden club" {
		t.Errorf("group: %+v", g)
	}
	if _, err := w.a.Groups.Get(w.owner, w.sub); err != nil {
		t.Errorf("subgroup: %v", err)
	}
	members, err := w.a.Groups.Members(w.owner, w.gid, "", 50)
	w.must(err, "members")
	if len(members.Items) != 2 {
		t.Errorf("members: %+v", members.Items)
	}
	th, err := w.a.Discussions.Thread(w.max, w.t1)
	w.must(err, "thread 1")
	if th.Title != "What to plant in spring" || th.Comments != 1 {
		t.Errorf("thread 1: %+v", th)
	}
	res, err := w.a.Decisions.Results(w.max, w.p1)
	w.must(err, "results")
	if res.Results == nil || res.Results.Decided != 2 {
		t.Errorf("poll results: %+v", res.Results)
	}
	body, err := w.download()
	w.must(err, "download after restore")
	if !bytes.Equal(body, png) {
		t.Errorf("file content %q", body)
	}
	live2, err := w.a.Discussions.Thread(w.max, w.t2)
	w.must(err, "thread 2")
	if live2.Title != newTitle {
		t.Errorf("thread 2 was overwritten: %q", live2.Title)
	}

	// Safe to re-run: nothing more to do.
	again, err := recovery.Restore(ctx, w.env.Clients.DynamoDB, in)
	w.must(err, "second restore")
	if again.Counts[recovery.Restored]+again.Counts[recovery.Replaced] != 0 || again.Files.Present != 1 {
		t.Errorf("second run: %+v files %+v", again.Counts, again.Files)
	}

	// verify: everything of the restore point is back; the only differences
	// are thread 2's edit (its item, history and timeline entry).
	v, err := recovery.Verify(ctx, w.env.Clients.DynamoDB, recovery.VerifyInput{A: restored, B: w.env.Config.Table, Scope: &in.Scope})
	w.must(err, "verify")
	var vout bytes.Buffer
	v.Print(&vout)
	t.Logf("\n%s", vout.String())
	if v.OnlyInA != 0 || v.Different != 1 || v.DiffKeys[0].PK != "THREAD#"+w.t2 || v.OnlyInB != 2 {
		t.Errorf("verify after restore:\n%s", vout.String())
	}
	for _, k := range v.OnlyInBKeys {
		if !strings.Contains(k.PK, w.t2) {
			t.Errorf("only in the live table: %s", k)
		}
	}
}

// Restoring one thread brings back its partition, history and polls, and
// nothing else of the group.
func TestRestoreOneThread(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	restored := w.snapshot(w.env.Prefix + "-restore")
	w.must(w.a.Discussions.Delete(w.owner, w.t1), "delete t1")
	if _, err := w.a.Discussions.PurgeDue(ctx, time.Now().Add(40*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	w.deletePartition("POLL#" + w.p1)
	// Also gone, but not part of this restore: thread 2.
	w.deletePartition("THREAD#" + w.t2)

	objects := &recovery.Objects{S3: w.env.Clients.S3, Bucket: w.env.Config.UploadsBucket}
	rep, err := recovery.Restore(ctx, w.env.Clients.DynamoDB, recovery.RestoreInput{Source: restored, Target: w.env.Config.Table,
		Scope: recovery.Scope{ThreadID: w.t1}, Files: objects})
	w.must(err, "restore thread")
	if len(rep.Threads) != 1 || len(rep.Polls) != 1 || rep.Polls[0] != w.p1 || len(rep.Groups) != 0 {
		t.Errorf("scope: %+v", rep)
	}
	if _, err := w.a.Discussions.Thread(w.max, w.t1); err != nil {
		t.Errorf("thread 1: %v", err)
	}
	if _, err := w.a.Decisions.Results(w.max, w.p1); err != nil {
		t.Errorf("poll of thread 1: %v", err)
	}
	if _, err := w.a.Discussions.Thread(w.max, w.t2); err == nil {
		t.Error("thread 2 came back with thread 1")
	}
	if body, err := w.download(); err != nil || !bytes.Equal(body, png) {
		t.Errorf("file: %v", err)
	}
}

// An item the live table holds in an older version (rolled back) is
// replaced; one it holds in a newer version is kept.
func TestRestoreReplacesOnlyOlderVersions(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	db := w.env.Clients.DynamoDB
	restored := w.snapshot(w.env.Prefix + "-restore")
	put := func(table string, it map[string]types.AttributeValue) {
		t.Helper()
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: it})
		w.must(err, "put")
	}
	groupItem, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(restored), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"PK": s("GROUP#" + w.gid), "SK": s("GROUP")}})
	w.must(err, "get group")
	older := map[string]types.AttributeValue{}
	for k, v := range groupItem.Item {
		older[k] = v
	}
	older["Version"], older["Name"] = n(0), s("Rolled back")
	put(w.env.Config.Table, older)
	member := map[string]types.AttributeValue{"PK": s("GROUP#" + w.gid), "SK": s("MEMBER#" + w.maxID), "Type": s("membership"),
		"Version": n(7), "Role": s("admin")}
	put(w.env.Config.Table, member)

	rep, err := recovery.Restore(ctx, db, recovery.RestoreInput{Source: restored, Target: w.env.Config.Table, Scope: recovery.Scope{GroupID: w.gid, NoSubgroups: true}})
	w.must(err, "restore")
	if rep.ByEntity["group"][recovery.Replaced] != 1 || rep.ByEntity["membership"][recovery.Kept] != 1 {
		t.Errorf("outcomes: %+v kept %+v", rep.ByEntity, rep.Kept)
	}
	g, err := w.a.Groups.Get(w.owner, w.gid)
	w.must(err, "group")
	if g.Name != "Garden club" {
		t.Errorf("group name %q", g.Name)
	}
	if len(rep.Groups) != 1 {
		t.Errorf("NoSubgroups restored %v", rep.Groups)
	}
}

func TestRestoreRefusesBadInput(t *testing.T) {
	for _, in := range []recovery.RestoreInput{
		{Source: "a", Target: "a", Scope: recovery.Scope{GroupID: "g"}},
		{Source: "a", Target: "b"},
		{Source: "a", Target: "b", Scope: recovery.Scope{GroupID: "g", ThreadID: "t"}},
		{Source: "a", Target: "b", Scope: recovery.Scope{GroupID: "G#x"}},
	} {
		if _, err := recovery.Restore(context.Background(), nil, in); err == nil {
			t.Errorf("%+v: no error", in)
		}
	}
}
