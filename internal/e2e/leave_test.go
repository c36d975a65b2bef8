package e2e

import (
	"testing"
)

// deletionCode reads the code from the newest account-deletion email.
func (s *site) deletionCode(addr string) string {
	s.t.Helper()
	m := s.nextMail(addr, "delete your Quorum account")
	c := codeRe.FindStringSubmatch(m.Body.Text)
	if c == nil {
		s.t.Fatalf("no code in the deletion email: %q", m.Body.Text)
	}
	return c[1]
}

// TestDeleteAccount (#16): the only admin of a group is refused with the
// group named; a member deletes her account from settings with the mailed
// code, is signed out, gets a confirmation and can sign up afresh. The
// confirmation page is accessible, keeps the CSP and fits a phone.
func TestDeleteAccount(t *testing.T) {
	t.Parallel()
	s, _ := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ada.open("/signup")
	ada.signInWithCode(true)
	ada.follow("Groups")
	ada.follow("New group")
	ada.fill("Name", "Tenants Association")
	if st := ada.submit("Create group"); st != 200 {
		t.Fatalf("create group: status %d", st)
	}
	ada.open("/settings")
	ada.sees("Delete account", "votes keep counting")
	ada.submit("Delete my account…")
	ada.sees("We sent a 6-digit code", ada.Email, "Your votes keep counting")
	ada.fill("Code from the email", s.deletionCode(ada.Email))
	ada.submit("Delete my account permanently")
	ada.sees(`you are the only admin of "Tenants Association"`)

	ben := s.person(t, "ben", "Ben Okafor")
	ben.open("/signup")
	ben.signInWithCode(true)
	ben.open("/settings")
	for _, w := range []int64{1280, 390} {
		ben.at(w, "settings-danger-zone")
	}
	ben.submit("Delete my account…")
	ben.fill("Code from the email", "000000")
	ben.submit("Delete my account permanently")
	ben.sees("attempts left")
	ben.fill("Code from the email", s.deletionCode(ben.Email))
	ben.RequireAccessible("delete account")
	ben.checkCSP("delete account")
	for _, w := range []int64{1280, 390} {
		ben.at(w, "delete-account")
	}
	ben.submit("Delete my account permanently")
	ben.sees("Your account was deleted")
	m := s.nextMail(ben.Email, "has been deleted")
	if m.Subject != "Your Quorum account was deleted" {
		t.Fatalf("confirmation subject %q", m.Subject)
	}
	if st := ben.open("/settings"); ben.path() != "/login" {
		t.Fatalf("settings after deletion: %d at %s", st, ben.path())
	}
	// The same address signs up to a new, empty account.
	ben.Name = "Ben Again"
	ben.open("/signup")
	ben.signInWithCode(true)
}
