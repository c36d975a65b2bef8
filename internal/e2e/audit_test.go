package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
)

// TestAuditRecordPage: an admin changes her group's settings, opens the
// record of admin actions from the group page and checks it; the page is
// accessible, keeps the CSP and fits a phone.
func TestAuditRecordPage(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ada.signedUp() // a minted session: signing in is other tests' subject
	ada.open("/dashboard")
	ada.follow("Groups")
	ada.follow("New group")
	ada.fill("Name", "Tenants Association")
	if st := ada.submit("Create group"); st != 200 {
		t.Fatalf("create group: status %d", st)
	}
	groupPath := ada.path()
	gid := strings.TrimPrefix(groupPath, "/groups/")
	ada.follow("Settings")
	ada.fill("Name", "Tenants' Association")
	ada.submit("Save settings")

	ada.open(groupPath)
	ada.follow("Record of admin actions")
	ada.sees("Record of admin actions", "Ada Lovelace changed the group's settings", "being added to the record")
	// The stream seals entries within a second in production; here the
	// test does what the consumer would.
	if _, err := a.Audit.Seal(context.Background(), gid, 100); err != nil {
		t.Fatal(err)
	}
	ada.follow("check the record")
	ada.sees("The record is intact: 1 entry checked", "entry 1", "(changed: name)")
	// The header's search box has no open suggestion list on a fresh page
	// (a closed list once showed as an empty box under it on every page).
	shown := browsertest.Get(ada.Session, "suggestion lists shown",
		chromedp.Evaluate[int](`[...document.querySelectorAll(".suggestions")].filter(e => getComputedStyle(e).display !== "none").length`))
	if shown != 0 {
		t.Errorf("%d empty suggestion lists are visible", shown)
	}
	ada.RequireAccessible("record of admin actions")
	ada.checkCSP("record of admin actions")
	for _, w := range []int64{1280, 390} {
		ada.at(w, "audit")
	}
}
