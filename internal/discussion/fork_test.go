package discussion_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
)

type forkWorld struct {
	f                 *fixture
	alice, bob, carol context.Context
	gid               string
	th                discussion.Thread
	c1, c2, c3, c4    discussion.Item
	bobID, carolID    string
}

// newForkWorld: bob's thread in alice's group: c1 (bob), c2 (carol, reply
// to c1), c3 (carol), c4 (alice, reply to c3); carol reacted to c1.
func newForkWorld(t *testing.T) *forkWorld {
	f := newFixture(t)
	w := &forkWorld{f: f}
	w.alice, _ = f.user("Alice")
	w.bob, w.bobID = f.user("Bob")
	w.carol, w.carolID = f.user("Carol")
	w.gid = f.group(w.alice, authz.Open, w.bob, w.carol)
	w.th = f.thread(w.bob, w.gid, "Summer fair")
	w.c1 = f.comment(w.bob, w.th.ID, "", "Stalls: who brings tables?")
	w.c2 = f.comment(w.carol, w.th.ID, w.c1.ID, "I have four tables")
	w.c3 = f.comment(w.carol, w.th.ID, "", "Music: a band or a playlist?")
	w.c4 = f.comment(w.alice, w.th.ID, w.c3.ID, "A band, surely")
	f.must(f.svc.React(w.carol, w.th.ID, w.c1.ID, "heart", true))
	return w
}

func (w *forkWorld) items(ctx context.Context, tid string) []discussion.Item {
	w.f.t.Helper()
	p, err := w.f.svc.Page(ctx, tid, "", 0)
	w.f.must(err)
	return p.Items
}

