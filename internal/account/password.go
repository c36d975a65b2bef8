package account

//go:generate go run passwords_gen.go

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
)

// Argon2Params are the argon2id cost parameters for new hashes. Stored
// hashes carry their own parameters, so raising these later keeps old
// passwords working.
type Argon2Params struct {
	Time    uint32
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultArgon2 follows RFC 9106's second recommended option, sized for a
// Lambda function (64 MiB, 2 passes).
func DefaultArgon2() Argon2Params { return Argon2Params{Time: 2, Memory: 64 * 1024, Threads: 1} }

// FastArgon2 is for tests only.
func FastArgon2() Argon2Params { return Argon2Params{Time: 1, Memory: 1024, Threads: 1} }

func hashPassword(pw string, p Argon2Params) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

func verifyPassword(pw, encoded string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil ||
		p.Time == 0 || p.Memory == 0 || p.Threads == 0 || p.Memory > 1<<20 || p.Time > 10 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

//go:embed common_passwords.txt
var commonPasswordsFile string

// The list (656 kB) is reachable only from IsCommonPassword, so that the
// functions that never check a password (mailer, inbound, scheduler) do
// not carry it: a sync.OnceValue built at package initialisation would
// keep its function, and with it the file, in every binary linking this
// package.
var (
	commonOnce sync.Once
	common     map[string]struct{}
)

func commonPasswords() map[string]struct{} {
	commonOnce.Do(func() {
		common = make(map[string]struct{}, 50000)
		for _, line := range strings.Split(commonPasswordsFile, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				common[line] = struct{}{}
			}
		}
	})
	return common
}

// IsCommonPassword reports whether pw (case-insensitively) is on the list of
// passwords attackers try first.
func IsCommonPassword(pw string) bool {
	_, ok := commonPasswords()[strings.ToLower(pw)]
	return ok
}

// CheckPassword applies the password rules: 10 to 256 characters, valid
// UTF-8, not on the common-passwords list, not the email address, not one
// character repeated.
func CheckPassword(fe *domain.FieldErrors, field, pw, email string) {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		fe.Add(field, "is not valid UTF-8")
	case n < MinPasswordLen:
		fe.Add(field, "is too short (at least %d characters)", MinPasswordLen)
	case len(pw) > MaxPasswordLen:
		fe.Add(field, "is too long (at most %d bytes)", MaxPasswordLen)
	case IsCommonPassword(pw):
		fe.Add(field, "is one of the most common passwords; choose something less guessable")
	case email != "" && (strings.EqualFold(pw, email) || strings.EqualFold(pw, strings.SplitN(email, "@", 2)[0])):
		fe.Add(field, "must not be your email address")
	case len(distinct(pw)) < 4:
		fe.Add(field, "needs more variety (at least 4 different characters)")
	}
}

func distinct(s string) map[rune]bool {
	m := map[rune]bool{}
	for _, r := range s {
		m[r] = true
	}
	return m
}

// SetPassword sets or changes the actor's password. If one is set, the
// current password is required unless the session started in the last few
// minutes (a fresh sign-in by email proves ownership as well). Other
// sessions stay signed in; the caller may end them with SignOutEverywhere.
// Browser sessions only.
// Errors: Invalid (rules, wrong current password), Forbidden for tokens.
func (s *Service) SetPassword(ctx context.Context, current, next string) error {
	a := authz.ActorFrom(ctx)
	if err := authz.Account(a, authz.AccountSetPassword, a.UserID); err != nil {
		return err
	}
	u, err := s.getUser(ctx, a.UserID)
	if err != nil {
		return err
	}
	var fe domain.FieldErrors
	if err := s.checkCurrent(ctx, a, u, current); err != nil {
		return err
	}
	CheckPassword(&fe, "password", next, u.Email)
	if err := fe.Err(); err != nil {
		return err
	}
	h, err := hashPassword(next, s.argon)
	if err != nil {
		return domain.Wrap(domain.Internal, err, "could not hash the password")
	}
	u.PasswordHash, u.PasswordSetAt = h, s.Now()
	return s.st.Save(ctx, u)
}

