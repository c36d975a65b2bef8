package discussion_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/mail"
)

// A thread invitation to an address without an account is in the
// inviter's language (nothing better is known); to one with an account, in
// that person's language and zone. The thread title is never translated.
func TestGuestInvitationLanguage(t *testing.T) {
	f := newFixture(t)
	svc := f.mailService(nil)
	cat := i18n.New()
	alice, aid := f.user("Alice")
	f.people.Update(aid, func(a *group.Person) { a.Lang = lang.Spanish })
	gid := f.group(alice, authz.Secret)
	th := f.thread(alice, gid, "Huerto comunitario")

	wait := func(addr string) mail.StoredMessage {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		m, err := mail.Emulator{URL: f.env.Config.SESEndpoint}.WaitFor(ctx, addr, func(mail.StoredMessage) bool { return true })
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	stranger := f.addressOf("Stranger")
	_, err := svc.SendGuestInvitation(alice, th.ID, stranger)
	f.must(err)
	es := cat.Printer(lang.Spanish, nil)
	m := wait(stranger)
	if m.Subject != es.T("email.guest.subject", "Inviter", "Alice", "Title", "Huerto comunitario") ||
		!strings.Contains(m.Body.HTML, `<html lang="es" dir="ltr">`) || !strings.Contains(m.Body.Text, "(UTC)") {
		t.Errorf("not in the inviter's Spanish: %q\n%s", m.Subject, m.Body.Text)
	}

	_, lid := f.user("Layla")
	f.people.Update(lid, func(l *group.Person) { l.Lang, l.TimeZone = lang.Arabic, "Africa/Cairo" })
	l, _ := f.people.Get(lid)
	_, err = svc.SendGuestInvitation(alice, th.ID, l.Email)
	f.must(err)
	ar := cat.Printer(lang.Arabic, nil)
	m = wait(l.Email)
	if m.Subject != ar.T("email.guest.subject", "Inviter", "Alice", "Title", "Huerto comunitario") ||
		!strings.Contains(m.Body.HTML, `<html lang="ar" dir="rtl">`) || !strings.Contains(m.Body.Text, "("+ar.Isolate("Africa/Cairo")+")") ||
		strings.Contains(m.Body.Text, i18n.Missing) {
		t.Errorf("not in the invitee's Arabic: %q\n%s", m.Subject, m.Body.Text)
	}
}
