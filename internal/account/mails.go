package account

import (
	"context"
	"time"

	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/mail"
)

// The account's emails are worded in their reader's language: a person's
// own setting when the address belongs to an account, otherwise the
// language of the request that caused the email (Client.Lang, negotiated
// from Accept-Language by the web layer). Every word comes from the
// catalog (email.login.*, email.signup.*, email.change.*, email.changed.*,
// email.delete.*, email.deleted.*); codes, links and addresses are
// inserted as they are.

// printer words an email in language l (English when l is not supported).
func (s *Service) printer(l lang.Lang) *i18n.Printer { return s.cat.Printer(l, time.UTC) }

// htmlDoc is the HTML part of an email in p's language and direction
// (mail.HTMLDoc).
func htmlDoc(p *i18n.Printer, title, body string) string {
	return mail.HTMLDoc(string(p.Lang()), p.Dir(), title, body)
}

// codeHTML shows a one-time code large, with spaced digits, in a box
// (mail.StyleBox), left to right in every language (digits read so).
func codeHTML(code string) string {
	return `<p class="q-box" dir="ltr" style="` + mail.StyleBox + `;display:inline-block;font-size:28px;line-height:1.2;font-weight:700;letter-spacing:.25em;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace">` +
		mail.Escape(code) + "</p>"
}

// sendMail sends an automatic (no auto-reply) email from the account core.
func (s *Service) sendMail(ctx context.Context, to, subject, text, html string) error {
	_, err := s.mail.Send(ctx, mail.Message{From: s.from, To: []string{to}, Subject: subject, Text: text, HTML: html,
		Headers: map[string]string{"Auto-Submitted": "auto-generated"}})
	return err
}

// requestLang is the language a new account gets, and a sign-in email to
// an address without one is written in: the sign-up request's, else the
// current request's, else DefaultLocale (English).
func requestLang(ls ...lang.Lang) lang.Lang {
	for _, l := range ls {
		if l.Valid() {
			return l
		}
	}
	return lang.Lang(DefaultLocale)
}
