package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/discussion"
)

// What a demanding new customer stumbled on (issue 15), walked in Chromium
// at 1280 and 390 px: Ada's browser is in Berlin, so her profile starts in
// Berlin's zone and her thread's dates say CET, not UTC; a comment reads
// "just now" with the full date on hover; her new group's hub offers
// "Invite people" as a button and keeps everything else in one "Group
// actions" menu, and the join link a copy button; leaving the group and
// removing a member ask first (a
// "no" changes nothing); a notification quoting a very long word fits a
// phone. Every state is checked with axe-core and the CSP checks.
func TestNewCustomerFirstSteps(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ben := s.person(t, "ben", "Ben Franklin")
	if _, err := chromedp.Call(ada.Ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Europe/Berlin"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*person{ada, ben} {
		p.open("/signup")
		p.signInWithCode(true)
	}

	// The zone the browser reported is the profile's.
	ada.open("/settings")
	if tz := browsertest.Get(ada.Session, "read the time zone", chromedp.Evaluate[string](`document.querySelector("#time_zone").value`)); tz != "Europe/Berlin" {
		t.Fatalf("after the welcome page the profile's zone is %q, want the browser's Europe/Berlin", tz)
	}

	ada.open("/groups/new")
	ada.fill("Name", "Garden Club")
	if st := ada.submit("Create group"); st != 200 {
		t.Fatalf("create group: %d", st)
	}
	groupPath := ada.path()
	gid := strings.TrimPrefix(groupPath, "/groups/")

	// The hub: the next step is a button; the rest is one menu, closed.
	ada.sees("Your group is ready", "New thread", "Invite people", "Group actions")
	ada.notSees("Record of admin actions", "Export the group")
	if n := countOf(ada, `.hub-actions a.button[href$="/invitations"]`); n != 1 {
		t.Errorf("the hub shows %d Invite people buttons, want 1", n)
	}
	ada.audit("new group's hub")
	ada.at(1280, "newcustomer-hub")
	ada.at(390, "newcustomer-hub")
	ada.Do("open the group's actions", chromedp.Click(`details.group-actions > summary`))
	ada.sees("Settings", "Record of admin actions", "Export the group", "Leave Garden Club", "Delete the group")
	ada.audit("new group's hub, actions open")
	ada.at(1280, "newcustomer-hub-menu")
	ada.at(390, "newcustomer-hub-menu")

	// The join link comes with a button that copies it.
	ada.follow("Invite people")
	ada.sees("Join link", "Copy the link")
	ada.audit("invitations with the join link's copy button")
	ada.at(390, "newcustomer-invitations")
	ada.Do("copy the join link", chromedp.Click(`button[data-copy="join-link"]`))
	copied := browsertest.Get(ada.Session, "read the copy status", chromedp.Evaluate[string](`new Promise(r => setTimeout(() => r(document.querySelector(".copy-status").textContent || (document.activeElement && document.activeElement.id)), 300))`, chromedp.EvalAwaitPromise))
	if copied != "Link copied." && copied != "join-link" {
		t.Errorf("after Copy the link: %q (want the status, or the link selected where the clipboard is refused)", copied)
	}

	adaCtx := actingAs(t, a, ada.Email)
	link, err := a.Groups.JoinLink(adaCtx, gid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Groups.JoinViaLink(actingAs(t, a, ben.Email), link[strings.LastIndex(link, "/join/")+len("/join/"):]); err != nil {
		t.Fatal(err)
	}

	// Leaving asks first; answering no leaves Ben a member.
	ben.open(groupPath)
	ask := browsertest.Get(ben.Session, "read the question", chromedp.Evaluate[string](`document.querySelector('form[action$="/leave"]').dataset.confirm`))
	if ask != "Leave Garden Club?" {
		t.Errorf("leaving asks %q", ask)
	}
	browsertest.Get(ben.Session, "answer no", chromedp.Evaluate[bool](`(window.confirm = () => false, true)`))
	ben.Do("open the group's actions", chromedp.Click(`details.group-actions > summary`))
	ben.Do("press Leave", chromedp.Click(ben.button("Leave Garden Club")))
	ben.open(groupPath)
	ben.sees("you are a member")

	// So does removing a member.
	ada.open(groupPath + "/members")
	browsertest.Get(ada.Session, "answer no", chromedp.Evaluate[bool](`(window.confirm = () => false, true)`))
	ada.Do("press Remove", chromedp.Click(`form[action$="/remove"][data-confirm="Remove Ben Franklin from the group?"] button`))
	ada.open(groupPath + "/members")
	ada.sees("Ben Franklin")

	// The thread's dates are in Berlin's zone; a comment says how long ago.
	th, err := a.Discussions.StartThread(adaCtx, discussion.StartInput{GroupID: gid, Title: "Spring planting",
		Description: "What goes in the south bed this year?"})
	if err != nil {
		t.Fatal(err)
	}
	long := "Donaudampfschifffahrtsgesellschaftskapitänskajütenschlüsselanhängerverkaufsstelle"
	if _, err := a.Discussions.Comment(actingAs(t, a, ben.Email), th.ID, discussion.CommentInput{Body: "@Ada, look: " + long + long}); err != nil {
		t.Fatal(err)
	}
	ada.open("/threads/" + th.ID)
	ada.sees("Started by Ada Lovelace")
	main := browsertest.Get(ada.Session, "read the page", chromedp.Evaluate[string](`document.querySelector("main").innerText`))
	if strings.Contains(main, " UTC") || !strings.Contains(main, " CET") {
		t.Errorf("Ada's thread page is not in her zone (CET):\n%s", main)
	}
	stamp := browsertest.Get(ada.Session, "read the comment's time", chromedp.Evaluate[[]string](
		`(t => t ? [t.textContent, t.title, t.getAttribute("datetime")] : [])(document.querySelector(".comment .meta time"))`))
	if len(stamp) != 3 || (stamp[0] != "just now" && !strings.HasSuffix(stamp[0], "ago")) || !strings.HasSuffix(stamp[1], " CET") || !strings.HasSuffix(stamp[2], "Z") {
		t.Errorf("the comment's time reads %q, want how long ago, its full date in CET as the title and the instant", stamp)
	}
	ada.audit("thread in the reader's zone")

	// The notification quoting the long word fits a phone.
	ada.seesNotifications("Ben Franklin mentioned you")
	ada.audit("notifications with a long word")
	ada.at(1280, "newcustomer-notifications")
	ada.at(390, "newcustomer-notifications")
}
