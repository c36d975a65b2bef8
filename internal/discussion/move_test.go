package discussion_test

import (
	"context"
	"errors"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
)

// moveWorld: alice is admin of A (open; bob a member) and of B (secret;
// carol a member); dave is a guest of a thread in A; erin admin of A only.
type moveWorld struct {
	f                               *fixture
	alice, bob, carol, dave, erin   context.Context
	aliceID, bobID, carolID, daveID string
	a, b                            string
	th                              discussion.Thread
	c1, c2                          discussion.Item
}

func newMoveWorld(t *testing.T) *moveWorld {
	f := newFixture(t)
	w := &moveWorld{f: f}
	w.alice, w.aliceID = f.user("Alice")
	w.bob, w.bobID = f.user("Bob")
	w.carol, w.carolID = f.user("Carol")
	w.dave, w.daveID = f.user("Dave")
	var erinID string
	w.erin, erinID = f.user("Erin")
	w.a = f.group(w.alice, authz.Open, w.bob, w.erin)
	w.b = f.group(w.alice, authz.Secret, w.carol)
	_, err := f.groups.SetRole(w.alice, w.a, erinID, authz.RoleAdmin)
	f.must(err)
	w.th = f.thread(w.bob, w.a, "Budget for the fair")
	w.c1 = f.comment(w.bob, w.th.ID, "", "Three hundred is enough")
	w.c2 = f.comment(w.alice, w.th.ID, w.c1.ID, "Let us say four")
	f.must(f.svc.AddGuest(w.alice, w.th.ID, w.daveID))
	return w
}

func (w *moveWorld) listed(ctx context.Context, gid string) bool {
	w.f.t.Helper()
	page, err := w.f.svc.Threads(ctx, gid, "", 50)
	w.f.must(err)
	for _, t := range page.Items {
		if t.ID == w.th.ID {
			return true
		}
	}
	return false
}

func (w *moveWorld) onDashboard(ctx context.Context) bool {
	w.f.t.Helper()
	ts, err := w.f.svc.Dashboard(ctx, 50)
	w.f.must(err)
	for _, t := range ts {
		if t.ID == w.th.ID {
			return true
		}
	}
	return false
}

// TestMoveThreadRules: only an admin of both groups moves a thread; the
// target must be another group the mover administers.
func TestMoveThreadRules(t *testing.T) {
	w := newMoveWorld(t)
	other := w.f.group(w.carol, authz.Open) // carol's group: alice is no admin there
	for _, c := range []struct {
		name string
		ctx  context.Context
		to   string
		want domain.Code
	}{
		{"anonymous", anon(), w.b, domain.Unauthorized},
		{"member of the thread's group", w.bob, w.b, domain.Forbidden},
		{"admin of the source only", w.erin, w.b, domain.Invalid},
		{"outsider of a secret target", w.carol, w.a, domain.Forbidden},
		{"admin, to a group they do not administer", w.alice, other, domain.Invalid},
		{"admin, to the same group", w.alice, w.a, domain.Invalid},
		{"admin, bad group id", w.alice, "not an id", domain.Invalid},
	} {
		if _, err := w.f.svc.MoveThread(c.ctx, w.th.ID, c.to); code(err) != c.want {
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		}
	}
	if _, err := w.f.svc.MoveThread(w.carol, "tnosuchthread00000000", w.b); code(err) != domain.NotFound {
		t.Errorf("missing thread: %v", err)
	}
	if !w.listed(w.bob, w.a) {
		t.Fatal("a refused move changed the thread's group")
	}
}

// TestMovedThreadLeavesTheOldGroup: after the move the thread, its
// comments and its guests are in the new group only: a member of only the
// old group no longer sees it anywhere (the thread, its page, the group's
// list, the dashboard); the new group's members and the guest do.
func TestMovedThreadLeavesTheOldGroup(t *testing.T) {
	w := newMoveWorld(t)
	res, err := w.f.svc.MoveThread(w.alice, w.th.ID, w.b)
	w.f.must(err)
	if !res.Done || !res.Switched || res.Thread.GroupID != w.b {
		t.Fatalf("move: %+v", res)
	}
	if _, err := w.f.svc.Thread(w.bob, w.th.ID); code(err) != domain.NotFound {
		t.Errorf("old group's member reads the thread: %v", err)
	}
	if _, err := w.f.svc.Page(w.bob, w.th.ID, "", 0); code(err) != domain.NotFound {
		t.Errorf("old group's member reads the page: %v", err)
	}
	if w.listed(w.bob, w.a) || w.listed(w.alice, w.a) {
		t.Error("the thread is still in the old group's list")
	}
	if w.onDashboard(w.bob) {
		t.Error("the thread is still on the old group member's dashboard")
	}
	if !w.listed(w.carol, w.b) || !w.onDashboard(w.carol) {
		t.Error("the new group's member does not see the thread")
	}
	if _, err := w.f.svc.Thread(w.dave, w.th.ID); err != nil {
		t.Errorf("the guest lost the thread: %v", err)
	}
	if !w.onDashboard(w.dave) {
		t.Error("the guest's dashboard lost the thread")
	}
	// The comments followed with their authors, dates and replies, and the
	// timeline notes the move.
	page, err := w.f.svc.Page(w.carol, w.th.ID, "", 0)
	w.f.must(err)
	var comments, notes int
	for _, it := range page.Items {
		switch it.Kind {
		case discussion.KindComment:
			comments++
			want := w.c1
			if it.ID == w.c2.ID {
				want = w.c2
			}
			if it.ActorID != want.ActorID || !it.At.Equal(want.At) || it.ParentID != want.ParentID {
				t.Errorf("comment changed: %+v, want %+v", it, want)
			}
		case discussion.KindMoved:
			notes++
			if it.Data["from"] != w.a || it.Data["to"] != w.b || it.ActorID != w.aliceID {
				t.Errorf("note: %+v", it)
			}
		}
	}
	if comments != 2 || notes != 1 {
		t.Errorf("%d comments, %d notes", comments, notes)
	}
	// The comments' versions moved on, so the search indexer files them
	// under the new group.
	for _, it := range page.Items {
		if it.Kind == discussion.KindComment && it.Version < 2 {
			t.Errorf("comment %s keeps version %d: search would not re-file it", it.ID, it.Version)
		}
	}
	// Nobody can move it "back" by repeating: it is in B now.
	if _, err := w.f.svc.MoveThread(w.alice, w.th.ID, w.b); code(err) != domain.Invalid {
		t.Errorf("second move to the same group: %v", err)
	}
	// Members of the new group comment as usual.
	w.f.comment(w.carol, w.th.ID, "", "Hello from B")
	if _, err := w.f.svc.Comment(w.bob, w.th.ID, discussion.CommentInput{Body: "still here?"}); code(err) != domain.NotFound {
		t.Errorf("old member comments: %v", err)
	}
}

