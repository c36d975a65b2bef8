package group_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/mail/mailtest"
)

func (f *fixture) mailTo(t *testing.T, to, subject string) mail.StoredMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := mail.Emulator{URL: f.env.Config.SESEndpoint}.WaitFor(ctx, to, func(m mail.StoredMessage) bool { return m.Subject == subject })
	if err != nil {
		t.Fatalf("no %q to %s: %v", subject, to, err)
	}
	return m
}

func (f *fixture) setPerson(p group.Person) { f.people.Add(p) }

// An invitation is in the invitee's own language and zone when the
// address has an account; to an address without one, in the inviter's
// language (nothing better is known). Join approvals are in the member's
// language. The inviter's message is never translated.
func TestInvitationsAreInTheInviteesLanguage(t *testing.T) {
	f := newFixture(t)
	cat := i18n.New()
	alice, ap := f.user("Alice")
	ap.Lang = lang.English
	f.setPerson(ap)
	_, hp := f.user("Hana")
	hp.Lang, hp.TimeZone = lang.Arabic, "Asia/Riyadh"
	f.setPerson(hp)
	g := f.create(alice, "Jardin "+f.tag, authz.Closed)

	_, err := f.svc.Invite(alice, g.ID, group.InviteInput{Emails: []string{hp.Email}, Message: "Come and help!", Role: "admin"})
	f.must(err)
	ar := cat.Printer(lang.Arabic, nil)
	m := f.mailTo(t, hp.Email, ar.T("email.invite.subject", "Inviter", "Alice", "Group", g.Name))
	if !strings.Contains(m.Body.HTML, `<html lang="ar" dir="rtl">`) || !regexp.MustCompile(`<blockquote [^>]*dir="auto"[^>]*>Come and help!</blockquote>`).MatchString(m.Body.HTML) {
		t.Errorf("Arabic invitation HTML:\n%s", m.Body.HTML)
	}
	// The shared frame, right to left, the accept link as its button, the
	// same words as the text part.
	link := regexp.MustCompile(`https?://\S+/invitations/\S+`).FindString(m.Body.Text)
	page := mailtest.CheckHTML(t, m.Body.HTML, mailtest.Want{Lang: "ar", Dir: "rtl", Action: link})
	mailtest.SameContent(t, m.Body.Text, page)
	mailtest.Save(t, "invitation-ar", m.Body.HTML)
	for _, want := range []string{ar.T("email.invite.intro_admin", "Inviter", ar.Isolate("Alice"), "Group", ar.Isolate(g.Name)), "Come and help!",
		ar.T("email.invite.accept") + ":", "(" + ar.Isolate("Asia/Riyadh") + ")"} {
		if !strings.Contains(m.Body.Text, want) {
			t.Errorf("Arabic invitation lacks %q:\n%s", want, m.Body.Text)
		}
	}
	if strings.Contains(m.Body.Text, "invited you") || strings.Contains(m.Body.Text, i18n.Missing) {
		t.Errorf("English or missing text:\n%s", m.Body.Text)
	}

	// No account: the inviter's language; here Alice switched to Dutch.
	ap.Lang = lang.Dutch
	f.setPerson(ap)
	stranger := "stranger." + f.tag + "@example.org"
	_, err = f.svc.Invite(alice, g.ID, group.InviteInput{Emails: []string{stranger}})
	f.must(err)
	nl := cat.Printer(lang.Dutch, nil)
	m = f.mailTo(t, stranger, nl.T("email.invite.subject", "Inviter", "Alice", "Group", g.Name))
	if !strings.Contains(m.Body.HTML, `<html lang="nl" dir="ltr">`) || !strings.Contains(m.Body.Text, "(UTC)") {
		t.Errorf("Dutch invitation:\n%s\n%s", m.Body.Text, m.Body.HTML)
	}
	mailtest.CheckHTML(t, m.Body.HTML, mailtest.Want{Lang: "nl", Dir: "ltr", Action: regexp.MustCompile(`https?://\S+/invitations/\S+`).FindString(m.Body.Text)})
	mailtest.Save(t, "invitation-nl", m.Body.HTML)
}

// Every language: the invitation and the approval have no missing message
// and the right lang and dir.
func TestGroupEmailsInEveryLanguage(t *testing.T) {
	f := newFixture(t)
	cat := i18n.New()
	alice, _ := f.user("Alice")
	g := f.create(alice, "Open "+f.tag, authz.Closed)
	for _, l := range lang.Supported {
		ctx, p := f.user("Reader" + string(l))
		p.Lang = l
		f.setPerson(p)
		pr := cat.Printer(l, nil)
		_, err := f.svc.Invite(alice, g.ID, group.InviteInput{Emails: []string{p.Email}})
		f.must(err)
		inv := f.mailTo(t, p.Email, pr.T("email.invite.subject", "Inviter", "Alice", "Group", g.Name))
		f.must(f.svc.RequestMembership(ctx, g.ID, ""))
		f.must(f.svc.ApproveRequest(alice, g.ID, p.ID))
		ok := f.mailTo(t, p.Email, pr.T("email.approved.subject", "Group", g.Name))
		for _, m := range []mail.StoredMessage{inv, ok} {
			if want := `<html lang="` + string(l) + `" dir="` + l.Dir() + `">`; !strings.Contains(m.Body.HTML, want) {
				t.Errorf("%s %q: no %s", l, m.Subject, want)
			}
			for _, part := range []string{m.Subject, m.Body.Text, m.Body.HTML} {
				if strings.Contains(part, i18n.Missing) || (l != lang.English && (strings.Contains(part, "invited you") ||
					strings.Contains(part, "now a member") || strings.Contains(part, "Accept the invitation"))) {
					t.Errorf("%s: %q", l, part)
				}
			}
		}
	}
}