// RemovePassword removes the actor's password (sign-in by email only).
// Same checks as SetPassword.
func (s *Service) RemovePassword(ctx context.Context, current string) error {
	a := authz.ActorFrom(ctx)
	if err := authz.Account(a, authz.AccountSetPassword, a.UserID); err != nil {
		return err
	}
	u, err := s.getUser(ctx, a.UserID)
	if err != nil {
		return err
	}
	if !u.HasPassword() {
		return nil
	}
	if err := s.checkCurrent(ctx, a, u, current); err != nil {
		return err
	}
	u.PasswordHash = ""
	u.PasswordSetAt = s.Now()
	return s.st.Save(ctx, u)
}

func (s *Service) checkCurrent(ctx context.Context, a authz.Actor, u *User, current string) error {
	if !u.HasPassword() {
		return nil
	}
	if current != "" {
		if err := s.limiter.Check(ctx, s.limits.PasswordLockout, u.Email); err != nil {
			return err
		}
		if len(current) <= MaxPasswordLen && verifyPassword(current, u.PasswordHash) {
			return nil
		}
		_ = s.limiter.Hit(ctx, s.limits.PasswordLockout, u.Email)
		return domain.Validation(domain.FieldError{Field: "current_password", Message: "is wrong"})
	}
	if s.sessionIsFresh(ctx, a) {
		return nil
	}
	return domain.Validation(domain.FieldError{Field: "current_password",
		Message: "is required (or sign in again by email to change it without)"})
}

func (s *Service) sessionIsFresh(ctx context.Context, a authz.Actor) bool {
	all, err := s.sessionsOf(ctx, a.UserID)
	if err != nil {
		return false
	}
	for _, x := range all {
		if x.ID == a.SessionID {
			return s.Now().Sub(x.CreatedAt) < s.life.FreshSession
		}
	}
	return false
}

var errBadPassword = domain.Errorf(domain.Unauthorized, "the email address or password is wrong")

// PasswordLogin signs in with email and password. Unknown addresses,
// accounts without a password and wrong passwords get the same error after
// the same work; failures count per address (existing or not) and lock it
// for a while after Limits.PasswordLockout.Max of them.
// Errors: Invalid (malformed input), Unauthorized, RateLimited.
func (s *Service) PasswordLogin(ctx context.Context, c Client, rawEmail, pw string) (*Verification, error) {
	var fe domain.FieldErrors
	email, err := NormalizeEmail("email", rawEmail)
	if err != nil {
		return nil, err
	}
	if pw == "" {
		fe.Add("password", "is required")
	} else if len(pw) > MaxPasswordLen || !utf8.ValidString(pw) {
		fe.Add("password", "is not a valid password")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if err := s.limiter.Hit(ctx, s.limits.LoginPerIP, c.IP); err != nil {
		return nil, err
	}
	if err := s.limiter.Check(ctx, s.limits.PasswordLockout, email); err != nil {
		return nil, err
	}
	u, err := s.userByEmail(ctx, email)
	if err != nil && domain.ErrorCode(err) != domain.NotFound {
		return nil, err
	}
	hash, err := s.dummy()
	if err != nil {
		return nil, domain.Wrap(domain.Internal, err, "could not prepare the password check")
	}
	if u != nil && u.HasPassword() {
		hash = u.PasswordHash
	}
	ok := verifyPassword(pw, hash) && u != nil && u.HasPassword() && u.Erasing == nil
	if !ok {
		if err := s.limiter.Hit(ctx, s.limits.PasswordLockout, email); err != nil {
			return nil, err
		}
		return nil, errBadPassword
	}
	_ = s.limiter.Reset(ctx, s.limits.PasswordLockout, email)
	token, sess, err := s.startSession(ctx, u.ID, c)
	if err != nil {
		return nil, err
	}
	return &Verification{User: u, Token: token, Session: sess}, nil
}
