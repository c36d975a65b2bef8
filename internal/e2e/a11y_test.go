package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
)

// Every page of issue 3's workflows, in the states people meet them
// (empty, filled, with form errors), as the person who would see it: axe-core
// finds no serious or critical violation, and the page keeps to its CSP
// (no inline script, nothing from another origin, no violation reported).
func TestAccessibility(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ada := s.person(t, "ada", "Ada Lovelace") // admin
	ben := s.person(t, "ben", "Ben Franklin") // invited
	cy := s.person(t, "cy", "Cy Young")       // asks to join
	anon := s.person(t, "anon", "")           // never signs in

	// Anonymous pages.
	anon.open("/")
	anon.audit("home")
	anon.open("/signup")
	anon.audit("sign up")
	anon.open("/login")
	anon.audit("sign in")
	anon.submit("Email me a code") // empty address: errors on the form
	anon.sees("Please correct the following", "Email address")
	anon.audit("sign in with a form error")
	if st := anon.open("/no/such/page"); st != 404 {
		t.Fatalf("unknown page: status %d", st)
	}
	anon.audit("404 page")

	// Ada signs in with the magic link (first after a wrong code).
	ada.open("/login")
	ada.fillIn(`form[action="/login"]`, "Email address", ada.Email)
	ada.submit("Email me a code")
	ada.audit("code entry")
	_, link := s.loginCode(ada.Email)
	ada.fill("Code from the email", "000000")
	ada.submit("Sign in")
	ada.sees("Check your email")
	ada.audit("code entry with a wrong code")
	ada.open(link)
	ada.sees("Continue signing in")
	ada.audit("magic-link confirm")
	ada.submit("Sign in to Quorum")
	if h := ada.heading(); h != "Welcome to Quorum" {
		t.Fatalf("after the link: %q", h)
	}
	ada.audit("welcome")
	ada.fill("Your name", "Ada Lovelace")
	ada.submit("Continue")
	ada.audit("home, signed in")

	// Account settings.
	ada.follow("Ada Lovelace")
	ada.audit("settings")
	ada.fill("Time zone", "Mars/Olympus_Mons")
	ada.submit("Save profile")
	ada.sees("Please correct the following")
	ada.audit("settings with a form error")
	ada.follow("API tokens")
	ada.audit("tokens (none)")
	ada.fill("Name", "weekly report script")
	ada.submit("Create token")
	ada.sees("created.", "weekly report script")
	ada.audit("tokens (new token shown)")
	ada.follow("Settings")
	ada.follow("Sessions and devices")
	ada.sees("(this browser)")
	ada.audit("sessions")

	// Groups.
	ada.follow("Groups")
	ada.audit("group list (empty)")
	ada.follow("New group")
	ada.audit("new group")
	ada.submit("Create group")
	ada.sees("Please correct the following")
	ada.audit("new group with a form error")
	ada.fill("Name", "Garden Club")
	ada.submit("Create group")
	groupPath := ada.path()
	ada.audit("group page (admin)")
	ada.follow("Invite people")
	ada.audit("invitations (none)")
	ada.fill("Email addresses", ben.Email)
	ada.submit("Send invitations")
	ada.sees(ben.Email + ": invitation sent")
	ada.audit("invitations (sent)")
	joinLink := browsertest.Get(ada.Session, "read join link", chromedp.Value(ada.field("Anyone with this link can join the group")))
	ada.fill("Email addresses", "not-an-address")
	ada.submit("Send invitations")
	ada.sees("Please correct the following")
	ada.audit("invitations with a form error")
	ada.open(groupPath)
	ada.follow("Members")
	ada.audit("members")
	ada.open(groupPath)
	ada.follow("Membership requests")
	ada.audit("requests (none)")
	ada.open(groupPath)
	ada.follow("Settings")
	ada.audit("group settings")
	ada.follow("Groups")
	ada.audit("group list")

	// Ben, not signed in, opens the invitation and the join link; then
	// signs in from the invitation and sees it with the button.
	inv := s.nextMail(ben.Email, "/invitations/")
	ben.open(s.linkIn(inv, "/invitations/"))
	ben.audit("accept invitation (signed out)")
	invitation := ben.URL()
	ben.open(joinLink)
	ben.sees("This link lets you join")
	ben.audit("join link (signed out)")
	ben.open(invitation)
	ben.follow("sign in")
	ben.signInWithCode(true)
	ben.sees("Join Garden Club")
	ben.audit("accept invitation (signed in)")
	ben.submit("Join Garden Club")
	ben.audit("group page (member)")

	// Cy, signed in but not a member, asks to join the closed group.
	cy.open("/login")
	cy.signInWithCode(true)
	cy.open(groupPath)
	cy.sees("Ask to join")
	cy.audit("group page (non-member, closed)")
	cy.fill("Message to the admins", "I grow tomatoes.")
	cy.submit("Ask to join")
	cy.sees("Your request was sent.")
	cy.audit("group page (request pending)")
	cy.open(joinLink)
	cy.audit("join link (signed in)")

	ada.open(groupPath + "/requests")
	ada.sees("Cy Young", "I grow tomatoes.")
	ada.audit("requests (one)")
	ada.open(groupPath + "/members/x/role") // GET of a POST route
	ada.audit("error page (no such member page)")

	// Email change, last: it moves Ada's account to a new address.
	ada.open("/settings")
	newEmail := s.email("ada.new")
	ada.fill("New email address", newEmail)
	ada.submit("Send confirmation link")
	ada.sees("We sent a confirmation link")
	ada.audit("settings (email change sent)")
	conf := s.nextMail(newEmail, "/settings/email/confirm")
	ada.open(s.linkIn(conf, "/settings/email/confirm"))
	ada.audit("email change confirm")
	ada.submit("Confirm new address")
	ada.sees("Your account now uses", newEmail)
	ada.audit("email changed")

	t.Logf("audited %d pages: %s", len(s.audited), strings.Join(s.audited, "; "))
}
