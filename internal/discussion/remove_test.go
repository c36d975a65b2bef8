package discussion_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
)

type removeWorld struct {
	f                  *fixture
	alice, bob, carol  context.Context
	bobID              string
	gid, other         string
	th, th2, elsewhere discussion.Thread
	c1, c2, c3, c4, c5 discussion.Item
	file               string
	rec                *audit.Service
}

// newRemoveWorld: in alice's group, bob wrote c1 (edited once, with a
// heart from carol, replied to by carol's c2) and c3 (with a file); in a
// second thread bob wrote c4. In another group of alice's, bob wrote c5.
func newRemoveWorld(t *testing.T) *removeWorld {
	f := newFixture(t)
	w := &removeWorld{f: f, rec: audit.New(f.st, f.env.Config.SigningKey, f.groups, nil, nil)}
	f.svc = discussion.New(discussion.Config{
		Store: f.st, Policy: f.groups, People: discPeople{f.people}, Notify: f.notes, Audit: w.rec,
		Uploads:    blob.NewUploads(f.env.Clients.S3, f.env.Config.UploadsBucket, f.env.Config.KMSKeyID, blob.DefaultLimits()),
		SigningKey: f.env.Config.SigningKey,
	})
	w.alice, _ = f.user("Alice")
	w.bob, w.bobID = f.user("Bob")
	w.carol, _ = f.user("Carol")
	w.gid = f.group(w.alice, authz.Closed, w.bob, w.carol)
	w.th = f.thread(w.alice, w.gid, "Garden rota")
	w.th2 = f.thread(w.carol, w.gid, "Compost")
	w.c1 = f.comment(w.bob, w.th.ID, "", "bobsfirstword about tulips")
	_, err := f.svc.EditComment(w.bob, w.th.ID, w.c1.ID, "bobsfirstword about roses", w.c1.Version)
	f.must(err)
	w.c2 = f.comment(w.carol, w.th.ID, w.c1.ID, "carolsreply stays")
	f.must(f.svc.React(w.carol, w.th.ID, w.c1.ID, "heart", true))
	w.c3 = f.comment(w.bob, w.th.ID, "", "bobssecondword with a file")
	w.file = f.attach(w.bob, w.th.ID, w.c3.ID)
	w.c4 = f.comment(w.bob, w.th2.ID, "", "bobsthirdword on compost")
	w.other = f.group(w.alice, authz.Closed, w.bob)
	w.elsewhere = f.thread(w.alice, w.other, "Elsewhere")
	w.c5 = f.comment(w.bob, w.elsewhere.ID, "", "bobsotherword kept")
	f.drain() // the notifications quote the comments
	return w
}

// run drives the scheduler's step until no removal is left.
func (w *removeWorld) run(steps int) int {
	w.f.t.Helper()
	total := 0
	for i := 0; i < 1000; i++ {
		n, err := w.f.svc.RunRemovals(context.Background(), steps)
		w.f.must(err)
		total += n
		var q []map[string]any
		err = w.f.st.Table().Get("GSI2PK", "REMOVAL").Index("GSI2").All(context.Background(), &q)
		if err != nil && err != dynamo.ErrNotFound {
			w.f.t.Fatal(err)
		}
		if len(q) == 0 {
			return total
		}
	}
	w.f.t.Fatal("removal never finished")
	return 0
}

func (w *removeWorld) item(ctx context.Context, tid, cid string) discussion.Item {
	w.f.t.Helper()
	p, err := w.f.svc.Page(ctx, tid, "", 0)
	w.f.must(err)
	for _, it := range p.Items {
		if it.ID == cid {
			return it
		}
	}
	w.f.t.Fatalf("%s not on the page", cid)
	return discussion.Item{}
}

// history counts the stored edit-history items of a comment.
func (w *removeWorld) history(tid, cid string) int {
	w.f.t.Helper()
	var hs []map[string]any
	err := w.f.st.Table().Get("PK", "HISTORY#THREAD#"+tid+"#ITEM#"+cid).All(context.Background(), &hs)
	if err != nil && err != dynamo.ErrNotFound {
		w.f.t.Fatal(err)
	}
	return len(hs)
}

// raw reads a comment's stored attributes as they are in the table.
func (w *removeWorld) raw(tid, cid string) map[string]types.AttributeValue {
	w.f.t.Helper()
	var it map[string]types.AttributeValue
	w.f.must(w.f.st.Table().Get("PK", "THREAD#"+tid).Range("SK", dynamo.Equal, "ITEM#"+cid).One(context.Background(), &it))
	return it
}

