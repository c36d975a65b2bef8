package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
)

// Ada posts a task list ("- [ ] …", "- [x] …") in a thread: the page shows
// each item's box, ☐ or ☑, in the bullet's place; no form control (it
// shows what Ada wrote; editing the comment changes it). axe-clean,
// nothing wider than 390 px (screenshots with QUORUM_SCREENSHOTS).
func TestTaskListInThread(t *testing.T) {
	t.Parallel()
	g := newGardenThread(t, nil)
	ada, ben := g.ada, g.ben
	threadPath := "/threads/" + g.thread
	ada.open(threadPath)
	ada.fill("Comment", "Before Saturday:\n\n- [x] buy seeds\n- [ ] dig the south bed\n- [ ] water the seedlings every morning until they are at least ten centimetres tall")
	if st := ada.submit("Post comment"); st != 200 {
		t.Fatalf("post comment: %d", st)
	}
	ben.open(threadPath)
	ben.sees("buy seeds", "dig the south bed")
	ben.notSees("[x]", "[ ]")
	read := `[...document.querySelectorAll(".user-content li > .task")].map(e =>
		e.textContent + ":" + getComputedStyle(e.parentElement).listStyleType).join("|") +
		"|inputs:" + document.querySelectorAll(".user-content input").length`
	want := "☑:none|☐:none|☐:none|inputs:0"
	if got := browsertest.Get(ben.Session, "read the boxes", chromedp.Evaluate[string](read)); got != want {
		t.Fatalf("the task list's boxes are %q, want %q", got, want)
	}
	ben.audit("thread with a task list")
	ben.at(1280, "tasklist-thread")
	ben.at(390, "tasklist-thread")
}
