package account

import (
	"context"
	"crypto/subtle"
	"net/url"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/secrets"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// emailChange is a pending change of address (pattern 11), keyed by the
// SHA-256 of the secret in the confirmation link.
type emailChange struct {
	store.Item
	UserID    string    `dynamo:"UserID"`
	OldEmail  string    `dynamo:"OldEmail"`
	NewEmail  string    `dynamo:"NewEmail"`
	SecretSum string    `dynamo:"SecretSum"`
	ExpiresAt time.Time `dynamo:"ExpiresAt"`
}

func emailChangePK(secret string) string { return "EMAILCHANGE#" + hashHex(secret) }

const emailChangeSK = "EMAILCHANGE"

// RequestEmailChange sends a confirmation link to the new address; the
// change applies only when it is opened. Whether the new address is already
// taken is not revealed here (it would let anyone probe addresses); the
// confirmation says so to the owner of the new address. Browser sessions only.
// Errors: Invalid, RateLimited, Forbidden for tokens.
func (s *Service) RequestEmailChange(ctx context.Context, rawEmail string) error {
	a := authz.ActorFrom(ctx)
	if err := authz.Account(a, authz.AccountChangeEmail, a.UserID); err != nil {
		return err
	}
	email, err := NormalizeEmail("email", rawEmail)
	if err != nil {
		return err
	}
	u, err := s.getUser(ctx, a.UserID)
	if err != nil {
		return err
	}
	if email == u.Email {
		return domain.Validation(domain.FieldError{Field: "email", Message: "is already your address"})
	}
	if err := s.limiter.Hit(ctx, s.limits.EmailChange, u.ID); err != nil {
		return err
	}
	secret := secrets.NewToken()
	now := s.Now()
	ec := &emailChange{Item: store.Item{PK: emailChangePK(secret), SK: emailChangeSK, Type: "emailchange"},
		UserID: u.ID, OldEmail: u.Email, NewEmail: email, SecretSum: hashHex(secret), ExpiresAt: now.Add(s.life.EmailChange)}
	ec.ExpireAt(ec.ExpiresAt)
	if err := s.st.Create(ctx, ec, nil); err != nil {
		return err
	}
	link := s.link("/settings/email/confirm", url.Values{"token": {secret}})
	// The new address belongs to the same person: their own language.
	p := s.printer(u.Lang())
	subject, intro := p.T("email.change.subject"), p.T("email.change.intro")
	expiry := p.N("email.change.expiry", int(s.life.EmailChange/time.Hour))
	text := intro + "\n\n" + p.T("email.change.open") + "\n" + link + "\n\n" + expiry + "\n"
	html := htmlDoc(p, subject, mail.Para(intro)+mail.LinkPara(link, p.T("email.change.confirm"))+mail.Para(expiry))
	return s.sendMail(ctx, email, subject, text, html)
}

var errEmailLinkGone = domain.Errorf(domain.Gone, "this confirmation link has expired or was already used; ask for a new one in settings")

// ConfirmEmailChange applies a pending change from its link. The link
// itself proves control of the new address, so no session is needed. In
// one transaction: the link is consumed, the old address released, the new
// one claimed (Conflict if another account holds it) and the user updated
// (Conflict if the address changed in the meantime). The old address gets
// a notice.
// Errors: Gone (malformed, expired, used), Conflict.
func (s *Service) ConfirmEmailChange(ctx context.Context, secret string) (*User, error) {
	if !isToken(secret) {
		return nil, errEmailLinkGone
	}
	var ec emailChange
	if err := s.st.Get(ctx, emailChangePK(secret), emailChangeSK, &ec); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return nil, errEmailLinkGone
		}
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(ec.SecretSum), []byte(hashHex(secret))) != 1 || !s.Now().Before(ec.ExpiresAt) {
		return nil, errEmailLinkGone
	}
	u, err := s.getUser(ctx, ec.UserID)
	if err != nil {
		return nil, errEmailLinkGone
	}
	if u.Email != ec.OldEmail {
		_ = s.st.Delete(ctx, ec.PK, ec.SK)
		return nil, domain.Errorf(domain.Conflict, "the account's address changed since this link was sent; ask for a new one")
	}
	u.Email = ec.NewEmail
	newItem := &emailItem{Item: store.Item{PK: emailPK(ec.NewEmail), SK: "EMAIL", Type: "email"}, UserID: u.ID}
	err = s.st.Tx().
		Delete(s.st.DeleteOp(ec.PK, ec.SK).If("attribute_exists($)", tabledef.PK), errEmailLinkGone).
		Delete(s.st.DeleteOp(emailPK(ec.OldEmail), "EMAIL").If("UserID = ?", u.ID), store.ErrVersionConflict).
		Create(newItem, ErrEmailTaken).
		Save(u).
		Run(ctx, "")
	if err != nil {
		return nil, err
	}
	// Pending sign-in codes for the old address must not reach this account.
	_ = s.st.Delete(ctx, loginPK(ec.OldEmail), challengeSK)
	p := s.printer(u.Lang())
	subject, body, warning := p.T("email.changed.subject"), p.T("email.changed.body", "Email", p.Isolate(ec.NewEmail)), p.T("email.changed.warning")
	if err := s.sendMail(ctx, ec.OldEmail, subject, body+"\n\n"+warning+"\n", htmlDoc(p, subject, mail.Para(body)+mail.Para(warning))); err != nil {
		s.log.WarnContext(ctx, "email change notice not sent", "error", domain.ErrorMessage(err))
	}
	return u, nil
}
