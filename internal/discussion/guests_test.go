package discussion_test

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/render/rendertest"
	"github.com/quorum-app/quorum/internal/testkit"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/mail"
)

// mailPeople is discPeople with the accounts' addresses (accepting an
// invitation compares them).
type mailPeople struct{ p *testkit.Directory }

func (d mailPeople) UserByID(ctx context.Context, id string) (discussion.Person, error) {
	v, err := d.p.UserByID(ctx, id)
	return discussion.Person{ID: v.ID, Name: v.Name, Email: v.Email, Lang: v.Lang, TimeZone: v.TimeZone}, err
}

func (d mailPeople) UserIDByEmail(ctx context.Context, email string) (string, bool, error) {
	return d.p.UserIDByEmail(ctx, email)
}

// mailService is the fixture's discussion service with email (the SES
// emulator) and a clock.
func (f *fixture) mailService(now func() time.Time) *discussion.Service {
	env := f.env
	return discussion.New(discussion.Config{
		Store: f.st, Policy: f.groups, People: mailPeople{f.people}, Notify: f.notes,
		Uploads:    blob.NewUploads(env.Clients.S3, env.Config.UploadsBucket, env.Config.KMSKeyID, blob.DefaultLimits()),
		SigningKey: env.Config.SigningKey, Mail: mail.NewSES(env.Clients.SES, "", env.Config.MailDomain),
		MailFrom: env.Config.MailFrom, BaseURL: env.Config.BaseURL, Now: now,
	})
}

// addressOf is the address f.user gives name (before the account exists).
func (f *fixture) addressOf(name string) string {
	return strings.ToLower(strings.ReplaceAll(name, " ", "")) + "." + f.tag + "@example.org"
}

var guestLinkRe = regexp.MustCompile(`/thread-invitations/([A-Za-z0-9._-]+)`)

