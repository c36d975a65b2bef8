package account

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/secrets"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/text"
)

// challenge is a pending sign-in (pattern 5): one per address, replaced by
// each new request. It holds only a SHA-256 of the link secret and an HMAC
// of the code.
type challenge struct {
	store.Item
	Email     string    `dynamo:"Email"`
	LinkHash  string    `dynamo:"LinkHash"`
	CodeMAC   string    `dynamo:"CodeMAC"`
	Attempts  int       `dynamo:"Attempts"`
	ExpiresAt time.Time `dynamo:"ExpiresAt"`
	// Lang is the language of the request that asked for the code: the
	// account this sign-in creates, if any, gets it.
	Lang string `dynamo:"Lang,omitempty"`
}

func loginPK(email string) string { return "LOGIN#" + hashHex(email) }

const challengeSK = "CHALLENGE"

// Client describes where a sign-in request comes from (for rate limits and
// the sessions list). IP is never stored in clear.
type Client struct {
	IP        string
	UserAgent string
	// Terms is the version of the terms and privacy policy the client was
	// shown (the sign-in form's hidden field, the API's terms_version).
	Terms string
	// Lang is the request's language (i18n.Negotiate of the browser's
	// Accept-Language): the sign-in email to an address without an
	// account is in it, and an account created by this sign-up gets it.
	Lang lang.Lang
}

// errTermsNotShown refuses creating an account for someone who was not
// shown the current terms (an old page, or an API call without them).
var errTermsNotShown = &domain.Error{Code: domain.Invalid,
	Message: "terms_version: this address has no account yet, and creating one needs the current terms of service and privacy policy accepted; read them at /terms and /privacy and send their version (GET /api/v1/legal), or sign in again from the page",
	Fields:  []domain.FieldError{{Field: "terms_version", Message: "the terms of service or privacy policy changed since this page was shown; read them and sign in again"}}}

// LoginSent is the answer to a login request. It is the same whether or not
// the address has an account.
type LoginSent struct {
	Email     string    `json:"email"`
	ExpiresAt time.Time `json:"expires_at"`
}

// RequestLogin emails a magic link and a 6-digit code to the address. The
// answer, timing and side effects do not depend on whether an account
// exists: for an unknown address the code creates the account on
// verification. A new request replaces the previous code.
// Errors: Invalid (malformed email), RateLimited (per address and per
// client), Unavailable (mail or storage down).
func (s *Service) RequestLogin(ctx context.Context, c Client, rawEmail string) (*LoginSent, error) {
	email, err := NormalizeEmail("email", rawEmail)
	if err != nil {
		return nil, err
	}
	if err := s.limiter.Hit(ctx, s.limits.LoginPerIP, c.IP); err != nil {
		return nil, err
	}
	if err := s.limiter.Hit(ctx, s.limits.LoginPerEmail, email); err != nil {
		return nil, err
	}
	u, lookupErr := s.userByEmail(ctx, email)
	known := lookupErr == nil
	if lookupErr != nil && domain.ErrorCode(lookupErr) != domain.NotFound {
		return nil, lookupErr
	}
	// The email is in the account's own language; for a new address, in
	// the language of this request.
	l := requestLang(c.Lang)
	if known {
		l = u.Lang()
	}
	secret := secrets.NewToken()
	code, err := randomCode()
	if err != nil {
		return nil, domain.Wrap(domain.Internal, err, "could not create a code")
	}
	now := s.Now()
	ch := &challenge{Item: store.Item{PK: loginPK(email), SK: challengeSK, Type: "login"},
		Email: email, LinkHash: hashHex(secret), CodeMAC: s.codeMAC(email, code), ExpiresAt: now.Add(s.life.Challenge)}
	if c.Lang.Valid() {
		ch.Lang = string(c.Lang)
	}
	ch.ExpireAt(ch.ExpiresAt)
	if err := s.st.Table().Put(ch).Run(ctx); err != nil {
		return nil, store.Classify(err)
	}
	token := base64.RawURLEncoding.EncodeToString(hashBytes(email)) + "." + secret
	link := s.link("/login/verify", url.Values{"token": {token}})
	if err := s.sendLoginMail(ctx, l, email, code, link, known); err != nil {
		return nil, err
	}
	return &LoginSent{Email: email, ExpiresAt: ch.ExpiresAt}, nil
}