func (w *removeWorld) checkErased(tid, cid string) {
	w.f.t.Helper()
	it := w.raw(tid, cid)
	for name := range it {
		if name == "Body" || name == "HTML" || name == "Files" || name == "Mentions" || name == "EditedAt" || strings.HasPrefix(name, "R_") {
			w.f.t.Errorf("%s still has %s", cid, name)
		}
	}
	if v, ok := it["Erased"].(*types.AttributeValueMemberBOOL); !ok || !v.Value {
		w.f.t.Errorf("%s not marked erased", cid)
	}
	if n := w.history(tid, cid); n != 0 {
		w.f.t.Errorf("%s keeps %d history items", cid, n)
	}
}

// An admin removes one member's comments in the group: nothing happens in
// the request but a queued, audited job; the scheduler's steps then turn
// each comment into "comment removed" in place (replies kept), erasing
// text, file, reactions and history, and leave the member's comments in
// other groups alone.
func TestRemoveMemberCommentsInPlace(t *testing.T) {
	w := newRemoveWorld(t)
	f := w.f
	if _, err := f.svc.RemoveMemberComments(w.bob, w.gid, w.bobID); code(err) != domain.Forbidden {
		t.Fatalf("member: %v", err)
	}
	outsider, _ := f.user("Olga")
	if _, err := f.svc.RemoveMemberComments(outsider, w.gid, w.bobID); code(err) != domain.Forbidden && code(err) != domain.NotFound {
		t.Fatalf("outsider: %v", err)
	}
	if _, err := f.svc.RemoveMemberComments(w.alice, w.gid, "not an id"); code(err) != domain.Invalid {
		t.Fatalf("bad id: %v", err)
	}
	rm, err := f.svc.RemoveMemberComments(w.alice, w.gid, w.bobID)
	f.must(err)
	if rm.Done || rm.Removed != 0 {
		t.Fatalf("queued: %+v", rm)
	}
	// Asking again while it is queued changes nothing.
	again, err := f.svc.RemoveMemberComments(w.alice, w.gid, w.bobID)
	f.must(err)
	if !again.RequestedAt.Equal(*rm.RequestedAt) || again.State != "running" {
		t.Fatalf("second request started another removal: %+v", again)
	}
	if it := w.item(w.alice, w.th.ID, w.c1.ID); it.Removed || it.Body == "" {
		t.Fatalf("removed inside the request: %+v", it)
	}
	if n := w.run(50); n != 1 {
		t.Fatalf("finished %d removals", n)
	}
	got, err := f.svc.MemberRemoval(w.alice, w.gid, w.bobID)
	f.must(err)
	if !got.Done || got.Removed != 3 {
		t.Fatalf("state: %+v", got)
	}
	for _, c := range []struct{ tid, cid string }{{w.th.ID, w.c1.ID}, {w.th.ID, w.c3.ID}, {w.th2.ID, w.c4.ID}} {
		it := w.item(w.carol, c.tid, c.cid)
		if !it.Deleted || !it.Removed || it.Body != "" || it.ActorID != "" || len(it.Reactions) > 0 || len(it.Files) > 0 {
			t.Fatalf("shown: %+v", it)
		}
		w.checkErased(c.tid, c.cid)
	}
	if it := w.item(w.carol, w.th.ID, w.c2.ID); it.Body != "carolsreply stays" || it.ParentID != w.c1.ID {
		t.Fatalf("reply: %+v", it)
	}
	if it := w.item(w.alice, w.elsewhere.ID, w.c5.ID); it.Body != "bobsotherword kept" {
		t.Fatalf("other group: %+v", it)
	}
	th, err := f.svc.Thread(w.alice, w.th.ID)
	f.must(err)
	if th.Comments != 1 {
		t.Fatalf("thread counts %d comments", th.Comments)
	}
	for _, word := range []string{"bobsfirstword", "bobssecondword", "bobsthirdword"} {
		if f.scanFor(word) {
			t.Fatalf("%q is still stored", word)
		}
	}
	if !f.scanFor("bobsotherword") {
		t.Fatal("the other group's comment was erased")
	}
	if f.objectExists(w.file) {
		t.Fatal("the attachment's object is still stored")
	}
	// Removed comments take no reactions, edits or deletions any more.
	if err := f.svc.React(w.carol, w.th.ID, w.c1.ID, "heart", true); code(err) != domain.NotFound {
		t.Fatalf("react: %v", err)
	}
	if _, err := f.svc.EditComment(w.bob, w.th.ID, w.c3.ID, "back", 99); err == nil {
		t.Fatal("edited a removed comment")
	}
	// Audited once, naming the admin and the member.
	log, err := w.rec.List(w.alice, w.gid, "", 50)
	f.must(err)
	var entries []audit.Entry
	for _, e := range append(log.Pending, log.Entries...) {
		if e.Action == audit.ContentRemoved {
			entries = append(entries, e)
		}
	}
	if len(entries) != 1 || entries[0].ActorID == "" || entries[0].Target.ID != w.bobID {
		t.Fatalf("audit entries: %+v", entries)
	}
	// After it finished, a new request starts a new removal (comments
	// written since).
	late := f.comment(w.bob, w.th.ID, "", "boblateword")
	_, err = f.svc.RemoveMemberComments(w.alice, w.gid, w.bobID)
	f.must(err)
	w.run(50)
	if it := w.item(w.alice, w.th.ID, late.ID); !it.Removed {
		t.Fatalf("late comment: %+v", it)
	}
}

