package account_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/mail/mailtest"
)

var (
	anyCodeRe    = regexp.MustCompile(`(\d{6})\n`)
	changeLinkRe = regexp.MustCompile(`/settings/email/confirm\?token=(\S+)`)
)

// nextMail waits for a message to addr whose subject is subject, newer
// than the first after messages to it.
func (f *fixture) nextMail(t *testing.T, addr, subject string, after int) mail.StoredMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := f.emu.WaitFor(ctx, addr, func(m mail.StoredMessage) bool {
		return m.Subject == subject && countTo(f, addr) > after
	})
	if err != nil {
		t.Fatalf("no %q to %s: %v", subject, addr, err)
	}
	return m
}

// inLanguage checks one email: no missing-message marker, the HTML part
// names language l and its direction, and (for other languages) none of
// the English wording is left.
func inLanguage(t *testing.T, name string, l lang.Lang, m mail.StoredMessage) {
	t.Helper()
	for _, part := range []string{m.Subject, m.Body.Text, m.Body.HTML} {
		if strings.Contains(part, i18n.Missing) {
			t.Errorf("%s (%s): missing message in %q", name, l, part)
		}
		if l == lang.English {
			continue
		}
		for _, en := range []string{"Your code", "ignore this email", "expire in", "Someone (hopefully you)", "Confirm your", "Confirm deleting", "was deleted", "was changed", "Sign in to", "Or open this link"} {
			if strings.Contains(part, en) {
				t.Errorf("%s (%s): English %q left in %q", name, l, en, part)
			}
		}
	}
	if want := `<html lang="` + string(l) + `" dir="` + l.Dir() + `">`; !strings.Contains(m.Body.HTML, want) {
		t.Errorf("%s (%s): no %s in %q", name, l, want, m.Body.HTML)
	}
	// The shared frame (no remote content, lang and dir on the frame too);
	// an email with a link shows it as its button.
	w := mailtest.Want{Lang: string(l), Dir: l.Dir()}
	if links := mailLinkRe.FindAllString(m.Body.Text, -1); len(links) == 1 {
		w.Action = links[0]
	}
	mailtest.CheckHTML(t, m.Body.HTML, w)
	mailtest.Save(t, strings.ReplaceAll(name, " ", "-")+"-"+string(l), m.Body.HTML)
}

var mailLinkRe = regexp.MustCompile(`https?://\S+`)

// The sign-in email to an address without an account is in the language
// of the request (the browser's, negotiated by the web layer); the account
// the sign-up creates gets that language; later sign-in emails follow the
// account's setting, whatever the browser asking.
func TestSignInEmailFollowsTheRequestThenTheAccount(t *testing.T) {
	f := newFixture(t, nil)
	cat := i18n.New()
	de := cat.Printer(lang.German, nil)
	addr := uniqueEmail("greta")
	if _, err := f.svc.RequestLogin(context.Background(), account.Client{IP: "192.0.2.1", Lang: lang.German}, addr); err != nil {
		t.Fatal(err)
	}
	m := f.nextMail(t, addr, de.T("email.signup.subject"), 0)
	inLanguage(t, "sign-up", lang.German, m)
	if !strings.Contains(m.Body.Text, "Ihr Code: ") || !strings.Contains(m.Body.Text, "verfallen in 15 Minuten") {
		t.Errorf("German sign-up text: %q", m.Body.Text)
	}
	c := anyCodeRe.FindStringSubmatch(m.Body.Text)
	if c == nil {
		t.Fatalf("no code in %q", m.Body.Text)
	}
	f.secrets = append(f.secrets, c[1])
	// Verified from another browser, in French: the sign-up's language wins.
	v, err := f.svc.VerifyCode(context.Background(), account.Client{IP: "192.0.2.1", Lang: lang.French}, addr, c[1], "Greta")
	if err != nil {
		t.Fatal(err)
	}
	f.secrets = append(f.secrets, v.Token)
	if !v.NewAccount || v.User.Locale != "de" {
		t.Fatalf("new account's language %q", v.User.Locale)
	}
	// Known address, French browser: the account's German.
	before := countTo(f, addr)
	if _, err := f.svc.RequestLogin(context.Background(), account.Client{IP: "192.0.2.1", Lang: lang.French}, addr); err != nil {
		t.Fatal(err)
	}
	inLanguage(t, "sign-in", lang.German, f.nextMail(t, addr, de.T("email.login.subject"), before))

	// No language from the request: English, and an English account.
	plain := f.login(t, uniqueEmail("plain"), "Plain")
	if plain.User.Locale != "en" {
		t.Fatalf("account without a request language: %q", plain.User.Locale)
	}
}

