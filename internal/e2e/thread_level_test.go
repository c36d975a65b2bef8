package e2e

import (
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/notify"
)

// A thread's notification menu offers "Same as the group" first: chosen,
// it drops the thread's own level, and the menu then follows the group's
// level (and says so). Looked at with QUORUM_SCREENSHOTS at 1280 and 390 px.
func TestThreadLevelFollowsTheGroup(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ben := s.person(t, "ben", "Ben Franklin")
	for _, p := range []*person{ada, ben} {
		p.signedUp()
	}
	ada.open("/groups/new")
	ada.fill("Name", "Garden Club")
	if st := ada.submit("Create group"); st != 200 {
		t.Fatalf("create group: %d", st)
	}
	gid := strings.TrimPrefix(ada.path(), "/groups/")
	adaCtx := actingAs(t, a, ada.Email)
	link, err := a.Groups.JoinLink(adaCtx, gid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Groups.JoinViaLink(actingAs(t, a, ben.Email), link[strings.LastIndex(link, "/join/")+len("/join/"):]); err != nil {
		t.Fatal(err)
	}
	th, err := a.Discussions.StartThread(adaCtx, discussion.StartInput{GroupID: gid, Title: "Spring planting"})
	if err != nil {
		t.Fatal(err)
	}
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
	ben.open("/threads/" + th.ID)
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
