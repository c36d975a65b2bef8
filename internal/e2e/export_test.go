package e2e

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestPersonalExport (#16): from settings a member asks for her export,
// sees it being prepared, gets the email when the scheduler has made it,
// and finds it ready with a Download button. The page is accessible, keeps
// the CSP and fits a phone.
func TestPersonalExport(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ben := s.person(t, "ben", "Ben Okafor")
	ben.open("/signup")
	ben.signInWithCode(true)
	ben.open("/settings")
	ben.follow("Export your data")
	ben.sees("Export your data", "anonymous polls", "two minutes", "7 days")
	ben.submit("Prepare my export")
	ben.sees("Your export is being prepared", "Waiting to start", "Refresh to see the progress")
	ben.RequireAccessible("export being prepared")
	for _, w := range []int64{1280, 390} {
		ben.at(w, "export-preparing")
	}
	for i := 0; i < 20; i++ {
		r, err := a.Tick(context.Background(), time.Now())
		if err != nil {
			t.Fatalf("tick: %v", err)
		}
		if r.Exports.Finished > 0 {
			break
		}
	}
	m := s.nextMail(ben.Email, "The export you asked for is ready")
	if !strings.Contains(m.Body.Text, "/settings/export") {
		t.Fatalf("the email does not lead to the export page: %q", m.Body.Text)
	}
	ben.follow("Refresh to see the progress")
	ben.sees("Ready", "records", "Download", "Prepare my export")
	ben.RequireAccessible("export ready")
	ben.checkCSP("export ready")
	for _, w := range []int64{1280, 390} {
		ben.at(w, "export-ready")
	}
}

// TestGroupExport (#16): an admin exports her group from the group page,
// follows the progress and finds it ready; the page is accessible and
// fits a phone.
func TestGroupExport(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ada.open("/signup")
	ada.signInWithCode(true)
	ada.follow("Groups")
	ada.follow("New group")
	ada.fill("Name", "Tenants Association")
	if st := ada.submit("Create group"); st != 200 {
		t.Fatalf("create group: status %d", st)
	}
	ada.follow("Export the group")
	ada.sees("Export Tenants Association", "JSON Lines", "offline", "anonymous polls carry no voter")
	ada.submit("Prepare an export")
	ada.sees("The export is being prepared", "Waiting to start")
	for i := 0; i < 20; i++ {
		r, err := a.Tick(context.Background(), time.Now())
		if err != nil {
			t.Fatalf("tick: %v", err)
		}
		if r.Exports.Finished > 0 {
			break
		}
	}
	ada.follow("Refresh to see the progress")
	ada.sees("Ready", "Download", "Prepare an export")
	ada.RequireAccessible("group export")
	ada.checkCSP("group export")
	for _, w := range []int64{1280, 390} {
		ada.at(w, "group-export")
	}
}