// invitationMail waits for the newest invitation email to addr that
// differs from skip and returns it with its token.
func (f *fixture) invitationMail(addr, skip string) (mail.StoredMessage, string) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msg, err := mail.Emulator{URL: f.env.Config.SESEndpoint}.WaitFor(ctx, addr, func(m mail.StoredMessage) bool {
		s := guestLinkRe.FindStringSubmatch(m.Body.Text)
		return s != nil && s[1] != skip
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return msg, guestLinkRe.FindStringSubmatch(msg.Body.Text)[1]
}

// scanFor reports whether any stored item holds s.
func (f *fixture) scanFor(s string) bool {
	f.t.Helper()
	var items []map[string]any
	if err := f.st.Table().Scan().All(context.Background(), &items); err != nil {
		f.t.Fatal(err)
	}
	for _, it := range items {
		for _, v := range it {
			if str, ok := v.(string); ok && strings.Contains(str, s) {
				return true
			}
		}
	}
	return false
}

func TestGuestInvitationByEmail(t *testing.T) {
	f := newFixture(t)
	svc := f.mailService(nil)
	alice, _ := f.user("Alice")
	bob, _ := f.user("Bob")
	gid := f.group(alice, authz.Closed, bob)
	th := f.thread(alice, gid, "Planting plan")
	addr := f.addressOf("Newbie")

	// Outsiders learn nothing; malformed addresses are refused.
	eve, _ := f.user("Eve")
	if _, err := svc.InviteGuestByEmail(eve, th.ID, addr); code(err) != domain.Forbidden && code(err) != domain.NotFound {
		t.Fatalf("outsider invites: %v", err)
	}
	if _, err := svc.InviteGuestByEmail(alice, th.ID, "not an address"); code(err) != domain.Invalid {
		t.Fatalf("bad address: %v", err)
	}

	// No account yet: an invitation is emailed (InviteGuest, the old entry point, too).
	f.must(svc.InviteGuest(alice, th.ID, addr))
	msg, token := f.invitationMail(addr, "")
	if !strings.Contains(msg.Body.Text, f.env.Config.BaseURL.String()+"/thread-invitations/"+token) ||
		!strings.Contains(msg.Body.HTML, "/thread-invitations/"+token) || !strings.Contains(msg.Body.Text, "Planting plan") ||
		!strings.Contains(msg.Body.Text, "Alice") || strings.Contains(msg.Body.HTML, "<img") {
		t.Fatalf("invitation email:\n%s\n%s", msg.Body.Text, msg.Body.HTML)
	}
	// Only the token's hash is stored.
	secret := token[strings.LastIndexByte(token, '.')+1:]
	if f.scanFor(token) || f.scanFor(secret) {
		t.Fatal("the invitation token is stored in plaintext")
	}
	pending, err := svc.GuestInvitations(alice, th.ID)
	f.must(err)
	if len(pending) != 1 || pending[0].Email != addr || pending[0].Expired || pending[0].SentCount != 1 {
		t.Fatalf("pending %+v", pending)
	}

	// Inviting again renews and resends: one invitation, the old link is dead.
	res, err := svc.InviteGuestByEmail(alice, th.ID, strings.ToUpper(addr))
	f.must(err)
	if res.Status != "resent" || res.Invitation == nil || res.Invitation.SentCount != 2 {
		t.Fatalf("re-invite %+v", res)
	}
	_, token2 := f.invitationMail(addr, token)
	if _, err := svc.PreviewGuestInvitation(anon(), token); code(err) != domain.NotFound {
		t.Fatalf("old link: %v", err)
	}
	if pending, _ := svc.GuestInvitations(alice, th.ID); len(pending) != 1 {
		t.Fatalf("after resend %+v", pending)
	}
	token = token2

	// Anyone holding the link may look; the group (closed) is named.
	p, err := svc.PreviewGuestInvitation(anon(), token)
	f.must(err)
	if p.ThreadTitle != "Planting plan" || p.InviterName != "Alice" || p.ThreadID != th.ID || p.GroupName == "" ||
		strings.Contains(p.Email, "newbie.") || p.EmailMatches {
		t.Fatalf("preview %+v", p)
	}
	// Tampered tokens are unknown.
	if _, err := svc.PreviewGuestInvitation(anon(), token[:len(token)-3]+"abc"); code(err) != domain.NotFound {
		t.Fatalf("tampered: %v", err)
	}

	// The invitee signs up; someone else cannot accept for them.
	if _, err := svc.AcceptGuestInvitation(bob, token); code(err) != domain.Forbidden || !strings.Contains(domain.ErrorMessage(err), "sign in with the invited address") {
		t.Fatalf("wrong account accepts: %v", err)
	}
	if _, err := svc.AcceptGuestInvitation(anon(), token); code(err) != domain.Unauthorized {
		t.Fatalf("anonymous accepts: %v", err)
	}
	newbie, newbieID := f.user("Newbie")
	if _, err := svc.Thread(newbie, th.ID); code(err) != domain.Forbidden && code(err) != domain.NotFound {
		t.Fatalf("not yet a guest: %v", err)
	}
	if p, err := svc.PreviewGuestInvitation(newbie, token); err != nil || !p.EmailMatches {
		t.Fatalf("preview as invitee %+v %v", p, err)
	}
	got, err := svc.AcceptGuestInvitation(newbie, token)
	f.must(err)
	if got.ID != th.ID {
		t.Fatalf("accepted %+v", got)
	}
	if _, err := svc.Comment(newbie, th.ID, discussion.CommentInput{Body: "Thanks for having me"}); err != nil {
		t.Fatalf("guest comments: %v", err)
	}
	// Used up: a second accept is Gone, and nothing is pending.
	if _, err := svc.AcceptGuestInvitation(newbie, token); code(err) != domain.Gone {
		t.Fatalf("second accept: %v", err)
	}
	if pending, _ := svc.GuestInvitations(alice, th.ID); len(pending) != 0 {
		t.Fatalf("pending after accept %+v", pending)
	}
	guests, err := svc.Guests(alice, th.ID)
	f.must(err)
	if len(guests) != 1 || guests[0].UserID != newbieID || guests[0].Name != "Newbie" {
		t.Fatalf("guests %+v", guests)
	}
	if _, err := svc.Guests(newbie, th.ID); code(err) != domain.Forbidden {
		t.Fatalf("a guest lists guests: %v", err)
	}
	// With an account now, inviting the address adds at once.
	f.must(svc.RemoveGuest(alice, th.ID, newbieID))
	res, err = svc.InviteGuestByEmail(alice, th.ID, addr)
	f.must(err)
	if res.Status != "added" || res.UserID != newbieID {
		t.Fatalf("invite with account %+v", res)
	}
}

func TestGuestInvitationDoubleAccept(t *testing.T) {
	f := newFixture(t)
	svc := f.mailService(nil)
	alice, _ := f.user("Alice")
	gid := f.group(alice, authz.Secret)
	th := f.thread(alice, gid, "Secret plans")
	addr := f.addressOf("Gus")
	res, err := svc.SendGuestInvitation(alice, th.ID, addr)
	f.must(err)
	if res.Status != "invited" {
		t.Fatalf("invite %+v", res)
	}
	_, token := f.invitationMail(addr, "")
	gus, _ := f.user("Gus")
	// A secret group is not named to someone outside it.
	if p, err := svc.PreviewGuestInvitation(gus, token); err != nil || p.GroupName != "" || p.ThreadTitle != "Secret plans" {
		t.Fatalf("preview %+v %v", p, err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = svc.AcceptGuestInvitation(gus, token)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch code(err) {
		case "":
			ok++
		case domain.Gone, domain.Conflict:
		default:
			t.Fatalf("concurrent accept: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d accepts succeeded: %v", ok, errs)
	}
	guests, err := svc.Guests(alice, th.ID)
	f.must(err)
	if len(guests) != 1 {
		t.Fatalf("guests %+v", guests)
	}
	if _, err := svc.Thread(gus, th.ID); err != nil {
		t.Fatalf("guest reads the secret thread: %v", err)
	}
}

func TestGuestInvitationExpiresAndRevokes(t *testing.T) {
	f := newFixture(t)
	svc := f.mailService(nil)
	later := f.mailService(func() time.Time { return time.Now().Add(discussion.GuestInviteTTL + time.Hour) })
	alice, _ := f.user("Alice")
	bob, bobID := f.user("Bob")
	gid := f.group(alice, authz.Closed, bob)
	th := f.thread(alice, gid, "Expiring")

	addr := f.addressOf("Late")
	_, err := svc.SendGuestInvitation(alice, th.ID, addr)
	f.must(err)
	_, token := f.invitationMail(addr, "")
	late, _ := f.user("Late")
	if _, err := later.PreviewGuestInvitation(late, token); code(err) != domain.Gone {
		t.Fatalf("expired preview: %v", err)
	}
	if _, err := later.AcceptGuestInvitation(late, token); code(err) != domain.Gone {
		t.Fatalf("expired accept: %v", err)
	}
	if list, err := later.GuestInvitations(alice, th.ID); err != nil || len(list) != 1 || !list[0].Expired {
		t.Fatalf("expired listed %+v %v", list, err)
	}

	// Revoking: the link stops working; only those who may add guests revoke.
	addr2 := f.addressOf("Revoked")
	res, err := svc.SendGuestInvitation(alice, th.ID, addr2)
	f.must(err)
	_, token2 := f.invitationMail(addr2, "")
	eve, _ := f.user("Eve")
	if err := svc.RevokeGuestInvitation(eve, th.ID, res.Invitation.ID); code(err) != domain.Forbidden {
		t.Fatalf("outsider revokes: %v", err)
	}
	if _, err := svc.GuestInvitations(eve, th.ID); code(err) != domain.Forbidden {
		t.Fatalf("outsider lists: %v", err)
	}
	f.must(svc.RevokeGuestInvitation(bob, th.ID, res.Invitation.ID))
	if err := svc.RevokeGuestInvitation(alice, th.ID, res.Invitation.ID); code(err) != domain.NotFound {
		t.Fatalf("revoke twice: %v", err)
	}
	if _, err := svc.PreviewGuestInvitation(anon(), token2); code(err) != domain.NotFound {
		t.Fatalf("revoked preview: %v", err)
	}
	revoked, _ := f.user("Revoked")
	if _, err := svc.AcceptGuestInvitation(revoked, token2); code(err) != domain.NotFound {
		t.Fatalf("revoked accept: %v", err)
	}
	list, err := svc.GuestInvitations(alice, th.ID)
	f.must(err)
	if len(list) != 1 || list[0].Email != addr {
		t.Fatalf("after revoke %+v", list)
	}

	// An invitation from someone who may no longer add guests is void.
	addr3 := f.addressOf("Orphan")
	_, err = svc.SendGuestInvitation(bob, th.ID, addr3)
	f.must(err)
	_, token3 := f.invitationMail(addr3, "")
	f.must(f.groups.RemoveMember(alice, gid, bobID))
	if _, err := svc.PreviewGuestInvitation(anon(), token3); code(err) != domain.NotFound {
		t.Fatalf("invitation of a former member: %v", err)
	}
}

func TestGuestInvitationEmailEscapesTitle(t *testing.T) {
	f := newFixture(t)
	var title string
	for _, l := range rendertest.XSSCorpus(t) {
		if !strings.Contains(l, "\n") && len(title)+len(l) < 190 {
			title += l + " "
		}
	}
	if !strings.Contains(title, "<script>") {
		t.Fatalf("corpus title %q", title)
	}
	svc := f.mailService(nil)
	alice, _ := f.user("Alice")
	gid := f.group(alice, authz.Open)
	th, err := svc.StartThread(alice, discussion.StartInput{GroupID: gid, Title: title})
	f.must(err)
	addr := f.addressOf("Xavier")
	_, err = svc.SendGuestInvitation(alice, th.ID, addr)
	f.must(err)
	msg, _ := f.invitationMail(addr, "")
	h := strings.ToLower(msg.Body.HTML)
	for _, bad := range []string{"<script", "<img", "<svg", "<body onload", "<iframe"} {
		if strings.Contains(h, bad) {
			t.Fatalf("%s in the email HTML:\n%s", bad, msg.Body.HTML)
		}
	}
	if !strings.Contains(msg.Body.HTML, "&lt;script&gt;") {
		t.Fatalf("title not escaped:\n%s", msg.Body.HTML)
	}
}