func hashBytes(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

func (s *Service) codeMAC(email, code string) string {
	m := hmac.New(sha256.New, s.codeKey)
	m.Write([]byte(email))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return hex.EncodeToString(m.Sum(nil))
}

func randomCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

func (s *Service) sendLoginMail(ctx context.Context, l lang.Lang, email, code, link string, known bool) error {
	p := s.printer(l)
	subject, intro := p.T("email.login.subject"), p.T("email.login.intro")
	if !known {
		subject, intro = p.T("email.signup.subject"), p.T("email.signup.intro")
	}
	expiry := p.N("email.login.expiry", int(s.life.Challenge/time.Minute))
	text := intro + "\n\n" + p.T("email.code.label") + " " + code + "\n\n" + p.T("email.login.or_link") + "\n" + link + "\n\n" + expiry + "\n"
	html := htmlDoc(p, subject, mail.Para(intro)+mail.Para(p.T("email.code.label"))+codeHTML(code)+
		mail.LinkPara(link, p.T("email.login.continue"))+mail.Para(expiry))
	return s.sendMail(ctx, email, subject, text, html)
}

// Verification is the outcome of a successful sign-in.
type Verification struct {
	User *User
	// NewAccount is true when this sign-in created the account.
	NewAccount bool
	// Token is the session token for the cookie (shown once, stored hashed).
	Token   string
	Session *Session
}

var (
	errChallengeGone = domain.Errorf(domain.Gone, "this code or link has expired or was already used; ask for a new one")
	errLinkInvalid   = domain.Errorf(domain.Gone, "this sign-in link is not valid; ask for a new one")
)

// VerifyCode signs in with the emailed code. name (optional) names a new
// account. At most ChallengeTries wrong codes are accepted per challenge;
// then it is burnt.
// Errors: Invalid (malformed input or wrong code, with the attempts left),
// Gone (expired, used, burnt or never requested), RateLimited.
func (s *Service) VerifyCode(ctx context.Context, c Client, rawEmail, code, name string) (*Verification, error) {
	var fe domain.FieldErrors
	email, err := NormalizeEmail("email", rawEmail)
	if err != nil {
		return nil, err
	}
	code = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, code)
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		fe.Add("code", "must be the 6 digits from the email")
	}
	newName := s.optionalName(&fe, name)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if err := s.limiter.Hit(ctx, s.limits.VerifyPerIP, c.IP); err != nil {
		return nil, err
	}
	ch, err := s.attempt(ctx, email)
	if err != nil {
		return nil, err
	}
	if !hmac.Equal([]byte(ch.CodeMAC), []byte(s.codeMAC(email, code))) {
		left := s.life.ChallengeTries - ch.Attempts
		if left <= 0 {
			_ = s.st.Delete(ctx, ch.PK, ch.SK)
			return nil, domain.Errorf(domain.Gone, "that code is wrong and was the last attempt; ask for a new code")
		}
		return nil, &domain.Error{Code: domain.Invalid, Message: fmt.Sprintf("code: is wrong; %d attempts left", left),
			Fields: []domain.FieldError{{Field: "code", Message: fmt.Sprintf("is wrong; %d attempts left", left)}}}
	}
	return s.complete(ctx, c, ch, newName)
}