// A removal interrupted after a step did its work but before it saved
// its position (a crash half-way) goes on from the saved position: the
// step runs again and removes nothing twice (counts stay right).
func TestRemovalResumesAfterCrash(t *testing.T) {
	w := newRemoveWorld(t)
	f := w.f
	for i := 0; i < 4; i++ {
		f.comment(w.bob, w.th.ID, w.c2.ID, "bobsreplyword "+strings.Repeat("x", i))
	}
	f.drain() // fan-out jobs live seconds; their notifications carry the excerpts
	before, err := f.svc.Thread(w.alice, w.th.ID)
	f.must(err)
	_, err = f.svc.RemoveMemberComments(w.alice, w.gid, w.bobID)
	f.must(err)
	ctx := context.Background()
	var crashes int
	for i := 0; i < 100; i++ {
		var job map[string]types.AttributeValue
		if err := f.st.Table().Get("PK", "REMOVAL#"+w.gid).Range("SK", dynamo.Equal, "USER#"+w.bobID).One(ctx, &job); err != nil {
			t.Fatal(err)
		}
		if _, done := job["DoneAt"]; done {
			break
		}
		_, err := f.svc.RunRemovals(ctx, 1)
		f.must(err)
		if i%2 == 0 {
			// The step's work stays, its saved position is lost.
			f.must(f.st.Table().Put(job).Run(ctx))
			crashes++
		}
	}
	if crashes < 3 {
		t.Fatalf("only %d crashes", crashes)
	}
	got, err := f.svc.MemberRemoval(w.alice, w.gid, w.bobID)
	f.must(err)
	if !got.Done {
		t.Fatalf("not done: %+v", got)
	}
	after, err := f.svc.Thread(w.alice, w.th.ID)
	f.must(err)
	// Six of bob's comments in this thread were visible: c1, c3 and four replies.
	if before.Comments-after.Comments != 6 {
		t.Fatalf("comments %d -> %d", before.Comments, after.Comments)
	}
	for _, word := range []string{"bobsfirstword", "bobssecondword", "bobsthirdword", "bobsreplyword"} {
		if f.scanFor(word) {
			t.Fatalf("%q is still stored", word)
		}
	}
}

// Account deletion's eraser removes every comment of the person in every
// group, a scan page at a time; a step repeated after an interruption
// changes nothing more.
func TestRemoveAuthorCommentsEverywhere(t *testing.T) {
	w := newRemoveWorld(t)
	f := w.f
	ctx := context.Background()
	done := false
	for i := 0; i < 10000 && !done; i++ {
		var err error
		done, err = f.svc.RemoveAuthorComments(ctx, w.bobID)
		f.must(err)
		if i == 0 && !done {
			// Repeat a step as an interrupted run would.
			_, err = f.svc.RemoveAuthorComments(ctx, w.bobID)
			f.must(err)
		}
	}
	if !done {
		t.Fatal("never done")
	}
	// The account core's next step: the notifications' excerpts.
	for done = false; !done; {
		var err error
		done, err = f.notes.EraseAuthorExcerpts(ctx, w.bobID)
		f.must(err)
	}
	for _, c := range []struct{ tid, cid string }{{w.th.ID, w.c1.ID}, {w.th.ID, w.c3.ID}, {w.th2.ID, w.c4.ID}, {w.elsewhere.ID, w.c5.ID}} {
		w.checkErased(c.tid, c.cid)
	}
	for _, word := range []string{"bobsfirstword", "bobssecondword", "bobsthirdword", "bobsotherword"} {
		if f.scanFor(word) {
			t.Fatalf("%q is still stored", word)
		}
	}
	if !f.scanFor("carolsreply stays") {
		t.Fatal("carol's reply was erased")
	}
	th, err := f.svc.Thread(w.alice, w.th.ID)
	f.must(err)
	if th.Comments != 1 {
		t.Fatalf("thread counts %d comments", th.Comments)
	}
	// The progress item is gone with the scan.
	var prog []map[string]any
	err = f.st.Table().Get("PK", "USER#"+w.bobID).Range("SK", dynamo.BeginsWith, "ERASESCAN#").All(ctx, &prog)
	if err != nil && err != dynamo.ErrNotFound {
		t.Fatal(err)
	}
	if len(prog) != 0 {
		t.Fatalf("progress left: %+v", prog)
	}
}
