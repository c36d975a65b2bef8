package notify_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/notify"
)

// names is the account service's display names.
type names map[string]string

func (n names) Names(_ context.Context, uids []string) (map[string]string, error) {
	if len(uids) > 100 {
		return nil, errors.New("more than 100 ids in one lookup")
	}
	out := map[string]string{}
	for _, id := range uids {
		if v, ok := n[id]; ok {
			out[id] = v
		}
	}
	return out, nil
}

// recorded keeps what the job handed back to the owner of the text.
type recorded struct {
	mu   sync.Mutex
	refs []notify.MentionRef
}

func (r *recorded) MentionsResolved(_ context.Context, ref notify.MentionRef) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refs = append(r.refs, ref)
	return nil
}

// A comment's @mentions are resolved by its job, off the request path:
// the whole name wins, a first name only when one person has it, guests of
// the thread count, and whoever may not view the thread is never told. An
// interrupted run resumes from its cursor with what it had found; running
// it again tells nobody twice.
func TestMentionPhaseResolvesOffTheRequest(t *testing.T) {
	f := newFanoutFixture(t, 250)
	ctx := context.Background()
	nm := names{"u-author": "Ann Author", "g-1": "Guesty McGuest", "u-zz": "Nora None"}
	for i, id := range f.ids {
		nm[id] = fmt.Sprintf("Person %04d", i)
	}
	nm["u-0100"], nm["u-0101"], nm["u-0102"] = "Zoe Quinn", "Sam One", "Sam Two"
	nm["u-0200"] = "Person0007" // the same whole name as u-0007: both named
	rec := &recorded{}
	f.fan.Names, f.fan.Mentions = nm, rec
	f.fan.Members = append(f.fan.Members.(roster), notify.Member{UserID: "u-zz", Role: authz.RoleNone})
	j := notify.Fanout{ID: "job-mentions", View: true, Skip: []string{"u-author"},
		Notification: notify.Notification{Kind: notify.Comment, ActorID: "u-author", ActorName: "Ann", GroupID: "g1",
			ThreadID: "t1", CommentID: "c1", Title: "Plans", CreatedAt: f.now},
		Phases: []notify.Phase{
			{Kind: notify.Mention, Reach: notify.Mention.Reach(), Version: 3, Extra: []string{"g-1"},
				Keys: []string{"person0007", "zoe", "sam", "guesty", "nora", "annauthor", "nobody"}},
			{Kind: notify.Comment, Reach: notify.Following, Scope: notify.ThreadScope("t1")},
		}}
	f.must(f.notes.StartFanout(ctx, j))
	stop := errors.New("the function timed out")
	batches := 0
	notify.InterruptAfter(f.fan, func() error {
		if batches++; batches == 3 {
			return stop
		}
		return nil
	})
	if _, err := f.fan.Run(ctx, j.ID); !errors.Is(err, stop) {
		t.Fatalf("run: %v, want the interruption", err)
	}
	if len(rec.refs) != 0 {
		t.Fatalf("resolved before every member was read: %+v", rec.refs)
	}
	notify.InterruptAfter(f.fan, nil)
	for range 2 { // the second run: a redelivered record, the job is gone
		_, err := f.fan.Run(ctx, j.ID)
		f.must(err)
	}
	want := map[string]int64{"u-0007": 1, "u-0200": 1, "u-0100": 1, "u-0101": 0, "u-0102": 0, "g-1": 0, "u-zz": 0,
		"u-author": 0, "u-0008": 0}
	for uid, n := range want {
		c, err := f.notes.UnreadCount(authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: uid}))
		f.must(err)
		if c != n {
			t.Errorf("%s: %d unread, want %d", uid, c, n)
		}
	}
	if len(rec.refs) != 1 {
		t.Fatalf("recorded %d times, want 1", len(rec.refs))
	}
	ref := rec.refs[0]
	if ref.CommentID != "c1" || ref.Version != 3 || ref.ThreadID != "t1" {
		t.Errorf("ref %+v", ref)
	}
	if got := ref.ByKey["person0007"]; !slices.Equal(got, []string{"u-0007", "u-0200"}) {
		t.Errorf("person0007 names %v", got)
	}
	for k, who := range map[string]string{"zoe": "u-0100", "guesty": "g-1", "nora": "u-zz", "annauthor": "u-author"} {
		if got := ref.ByKey[k]; !slices.Equal(got, []string{who}) {
			t.Errorf("%s names %v, want %s", k, got, who)
		}
	}
	if _, ok := ref.ByKey["sam"]; ok {
		t.Errorf("an ambiguous first name named %v", ref.ByKey["sam"])
	}
	if !slices.Equal(ref.Guests, []string{"g-1"}) || len(ref.People) != 6 {
		t.Errorf("people %v, guests %v", ref.People, ref.Guests)
	}
	if n := f.jobs(); n != 0 {
		t.Fatalf("%d jobs left", n)
	}
}

// The rule is one function: the whole name first, then a unique first name.
func TestResolveMentions(t *testing.T) {
	full := map[string][]string{"alicesmith": {"a"}, "bob": {"b1"}}
	first := map[string][]string{"alice": {"a"}, "bob": {"b1", "b2"}, "carl": {"c1", "c2"}}
	byKey, people := notify.ResolveMentions([]string{"alicesmith", "alice", "bob", "carl"}, full, first)
	if !slices.Equal(people, []string{"a", "b1"}) || len(byKey) != 3 || byKey["carl"] != nil {
		t.Fatalf("byKey %v people %v", byKey, people)
	}
	if f, s := notify.MentionNameKeys("Ann-Marie  de Vries"); f != "annmariedevries" || s != "annmarie" {
		t.Fatalf("keys %q %q", f, s)
	}
}
