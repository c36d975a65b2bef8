package e2e

import (
	"os"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/notify"
)

// A thread's notification menu offers "Same as the group" first: chosen,
// it drops the thread's own level, and the menu then follows the group's
// level (and says so). Looked at with QUORUM_SCREENSHOTS at 1280 and 390 px.
func TestThreadLevelFollowsTheGroup(t *testing.T) {
	t.Parallel()
	g := newGardenThread(t, nil) // Ada's Garden Club, Ben a member, Ada's thread
	a, ben, gid := g.a, g.ben, g.gid
	selected := func() string {
		t.Helper()
		return browsertest.Get(ben.Session, "read the level menu", chromedp.Value(`#thread-level`))
	}
	choose := func(level string) {
		t.Helper()
		ben.unfolds()
		ben.Do("choose "+level, chromedp.SetValue(`#thread-level`, level))
		if st := ben.submit("Save notification setting"); st != 200 {
			t.Fatalf("save %s: %d", level, st)
		}
	}
	shot := func(name string) {
		t.Helper()
		ben.unfolds()
		ben.audit(name)
		if os.Getenv("QUORUM_SCREENSHOTS") != "" {
			ben.at(1280, name)
			ben.at(390, name)
		}
	}

	if err := a.Discussions.SetGroupLevel(actingAs(t, a, ben.Email), gid, notify.Quiet); err != nil {
		t.Fatal(err)
	}
	ben.open("/threads/" + g.thread)
	ben.unfolds()
	if got := selected(); got != "group" {
		t.Fatalf("nothing set for the thread: the menu shows %q", got)
	}
	ben.sees("Same as the group (quiet)", "This follows your setting for the whole group: quiet.")
	choose("loud")
	ben.sees("Your notification setting was saved.")
	ben.unfolds()
	if got := selected(); got != "loud" {
		t.Fatalf("after choosing loud: the menu shows %q", got)
	}
	shot("thread-level-own")
	choose("group")
	if got := selected(); got != "group" {
		t.Fatalf("after choosing the group's: the menu shows %q", got)
	}
	ben.unfolds()
	ben.sees("This follows your setting for the whole group: quiet.")
	shot("thread-level-follows-group")
}