// TestInterruptedMoveFinishesOnRetry: a move that fails after its switch
// leaves the thread in the new group only (its guest is withheld, never
// shown in the old group), refuses another target, and is finished by the
// same call again; one that fails before the switch leaves it in the old
// group only. The scheduler's FinishMoves finishes one nobody retries.
func TestInterruptedMoveFinishesOnRetry(t *testing.T) {
	w := newMoveWorld(t)
	crash := errors.New("crash")
	for _, phase := range []string{"collect", "switch"} {
		discussion.SetMoveFault(w.f.svc, func(p string) error {
			if p == phase {
				return crash
			}
			return nil
		})
		if _, err := w.f.svc.MoveThread(w.alice, w.th.ID, w.b); !errors.Is(err, crash) {
			t.Fatalf("fault at %s: %v", phase, err)
		}
		if !w.listed(w.bob, w.a) || w.listed(w.carol, w.b) {
			t.Fatalf("before the switch (%s) the thread must be in the old group only", phase)
		}
	}
	discussion.SetMoveFault(w.f.svc, func(p string) error {
		if p == "guests" {
			return crash
		}
		return nil
	})
	if _, err := w.f.svc.MoveThread(w.alice, w.th.ID, w.b); !errors.Is(err, crash) {
		t.Fatalf("fault after the switch: %v", err)
	}
	if w.listed(w.bob, w.a) || !w.listed(w.carol, w.b) {
		t.Fatal("after the switch the thread must be in the new group only")
	}
	if _, err := w.f.svc.Thread(w.bob, w.th.ID); code(err) != domain.NotFound {
		t.Errorf("half-moved thread visible to the old group: %v", err)
	}
	if _, err := w.f.svc.Thread(w.dave, w.th.ID); code(err) != domain.NotFound {
		t.Errorf("a guest whose grant is not moved yet sees the thread: %v", err)
	}
	st, err := w.f.svc.MoveStatus(w.alice, w.th.ID)
	w.f.must(err)
	if st == nil || st.Phase != "guests" || st.To != w.b {
		t.Fatalf("status: %+v", st)
	}
	third := w.f.group(w.alice, authz.Closed)
	if _, err := w.f.svc.MoveThread(w.alice, w.th.ID, third); code(err) != domain.Conflict {
		t.Errorf("another target while a move is unfinished: %v", err)
	}
	discussion.SetMoveFault(w.f.svc, nil)
	res, err := w.f.svc.MoveThread(w.alice, w.th.ID, w.b)
	w.f.must(err)
	if !res.Done {
		t.Fatalf("retry did not finish: %+v", res)
	}
	if _, err := w.f.svc.Thread(w.dave, w.th.ID); err != nil {
		t.Errorf("the guest after the retry: %v", err)
	}
	if st, _ := w.f.svc.MoveStatus(w.alice, w.th.ID); st != nil {
		t.Errorf("job left: %+v", st)
	}
	page, err := w.f.svc.Page(w.alice, w.th.ID, "", 0)
	w.f.must(err)
	notes := 0
	for _, it := range page.Items {
		if it.Kind == discussion.KindMoved {
			notes++
		}
	}
	if notes != 1 {
		t.Errorf("%d move notes, want 1", notes)
	}

	// The scheduler finishes a move nobody retries.
	th2 := w.f.thread(w.alice, w.a, "Second")
	f := w.f
	f.must(f.svc.AddGuest(w.alice, th2.ID, w.daveID))
	discussion.SetMoveFault(f.svc, func(p string) error {
		if p == "search" {
			return crash
		}
		return nil
	})
	if _, err := f.svc.MoveThread(w.alice, th2.ID, w.b); !errors.Is(err, crash) {
		t.Fatalf("fault at search: %v", err)
	}
	discussion.SetMoveFault(f.svc, nil)
	n, err := f.svc.FinishMoves(context.Background(), th2.CreatedAt.Add(24*60*60*1e9), 10)
	f.must(err)
	if n != 1 {
		t.Errorf("FinishMoves finished %d moves, want 1", n)
	}
	if st, _ := f.svc.MoveStatus(w.alice, th2.ID); st != nil {
		t.Errorf("job left after the sweep: %+v", st)
	}
}
