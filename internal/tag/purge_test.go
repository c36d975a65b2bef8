package tag_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/memdb"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/tag"
)

// TestPurgeAsksTheOwnerOfEachKind: the purge of a deleted tag has each
// tagged item's owner take the tag off it (the owner writes its item), and
// fails, touching nothing, for a kind no owner was wired for.
func TestPurgeAsksTheOwnerOfEachKind(t *testing.T) {
	f := newPurgeFixture(t)
	gid, tg := f.groupWithTag("Budget")
	f.tagged(gid, tg, tag.Thread, "thread1")
	f.tagged(gid, tg, tag.Poll, "poll1")
	f.must(f.tags.Delete(f.admin, gid, tg))

	threads := &recorder{}
	f.tags.Own(tag.Thread, threads)
	if _, err := f.tags.PurgeDeleted(context.Background(), 10); err == nil || !strings.Contains(err.Error(), "poll") {
		t.Fatalf("purge without an owner of polls: %v, want an error naming polls", err)
	}
	polls := &recorder{}
	f.tags.Own(tag.Poll, polls)
	r, err := f.tags.PurgeDeleted(context.Background(), 10)
	f.must(err)
	if r.Removed != 2 {
		t.Fatalf("purge removed %d references, want 2", r.Removed)
	}
	if got := strings.Join(polls.dropped, ","); got != "poll1:"+tg {
		t.Errorf("the polls' owner was asked to drop %q", got)
	}
	if got := strings.Join(threads.dropped, ","); got != "thread1:"+tg {
		t.Errorf("the threads' owner was asked to drop %q", got)
	}
	r, err = f.tags.PurgeDeleted(context.Background(), 10)
	f.must(err)
	if r.Tags != 1 || r.Removed != 0 {
		t.Fatalf("second purge: %+v, want the marker gone and nothing else", r)
	}
}

type recorder struct{ dropped []string }

func (r *recorder) DropTag(_ context.Context, id, tagID string) error {
	r.dropped = append(r.dropped, id+":"+tagID)
	return nil
}

// purgeFixture is a tag service on an in-memory table whose policy allows
// everything (the rules of who manages tags are the group core's).
type purgeFixture struct {
	t     *testing.T
	st    *store.Store
	tags  *tag.Service
	admin context.Context
}

type allowAll struct{}

func (allowAll) Authorize(context.Context, string, authz.Action, authz.Target) error { return nil }

func newPurgeFixture(t *testing.T) *purgeFixture {
	def := tabledef.MainTable("tags")
	db, err := memdb.NewWithTable(def, memdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(db, def.Name, []byte("tag-test-signing-key-0123456789ab"))
	return &purgeFixture{t: t, st: st, tags: tag.New(tag.Config{Store: st, Policy: allowAll{}}),
		admin: authz.WithActor(context.Background(), authz.Actor{Kind: authz.User, UserID: "admin"})}
}

func (f *purgeFixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *purgeFixture) groupWithTag(name string) (gid, tagID string) {
	gid = ids.New()
	colour := "teal"
	tg, err := f.tags.Create(f.admin, gid, tag.Input{Name: &name, Colour: &colour})
	f.must(err)
	return gid, tg.ID
}

// tagged writes the index item of an item of kind carrying tagID (what an
// owner's transaction writes beside the item's Tags).
func (f *purgeFixture) tagged(gid, tagID, kind, id string) {
	tx := f.st.Tx()
	f.tags.AddSetOps(tx, tag.Item{Kind: kind, ID: id, GroupID: gid, Created: time.Now()}, nil, []string{tagID})
	f.must(tx.Run(context.Background(), ""))
}
