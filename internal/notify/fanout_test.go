package notify_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/memdb"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// roster is a group's members, paged in user-id order as internal/group
// pages them.
type roster []notify.Member

func (r roster) MemberPage(_ context.Context, _, after string, limit int) ([]notify.Member, string, error) {
	i, _ := slices.BinarySearchFunc(r, after, func(m notify.Member, id string) int {
		switch {
		case m.UserID < id:
			return -1
		case m.UserID > id:
			return 1
		}
		return 0
	})
	if after != "" && i < len(r) && r[i].UserID == after {
		i++
	}
	end := min(i+limit, len(r))
	next := ""
	if end < len(r) {
		next = r[end-1].UserID
	}
	return r[i:end], next, nil
}

// MayView implements notify.Viewer: members may view the group's threads.
func (r roster) MayView(_ context.Context, uid, _, _ string) (bool, error) {
	for _, m := range r {
		if m.UserID == uid {
			return m.Role != authz.RoleNone, nil
		}
	}
	return false, nil
}

type fanoutFixture struct {
	t     *testing.T
	db    *memdb.DB
	table string
	st    *store.Store
	notes *notify.Service
	fan   *notify.Fanouts
	now   time.Time
	ids   []string
}

// newFanoutFixture is a group of n members (plus its author "u-author")
// on memdb with streams.
func newFanoutFixture(t *testing.T, n int) *fanoutFixture {
	t.Helper()
	def := tabledef.MainTable("fanout")
	db, err := memdb.NewWithTable(def, memdb.Options{Streams: true})
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(db, def.Name, []byte("test-signing-key-0123456789abcdef"))
	now := time.Now().UTC().Truncate(time.Millisecond) // items expire by the real clock
	notes := notify.New(st, func() time.Time { return now })
	var r roster
	var uids []string
	for i := range n {
		uid := fmt.Sprintf("u-%04d", i)
		r = append(r, notify.Member{UserID: uid, Role: authz.RoleMember})
		uids = append(uids, uid)
	}
	r = append(r, notify.Member{UserID: "u-author", Role: authz.RoleAdmin})
	slices.SortFunc(r, func(a, b notify.Member) int {
		if a.UserID < b.UserID {
			return -1
		}
		return 1
	})
	return &fanoutFixture{t: t, db: db, table: def.Name, st: st, notes: notes, now: now, ids: uids,
		fan: &notify.Fanouts{N: notes, Members: r, Viewer: r, Page: 40}}
}