// Every email of the account core, in every language: sign-up and sign-in
// codes, the email change confirmation and notice, the deletion code and
// the deletion confirmation.
func TestEveryAccountEmailInEveryLanguage(t *testing.T) {
	f := newFixture(t, nil)
	cat := i18n.New()
	for _, l := range lang.Supported {
		p := cat.Printer(l, nil)
		addr := uniqueEmail("lang-" + string(l))
		client := account.Client{IP: "192.0.2.1", Lang: l}
		if _, err := f.svc.RequestLogin(context.Background(), client, addr); err != nil {
			t.Fatal(err)
		}
		m := f.nextMail(t, addr, p.T("email.signup.subject"), 0)
		inLanguage(t, "sign-up", l, m)
		c := anyCodeRe.FindStringSubmatch(m.Body.Text)
		if c == nil || !strings.Contains(m.Body.Text, p.T("email.code.label")+" "+c[1]) {
			t.Fatalf("%s: no code in %q", l, m.Body.Text)
		}
		f.secrets = append(f.secrets, c[1])
		v, err := f.svc.VerifyCode(context.Background(), client, addr, c[1], "Reader "+string(l))
		if err != nil {
			t.Fatal(err)
		}
		f.secrets = append(f.secrets, v.Token)
		if v.User.Locale != string(l) {
			t.Errorf("%s: account language %q", l, v.User.Locale)
		}
		ctx := f.as(t, v.Token)

		before := countTo(f, addr)
		if _, err := f.svc.RequestLogin(context.Background(), client, addr); err != nil {
			t.Fatal(err)
		}
		inLanguage(t, "sign-in", l, f.nextMail(t, addr, p.T("email.login.subject"), before))

		moved := uniqueEmail("moved-" + string(l))
		if err := f.svc.RequestEmailChange(ctx, moved); err != nil {
			t.Fatal(err)
		}
		m = f.nextMail(t, moved, p.T("email.change.subject"), 0)
		inLanguage(t, "email change", l, m)
		tok := changeLinkRe.FindStringSubmatch(m.Body.Text)
		if tok == nil {
			t.Fatalf("%s: no link in %q", l, m.Body.Text)
		}
		f.secrets = append(f.secrets, tok[1])
		before = countTo(f, addr)
		if _, err := f.svc.ConfirmEmailChange(context.Background(), tok[1]); err != nil {
			t.Fatal(err)
		}
		m = f.nextMail(t, addr, p.T("email.changed.subject"), before)
		inLanguage(t, "email changed", l, m)
		if !strings.Contains(m.Body.Text, moved) {
			t.Errorf("%s: the notice does not name the new address: %q", l, m.Body.Text)
		}

		if _, err := f.svc.RequestDeletion(ctx); err != nil {
			t.Fatal(err)
		}
		m = f.nextMail(t, moved, p.T("email.delete.subject"), 0)
		inLanguage(t, "deletion code", l, m)
		c = anyCodeRe.FindStringSubmatch(m.Body.Text)
		if c == nil {
			t.Fatalf("%s: no deletion code in %q", l, m.Body.Text)
		}
		f.secrets = append(f.secrets, c[1])
		before = countTo(f, moved)
		if err := f.svc.DeleteAccount(ctx, c[1]); err != nil {
			t.Fatal(err)
		}
		inLanguage(t, "deleted", l, f.nextMail(t, moved, p.T("email.deleted.subject"), before))
	}
}