func kinds(items []discussion.Item) string {
	var out []string
	for _, it := range items {
		s := it.Kind
		if it.Kind == discussion.KindComment {
			s = "tombstone"
			if f := strings.Fields(it.Body); len(f) > 0 {
				s = f[0]
			}
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

// TestForkedCommentsKeepAuthorsDatesAndReplies: the comments move with
// their authors, dates, reactions and reply order; a reply whose parent
// stayed becomes top-level; each thread notes the fork where they were.
func TestForkedCommentsKeepAuthorsDatesAndReplies(t *testing.T) {
	w := newForkWorld(t)
	res, err := w.f.svc.ForkComments(w.bob, w.th.ID, discussion.ForkInput{Title: "Tables and stalls",
		CommentIDs: []string{w.c4.ID, w.c1.ID, w.c2.ID}})
	w.f.must(err)
	if !res.Done || res.Count != 3 || res.Thread.GroupID != w.gid || res.Thread.Comments != 3 {
		t.Fatalf("fork: %+v", res)
	}
	got := w.items(w.carol, res.Thread.ID)
	if k := kinds(got); k != "thread.forked_in Stalls: I A" {
		t.Fatalf("new thread: %s", k)
	}
	want := map[string]discussion.Item{w.c1.ID: w.c1, w.c2.ID: w.c2, w.c4.ID: w.c4}
	for _, it := range got[1:] {
		o := want[it.ID]
		if it.ActorID != o.ActorID || it.ActorName != o.ActorName || !it.At.Equal(o.At) || it.Body != o.Body {
			t.Errorf("copy of %s: %+v, want %+v", o.ID, it, o)
		}
	}
	if got[2].ParentID != w.c1.ID || got[3].ParentID != "" || got[3].Depth != 1 || got[1].Replies != 1 {
		t.Errorf("replies: c2 parent %q, c4 parent %q depth %d, c1 replies %d", got[2].ParentID, got[3].ParentID, got[3].Depth, got[1].Replies)
	}
	if len(got[1].Reactions) != 1 || got[1].Reactions[0].Name != "heart" || got[1].Reactions[0].Users[0] != w.carolID {
		t.Errorf("reactions: %+v", got[1].Reactions)
	}
	if got[0].Data["from"] != w.th.ID || got[0].Data["count"] != "3" {
		t.Errorf("note in the new thread: %+v", got[0].Data)
	}
	old := w.items(w.carol, w.th.ID)
	if k := kinds(old); k != "thread.forked_out Music:" {
		t.Fatalf("old thread: %s", k)
	}
	if old[0].Data["to"] != res.Thread.ID || old[0].Data["count"] != "3" || old[1].Replies != 0 {
		t.Errorf("old thread: note %+v, c3 replies %d", old[0].Data, old[1].Replies)
	}
	th, err := w.f.svc.Thread(w.carol, w.th.ID)
	w.f.must(err)
	if th.Comments != 1 {
		t.Errorf("old thread counts %d comments, want 1", th.Comments)
	}
	// People comment and react in the new thread as usual.
	w.f.comment(w.carol, res.Thread.ID, w.c1.ID, "I can bring two more")
	w.f.must(w.f.svc.React(w.bob, res.Thread.ID, w.c2.ID, "tada", true))
	// Asking for the same fork again answers the same thread, makes none.
	again, err := w.f.svc.ForkComments(w.bob, w.th.ID, discussion.ForkInput{Title: "Tables and stalls",
		CommentIDs: []string{w.c1.ID, w.c2.ID, w.c4.ID}})
	w.f.must(err)
	if again.Thread.ID != res.Thread.ID {
		t.Errorf("a repeated fork made thread %s, not %s", again.Thread.ID, res.Thread.ID)
	}
	page, err := w.f.svc.Threads(w.carol, w.gid, "", 50)
	w.f.must(err)
	if len(page.Items) != 2 {
		t.Errorf("the group lists %d threads, want 2", len(page.Items))
	}
}

// TestForkLeavesATombstoneOverRepliesThatStay: a forked comment whose
// replies stay behind becomes a "moved" tombstone holding them.
func TestForkLeavesATombstoneOverRepliesThatStay(t *testing.T) {
	w := newForkWorld(t)
	res, err := w.f.svc.ForkComments(w.alice, w.th.ID, discussion.ForkInput{Title: "Music", CommentIDs: []string{w.c3.ID}})
	w.f.must(err)
	old := w.items(w.bob, w.th.ID)
	if k := kinds(old); k != "Stalls: I thread.forked_out tombstone A" {
		t.Fatalf("old thread: %s", k)
	}
	for _, it := range old {
		if it.ID == w.c3.ID && it.ForkedTo != res.Thread.ID {
			t.Errorf("tombstone names %q", it.ForkedTo)
		}
		if it.ID == w.c4.ID && it.ParentID != w.c3.ID {
			t.Errorf("the reply that stayed lost its parent")
		}
	}
	if k := kinds(w.items(w.bob, res.Thread.ID)); k != "thread.forked_in Music:" {
		t.Errorf("new thread: %s", k)
	}
}

// TestForkRules: thread moderators fork (the author where members may
// edit their threads, admins); input is checked.
func TestForkRules(t *testing.T) {
	w := newForkWorld(t)
	outsider, _ := w.f.user("Olga")
	for _, c := range []struct {
		name string
		ctx  context.Context
		in   discussion.ForkInput
		want domain.Code
	}{
		{"anonymous", anon(), discussion.ForkInput{Title: "x", CommentIDs: []string{w.c1.ID}}, domain.Unauthorized},
		{"member, not the author", w.carol, discussion.ForkInput{Title: "x", CommentIDs: []string{w.c1.ID}}, domain.Forbidden},
		{"no comments", w.bob, discussion.ForkInput{Title: "x"}, domain.Invalid},
		{"no title", w.bob, discussion.ForkInput{CommentIDs: []string{w.c1.ID}}, domain.Invalid},
		{"unknown comment", w.bob, discussion.ForkInput{Title: "x", CommentIDs: []string{w.c1.ID, "0000000000000000aaaaaaaa"}}, domain.Invalid},
		{"bad id", w.bob, discussion.ForkInput{Title: "x", CommentIDs: []string{"../x"}}, domain.Invalid},
	} {
		if _, err := w.f.svc.ForkComments(c.ctx, w.th.ID, c.in); code(err) != c.want {
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		}
	}
	many := make([]string, discussion.MaxForkComments+1)
	for i := range many {
		many[i] = fmt.Sprintf("%016x%08x", i+1, i)
	}
	if _, err := w.f.svc.ForkComments(w.bob, w.th.ID, discussion.ForkInput{Title: "x", CommentIDs: many}); code(err) != domain.Invalid {
		t.Errorf("101 comments: %v", err)
	}
	secret := w.f.group(w.alice, authz.Secret)
	hidden := w.f.thread(w.alice, secret, "Hidden")
	if _, err := w.f.svc.ForkComments(outsider, hidden.ID, discussion.ForkInput{Title: "x", CommentIDs: []string{w.c1.ID}}); code(err) != domain.NotFound {
		t.Errorf("outsider of a secret group: %v", err)
	}
	if k := kinds(w.items(w.bob, w.th.ID)); k != "Stalls: I Music: A" {
		t.Errorf("refused forks changed the thread: %s", k)
	}
}

// TestInterruptedForkFinishesOnRetry: a fork that fails while copying
// shows nothing new (the new thread is hidden, the old one unchanged); one
// that fails after its switch shows the new thread, and the same request
// again (or the scheduler) finishes it; forks of more than one batch.
func TestInterruptedForkFinishesOnRetry(t *testing.T) {
	w := newForkWorld(t)
	var cids []string
	for i := range 30 {
		cids = append(cids, w.f.comment(w.bob, w.th.ID, "", fmt.Sprintf("Idea%d for the fair", i)).ID)
	}
	in := discussion.ForkInput{Title: "Ideas", CommentIDs: cids}
	crash := errors.New("crash")
	steps := 0
	discussion.SetMoveFault(w.f.svc, func(p string) error {
		if p == "fork.copy" {
			if steps++; steps == 2 { // the second batch of copies
				return crash
			}
		}
		return nil
	})
	if _, err := w.f.svc.ForkComments(w.bob, w.th.ID, in); !errors.Is(err, crash) {
		t.Fatalf("fault while copying: %v", err)
	}
	page, err := w.f.svc.Threads(w.carol, w.gid, "", 50)
	w.f.must(err)
	if len(page.Items) != 1 {
		t.Fatalf("a half-copied fork is listed: %d threads", len(page.Items))
	}
	if n := len(w.items(w.carol, w.th.ID)); n != 34 {
		t.Fatalf("old thread has %d items while copying, want 34", n)
	}
	discussion.SetMoveFault(w.f.svc, func(p string) error {
		if p == "fork.remove" {
			return crash
		}
		return nil
	})
	if _, err := w.f.svc.ForkComments(w.bob, w.th.ID, in); !errors.Is(err, crash) {
		t.Fatalf("fault while removing: %v", err)
	}
	page, err = w.f.svc.Threads(w.carol, w.gid, "", 50)
	w.f.must(err)
	if len(page.Items) != 2 {
		t.Fatalf("after the switch the new thread is listed: %d threads", len(page.Items))
	}
	discussion.SetMoveFault(w.f.svc, nil)
	res, err := w.f.svc.ForkComments(w.bob, w.th.ID, in)
	w.f.must(err)
	if !res.Done {
		t.Fatalf("retry: %+v", res)
	}
	newItems := w.items(w.carol, res.Thread.ID)
	if len(newItems) != 31 || newItems[0].Kind != discussion.KindForkedIn {
		t.Fatalf("new thread has %d items (%s)", len(newItems), newItems[0].Kind)
	}
	for i, it := range newItems[1:] {
		if it.ID != cids[i] {
			t.Fatalf("order: item %d is %s, want %s", i, it.ID, cids[i])
		}
	}
	if k := kinds(w.items(w.carol, w.th.ID)); k != "Stalls: I Music: A thread.forked_out" {
		t.Errorf("old thread after the fork: %s", k)
	}
}