func (f *fanoutFixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// newThreadJob is the job of a thread started by u-author, announced to
// the group, naming u-0003 first (an announcement to them).
func (f *fanoutFixture) newThreadJob() notify.Fanout {
	return notify.Fanout{View: true, Skip: []string{"u-author"},
		Notification: notify.Notification{Kind: notify.NewThread, ActorID: "u-author", ActorName: "Ann", GroupID: "g1",
			ThreadID: "t1", Title: "Plans", CreatedAt: f.now},
		Phases: []notify.Phase{
			{Kind: notify.Announcement, Reach: notify.Addressed, UserIDs: []string{"u-0003", "u-author", "u-0003"}},
			{Kind: notify.NewThread, Reach: notify.GroupWide, Members: true},
		}}
}

// told checks that every member but the author has exactly one
// notification of the job and an unread count of one, and returns the
// kinds by person.
func (f *fanoutFixture) told() map[string]notify.Kind {
	f.t.Helper()
	kinds := map[string]notify.Kind{}
	for _, uid := range append(slices.Clone(f.ids), "u-author") {
		ctx := authz.WithActor(context.Background(), authz.Actor{Kind: authz.User, UserID: uid})
		p, err := f.notes.List(ctx, "", 100)
		f.must(err)
		c, err := f.notes.UnreadCount(ctx)
		f.must(err)
		want := 1
		if uid == "u-author" {
			want = 0
		}
		if len(p.Items) != want || c != int64(want) {
			f.t.Fatalf("%s has %d notifications, unread %d; want %d", uid, len(p.Items), c, want)
		}
		if want == 1 {
			kinds[uid] = p.Items[0].Kind
		}
	}
	return kinds
}

func (f *fanoutFixture) jobs() int {
	f.t.Helper()
	var items []store.Item
	err := f.st.Table().Get(tabledef.GSI2PK, notify.FanoutQueue).Index(tabledef.GSI2).All(context.Background(), &items)
	f.must(store.Classify(err))
	return len(items)
}

// The consumer fed by the stream tells each member exactly once, even when
// the stream delivers the job twice; the job is deleted when done.
func TestFanoutFromTheStreamTellsEachMemberOnce(t *testing.T) {
	f := newFanoutFixture(t, 250)
	ctx := context.Background()
	f.must(f.notes.StartFanout(ctx, f.newThreadJob()))
	recs := f.db.Stream(f.table, "")
	c := notify.FanoutConsumer{Fanouts: f.fan}
	var jobs []events.DynamoDBEventRecord
	for _, r := range recs {
		if c.Wants(r) {
			jobs = append(jobs, r)
		}
	}
	if len(jobs) != 1 {
		t.Fatalf("the stream names %d jobs, want 1", len(jobs))
	}
	for range 2 { // a redelivery
		failed, err := c.HandleRecords(ctx, jobs)
		if err != nil || len(failed) != 0 {
			t.Fatalf("handle: %v %v", failed, err)
		}
	}
	kinds := f.told()
	if kinds["u-0003"] != notify.Announcement || kinds["u-0004"] != notify.NewThread {
		t.Fatalf("kinds: u-0003 %s, u-0004 %s", kinds["u-0003"], kinds["u-0004"])
	}
	if n := f.jobs(); n != 0 {
		t.Fatalf("%d jobs left", n)
	}
}

// A run interrupted half-way resumes from its cursor; one interrupted
// after writing a batch but before saving its cursor writes that batch
// again without telling anyone twice (the ids come from job and person).
func TestFanoutInterruptedResumesWithoutDuplicates(t *testing.T) {
	f := newFanoutFixture(t, 250)
	ctx := context.Background()
	j := f.newThreadJob()
	j.ID = "job-interrupted"
	f.must(f.notes.StartFanout(ctx, j))
	stop := errors.New("the function timed out")
	batches := 0
	notify.InterruptAfter(f.fan, func() error {
		batches++
		if batches == 3 {
			return stop
		}
		return nil
	})
	if _, err := f.fan.Run(ctx, j.ID); !errors.Is(err, stop) {
		t.Fatalf("run: %v, want the interruption", err)
	}
	// Lose the saved cursor too, as if the last save never happened.
	f.must(f.st.Update("FANOUT#"+j.ID, "FANOUT").Set("Phase", 1).Set("Cursor", "").Run(ctx))
	notify.InterruptAfter(f.fan, nil)
	told, err := f.fan.Run(ctx, j.ID)
	f.must(err)
	if told >= 250 || told == 0 {
		t.Fatalf("the second run told %d, want only those the first did not", told)
	}
	f.told()
	if n := f.jobs(); n != 0 {
		t.Fatalf("%d jobs left", n)
	}
	// A third run finds nothing to do.
	if told, err := f.fan.Run(ctx, j.ID); err != nil || told != 0 {
		t.Fatalf("third run: %d %v", told, err)
	}
}

// A job whose stream record was lost is expanded by the scheduler's sweep
// once it is older than FanoutSweepAge, and not before.
func TestFanoutSweepPicksUpAnOrphanedJob(t *testing.T) {
	f := newFanoutFixture(t, 120)
	ctx := context.Background()
	f.must(f.notes.StartFanout(ctx, f.newThreadJob()))
	r, err := f.fan.Sweep(ctx, f.now.Add(time.Second), 10)
	f.must(err)
	if r.Jobs != 0 || f.jobs() != 1 {
		t.Fatalf("a young job was swept: %+v", r)
	}
	r, err = f.fan.Sweep(ctx, f.now.Add(notify.FanoutSweepAge+time.Second), 10)
	f.must(err)
	if r.Jobs != 1 || r.Told != 120 {
		t.Fatalf("sweep: %+v, want 1 job telling 120", r)
	}
	f.told()
	if n := f.jobs(); n != 0 {
		t.Fatalf("%d jobs left", n)
	}
}

// Levels and visibility still decide who hears: a muted member hears
// nothing, a quiet one only what is addressed to them, and a member whose
// role may not view the thread nothing.
func TestFanoutRespectsLevelsAndRoles(t *testing.T) {
	f := newFanoutFixture(t, 3)
	ctx := context.Background()
	f.must(f.notes.SetLevel(ctx, "u-0000", notify.GroupScope("g1"), notify.Mute))
	f.must(f.notes.SetLevel(ctx, "u-0001", notify.GroupScope("g1"), notify.Quiet))
	f.fan.Members = append(f.fan.Members.(roster), notify.Member{UserID: "u-zz", Role: authz.RoleNone})
	f.must(f.notes.StartFanout(ctx, f.newThreadJob()))
	_, err := f.fan.Sweep(ctx, f.now.Add(time.Hour), 10)
	f.must(err)
	for uid, want := range map[string]int64{"u-0000": 0, "u-0001": 0, "u-0002": 1, "u-zz": 0} {
		n, err := f.notes.UnreadCount(authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: uid}))
		f.must(err)
		if n != want {
			t.Errorf("%s: %d unread, want %d", uid, n, want)
		}
	}
}
