package notify_test

import (
	"context"
	"slices"
	"testing"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/notify"
)

// A thread's own level can be dropped (FollowGroup): the thread then
// follows the group's level, the loud followers' list forgets it, and
// dropping it again changes nothing. A group has no "group" to follow.
func TestThreadLevelFollowsTheGroupAgain(t *testing.T) {
	ctx := context.Background()
	notes, _ := newService(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(notes.SetLevel(ctx, "u1", notify.GroupScope("g1"), notify.Quiet))
	must(notes.SetLevel(ctx, "u1", notify.ThreadScope("t1"), notify.Loud))
	levels := func() [2]notify.Level {
		t.Helper()
		l, err := notes.Levels(ctx, []string{"u1"}, "g1", "t1")
		must(err)
		return l["u1"]
	}
	if got := levels(); got != [2]notify.Level{notify.Quiet, notify.Loud} || notify.Effective(got[0], got[1]) != notify.Loud {
		t.Fatalf("levels set: %v", got)
	}
	for i := 0; i < 2; i++ {
		must(notes.SetLevel(ctx, "u1", notify.ThreadScope("t1"), notify.FollowGroup))
		if got := levels(); got != [2]notify.Level{notify.Quiet, ""} || notify.Effective(got[0], got[1]) != notify.Quiet {
			t.Fatalf("after following the group (%d): %v", i+1, got)
		}
	}
	loud, err := notes.AtLevel(ctx, notify.ThreadScope("t1"), notify.Loud)
	must(err)
	if slices.Contains(loud, "u1") {
		t.Fatalf("u1 still follows the thread loudly: %v", loud)
	}
	if err := notes.SetLevel(ctx, "u1", notify.GroupScope("g1"), notify.FollowGroup); domain.ErrorCode(err) != domain.Invalid {
		t.Fatalf("a group's level set to follow the group: %v, want a validation error", err)
	}
}
