package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/tag"
)

// The browser test of tags (issue 17): the admin adds a tag on the group's
// Tags page, tags a thread from the thread's menu, follows the badge to
// the group's hub filtered by the tag, and clears the filter. Every page
// is checked with axe-core (colour contrast of the badges included, in the
// light and the dark scheme) and the CSP checks, at 1280 and 390 px.
func TestTagsJourney(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ada.signedUp()
	ada.open("/groups/new")
	ada.fill("Name", "Garden Club")
	if st := ada.submit("Create group"); st != 200 {
		t.Fatalf("create group: %d", st)
	}
	groupPath := ada.path()
	gid := strings.TrimPrefix(groupPath, "/groups/")
	adaCtx := actingAs(t, a, ada.Email)
	var tagged, other discussion.Thread
	var err error
	if tagged, err = a.Discussions.StartThread(adaCtx, discussion.StartInput{GroupID: gid, Title: "Spring planting"}); err != nil {
		t.Fatal(err)
	}
	if other, err = a.Discussions.StartThread(adaCtx, discussion.StartInput{GroupID: gid, Title: "Shed rota"}); err != nil {
		t.Fatal(err)
	}
	_ = other

	// The admin's Tags page: add one.
	ada.open(groupPath)
	ada.follow("Tags")
	ada.sees("No tags yet", "New tag")
	ada.fill("Name", "Urgent")
	ada.Do("choose a colour", chromedp.SetValue(ada.field("Colour"), "red"))
	if st := ada.submit("Add tag"); st != 200 {
		t.Fatalf("add tag: %d", st)
	}
	ada.sees("The tag was added", "Urgent")
	ada.audit("group tags")
	for _, w := range []int64{1280, 390} {
		ada.at(w, "group-tags")
	}

	// Tag the thread from its menu.
	ada.open("/threads/" + tagged.ID)
	ada.follow("Edit tags")
	ada.sees("Tags on this thread")
	ada.Do("check Urgent", chromedp.Click(ada.field("Urgent")))
	if st := ada.submit("Save tags"); st != 200 {
		t.Fatalf("save tags: %d", st)
	}
	ada.sees("The tags were saved.", "Urgent")
	ada.audit("thread with a tag")

	// The badge leads to the hub filtered by the tag.
	ada.follow("Urgent")
	ada.sees("Showing threads tagged", "Spring planting")
	ada.notSees("Shed rota")
	ada.audit("group hub filtered by a tag")
	for _, w := range []int64{1280, 390} {
		ada.at(w, "group-hub-tag-filter")
	}
	ada.colorScheme("dark")
	ada.audit("group hub filtered by a tag, dark")
	ada.at(1280, "group-hub-tag-filter-dark")
	ada.colorScheme("")
	ada.follow("Show all threads")
	ada.sees("Spring planting", "Shed rota")

	// Tags on the new-thread form, and the plain thread list's filter.
	budget, bname := "Budget", "teal"
	if _, err := a.Discussions.Tags().Create(adaCtx, gid, tag.Input{Name: &budget, Colour: &bname}); err != nil {
		t.Fatal(err)
	}
	ada.open(groupPath + "/threads/new")
	ada.sees("Tags", "(optional, at most 10)")
	ada.fill("Title", "Tool library")
	ada.Do("check Budget", chromedp.Click(ada.field("Budget")))
	ada.audit("new thread with the tag picker")
	for _, w := range []int64{1280, 390} {
		ada.at(w, "thread-new-tags")
	}
	if st := ada.submit("Start thread"); st != 200 {
		t.Fatalf("start thread: %d", st)
	}
	ada.sees("Tool library", "Budget")
	ada.open(groupPath + "/threads")
	ada.follow("Budget")
	ada.sees("Showing threads tagged", "Tool library")
	ada.notSees("Shed rota", "Spring planting")
	ada.audit("thread list filtered by a tag")
	for _, w := range []int64{1280, 390} {
		ada.at(w, "thread-list-tag-filter")
	}
	ada.follow("Show all threads")
	ada.sees("Tool library", "Shed rota", "Spring planting")

	// The new-poll form offers the tags too.
	ada.open(groupPath + "/polls/new?type=proposal")
	ada.unfolds() // the tags are among the form's "More settings"
	ada.sees("Tags", "Budget", "Urgent")
	ada.at(390, "poll-new-tags")
}