// VerifyLink signs in with the token of the emailed link.
// Errors: Gone (malformed, tampered, expired or used), RateLimited.
func (s *Service) VerifyLink(ctx context.Context, c Client, token, name string) (*Verification, error) {
	var fe domain.FieldErrors
	newName := s.optionalName(&fe, name)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	eh, secret, ok := strings.Cut(token, ".")
	ehBytes, err := base64.RawURLEncoding.DecodeString(eh)
	if !ok || err != nil || len(ehBytes) != sha256.Size || !isToken(secret) {
		return nil, errLinkInvalid
	}
	if err := s.limiter.Hit(ctx, s.limits.VerifyPerIP, c.IP); err != nil {
		return nil, err
	}
	ch, err := s.attemptKey(ctx, "LOGIN#"+hex.EncodeToString(ehBytes))
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(ch.LinkHash), []byte(hashHex(secret))) != 1 {
		if ch.Attempts >= s.life.ChallengeTries {
			_ = s.st.Delete(ctx, ch.PK, ch.SK)
		}
		return nil, errLinkInvalid
	}
	return s.complete(ctx, c, ch, newName)
}

func (s *Service) optionalName(fe *domain.FieldErrors, name string) string {
	if strings.TrimSpace(name) == "" {
		if !isValidUTF8(name) {
			fe.Add("name", "is not valid UTF-8")
		}
		return ""
	}
	return text.CheckLine(fe, "name", name, 1, MaxNameLen)
}

func (s *Service) attempt(ctx context.Context, email string) (*challenge, error) {
	return s.attemptKey(ctx, loginPK(email))
}

// attemptKey counts one attempt on the challenge atomically (so concurrent
// guesses cannot exceed the limit) and returns it with the new count.
func (s *Service) attemptKey(ctx context.Context, pk string) (*challenge, error) {
	var ch challenge
	err := s.st.Update(pk, challengeSK).
		Add("Attempts", 1).
		If("attribute_exists($) AND Attempts < ? AND $ > ?", tabledef.PK, s.life.ChallengeTries, tabledef.TTLAttribute, s.Now().Unix()).
		Value(ctx, &ch)
	if dynamo.IsCondCheckFailed(err) {
		return nil, errChallengeGone
	}
	if err != nil {
		return nil, store.Classify(err)
	}
	return &ch, nil
}

// complete consumes the challenge (a conditional delete: only one of two
// racing verifications wins), finds or creates the user and starts a session.
func (s *Service) complete(ctx context.Context, c Client, ch *challenge, name string) (*Verification, error) {
	shown := s.terms != "" && c.Terms == s.terms
	if s.terms != "" && !shown {
		// Refused before the challenge is spent: the person may read the
		// terms and send the same code again.
		if _, err := s.userByEmail(ctx, ch.Email); domain.ErrorCode(err) == domain.NotFound {
			return nil, errTermsNotShown
		} else if err != nil {
			return nil, err
		}
	}
	err := s.st.Table().Delete(tabledef.PK, ch.PK).Range(tabledef.SK, ch.SK).If("LinkHash = ?", ch.LinkHash).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return nil, errChallengeGone
	}
	if err != nil {
		return nil, store.Classify(err)
	}
	v := &Verification{}
	u, err := s.userByEmail(ctx, ch.Email)
	switch {
	case err == nil:
		if u.Erasing != nil {
			return nil, errBeingDeleted
		}
		changed := false
		if u.NeedsName() && name != "" {
			u.Name, changed = name, true
		}
		// Someone signing in from a page that showed a newer version of
		// the terms accepted it there.
		if shown && u.TermsVersion != s.terms {
			u.TermsVersion, u.TermsAcceptedAt, changed = s.terms, s.Now(), true
		}
		if changed {
			if err := s.st.Save(ctx, u); err != nil {
				return nil, err
			}
		}
	case domain.ErrorCode(err) == domain.NotFound:
		accepted := ""
		if shown {
			accepted = s.terms
		}
		u, err = s.createUser(ctx, ch.Email, name, requestLang(lang.Lang(ch.Lang), c.Lang), accepted)
		if domain.ErrorCode(err) == domain.Conflict { // created concurrently by another verification
			u, err = s.userByEmail(ctx, ch.Email)
		} else if err == nil {
			v.NewAccount = true
		}
		if err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	v.User = u
	v.Token, v.Session, err = s.startSession(ctx, u.ID, c)
	if err != nil {
		return nil, err
	}
	return v, nil
}

func isValidUTF8(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
