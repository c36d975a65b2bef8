package e2e

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestDeleteAndRestoreGroup (#16): an admin deletes a group from its page
// (typing its name), sees it with a banner and Restore while a member
// gets "not found" and an email; Restore brings it back for everyone. The
// confirmation page and the banner are accessible, keep the CSP and fit a
// phone.
func TestDeleteAndRestoreGroup(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ben := s.person(t, "ben", "Ben Okafor")
	for _, p := range []*person{ada, ben} {
		p.signedUp()
	}
	ada.open("/groups/new")
	ada.fill("Name", "Tenants Association")
	if st := ada.submit("Create group"); st != 200 {
		t.Fatalf("create group: %d", st)
	}
	groupPath := ada.path()
	gid := strings.TrimPrefix(groupPath, "/groups/")
	link, err := a.Groups.JoinLink(actingAs(t, a, ada.Email), gid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Groups.JoinViaLink(actingAs(t, a, ben.Email), link[strings.LastIndex(link, "/join/")+len("/join/"):]); err != nil {
		t.Fatal(err)
	}

	ada.open(groupPath)
	ada.follow("Delete the group")
	ada.sees("What happens", "14 days", "To keep a copy, export the group first.")
	ada.RequireAccessible("delete group")
	ada.checkCSP("delete group")
	for _, w := range []int64{1280, 390} {
		ada.at(w, "delete-group")
	}
	ada.fill("Type the group's name, Tenants Association, to confirm", "Tenants")
	ada.submit("Delete the group")
	ada.sees("type the group's name exactly")
	ada.fill("Type the group's name, Tenants Association, to confirm", "Tenants Association")
	ada.submit("Delete the group")
	ada.sees("This group is deleted and hidden from its members.", "It will be erased for good on")
	ada.RequireAccessible("deleted group banner")
	for _, w := range []int64{1280, 390} {
		ada.at(w, "deleted-group")
	}
	if st := ben.open(groupPath); st != 404 {
		t.Fatalf("a member opens the deleted group: %d", st)
	}
	rep, err := a.Tick(context.Background(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tick: %+v", rep.Groups)
	m := s.nextMail(ben.Email, "deleted the group")
	if !strings.Contains(m.Body.Text, "Tenants Association") || !strings.Contains(m.Body.Text, "restore") {
		t.Fatalf("notice: %q", m.Body.Text)
	}

	ada.submit("Restore the group")
	ada.notSees("This group is deleted")
	if st := ben.open(groupPath); st != 200 {
		t.Fatalf("a member opens the restored group: %d", st)
	}
	ben.sees("Tenants Association")
}
