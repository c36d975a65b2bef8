package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The journey of issue 3, in two isolated browser contexts: Ada signs up
// with the emailed code, creates a closed group and invites Ben by email;
// Ben opens the link from his email, creates his account as that address and
// joins; Ada lets members add members and Ben gains the invitation page;
// Ada takes it back and Ben is refused with a clear message.
func TestJourney(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ben := s.person(t, "ben", "Ben Franklin")

	// Ada signs up.
	ada.open("/")
	ada.follow("Sign up")
	if h := ada.heading(); h != "Create your account" {
		t.Fatalf("sign-up heading %q", h)
	}
	ada.signInWithCode(true)
	ada.sees("Dashboard", "Get started") // the start page is the dashboard once signed in, with first steps

	// Ada creates a closed group.
	ada.follow("Groups")
	ada.sees("You are not in any group yet")
	ada.follow("New group")
	ada.fill("Name", "Garden Club")
	ada.fill("Description", "Who waters what, and when.")
	if st := ada.submit("Create group"); st != 200 {
		t.Fatalf("create group: status %d", st)
	}
	if h := ada.heading(); h != "Garden Club" {
		t.Fatalf("group page heading %q", h)
	}
	ada.sees("Your group is ready", "closed group", "you are an admin", "Who waters what")
	groupPath := ada.path()

	// Ada invites Ben from the invitations page.
	ada.follow("Invite people")
	ada.fill("Email addresses", ben.Email)
	ada.fill("Personal message", "Join us for the spring planting.")
	ada.submit("Send invitations")
	ada.sees("Invitations sent.", ben.Email+": invitation sent")

	// Ben opens the link in his email, in his own browser context.
	inv := s.nextMail(ben.Email, "/invitations/")
	if !strings.Contains(inv.Subject, "Garden Club") {
		t.Fatalf("invitation subject %q", inv.Subject)
	}
	ben.open(s.linkIn(inv, "/invitations/"))
	if h := ben.heading(); h != "Join Garden Club" {
		t.Fatalf("invitation heading %q", h)
	}
	ben.sees("Ada Lovelace invited", "to join this closed group") // the address is masked until signed in
	ben.follow("create an account")
	if h := ben.heading(); h != "Create your account" {
		t.Fatalf("sign-up heading %q", h)
	}
	ben.signInWithCode(true)
	// Signing up returns Ben to the invitation, now as the invited address.
	if h := ben.heading(); h != "Join Garden Club" {
		t.Fatalf("after sign-up Ben is on %q (%s), want the invitation", h, ben.URL())
	}
	ben.submit("Join Garden Club")
	if ben.path() != groupPath {
		t.Fatalf("after accepting Ben is at %s, want %s", ben.path(), groupPath)
	}
	ben.sees("Welcome! You are now a member.", "you are a member", "Members")
	// In a closed group members cannot add members by default.
	ben.notSees("Invite people", "Settings of")

	// Ada sees Ben among the members.
	ada.open(groupPath)
	ada.follow("Members")
	ada.sees("Ben Franklin", ben.Email)

	// Ada lets members add members.
	ada.open(groupPath)
	ada.follow("Settings")
	setFlag(t, ada, "Members can add members", true)

	// Ben now has the invitation page.
	ben.open(groupPath)
	ben.follow("Invite people")
	if h := ben.heading(); h != "Invite people to Garden Club" {
		t.Fatalf("Ben's invitation page heading %q", h)
	}
	invitePath := ben.path()

	// Ada turns it off again.
	ada.open(groupPath + "/settings")
	setFlag(t, ada, "Members can add members", false)

	// Ben loses the link, and the page itself refuses him with the reason.
	ben.open(groupPath)
	ben.sees("you are a member")
	ben.notSees("Invite people")
	if st := ben.open(invitePath); st != 403 {
		t.Fatalf("invitation page after the change: status %d, want 403", st)
	}
	ben.sees("only admins can add people to this group")
	ben.notSees(ben.Email + ": invitation sent")

	// Nothing along the way broke the CSP or went to another origin.
	ada.checkCSP("Ada's journey")
	ben.checkCSP("Ben's journey")
}

// setFlag checks or unchecks a permission on the group settings page by its
// label, saves, and confirms the saved state.
func setFlag(t *testing.T, p *person, label string, on bool) {
	t.Helper()
	sel := p.field(label)
	if p.checked(sel) != on {
		// By keyboard: focus the checkbox and press the space bar.
		p.Do("toggle "+label, chromedp.Focus(sel), chromedp.KeyEvent(" "))
	}
	if p.checked(sel) != on {
		t.Fatalf("%q did not toggle", label)
	}
	p.submit("Save settings")
	p.sees("Settings saved.")
	if got := p.checked(p.field(label)); got != on {
		t.Fatalf("after saving, %q is %v, want %v", label, got, on)
	}
}
