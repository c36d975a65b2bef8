package account

// Account deletion ("Leave", #16). The account core owns the flow; every
// other core erases what it holds about the person through Eraser, which
// this package declares and the wiring (internal/cores) fills in.
//
// The flow:
//  1. RequestDeletion mails a fresh 6-digit code to the account's address
//     (stored as an HMAC with a TTL, rate-limited, a few attempts).
//  2. DeleteAccount checks the code (single use), refuses the last admin
//     of any group (AdminGuard), then marks the user item (Erasing, and
//     GSI2 ERASING/<uid> so the scheduler finds unfinished deletions). A
//     marked account cannot sign in: sign-in refuses it and its sessions
//     and tokens are deleted next.
//  3. erase runs idempotent steps: sessions and tokens, each Eraser until
//     it reports done (each call does one bounded batch), then the email
//     uniqueness item and the user item in one transaction. Interrupted,
//     it is run again by ResumeDeletions; every step tolerates having run.
//  4. A confirmation goes to the old address, held only in memory.

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// DeletedName is how content of a deleted account is attributed.
const DeletedName = "Deleted member"

// Erasure says whose data to erase.
type Erasure struct {
	UserID string
	// Email is the account's address (mail the person sent is found by it).
	Email string
	// RemoveComments: the person asked to remove their comments too
	// ("comment removed" in place) rather than keep them under "Deleted
	// member".
	RemoveComments bool
	// InRequest is set while the deletion request itself runs the steps;
	// an eraser with long work answers ErrLater then, and the scheduler
	// does it.
	InRequest bool
}

// ErrLater is what an Eraser answers in a request for work it leaves to
// the scheduler (removing comments: a scan of the table with writes).
var ErrLater = errors.New("account: erasure step left to the scheduler")

// DeletionOptions are the choices of a deletion.
type DeletionOptions struct {
	// RemoveComments removes the person's comments (see Erasure).
	RemoveComments bool
}

// Eraser erases what one core holds about a person who deleted their
// account. Each call does at most one bounded batch of work and reports
// done when nothing is left; calls must be idempotent (a deletion resumed
// after an interruption repeats them).
type Eraser interface {
	EraseUser(ctx context.Context, e Erasure) (done bool, err error)
}

// AdminGuard names the groups a person is the only admin of (deleting the
// account would leave them without one).
type AdminGuard interface {
	SoleAdminOf(ctx context.Context, uid string) ([]string, error)
}

// errLastAdmin refuses deleting the last admin of groups, naming them.
func errLastAdmin(groups []string) error {
	return domain.Errorf(domain.Conflict,
		"you are the only admin of %s; make someone else an admin there (or delete the group) before deleting your account",
		quoteList(groups))
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// deletionCode is the pending confirmation code of a deletion (pattern:
// USER#<uid> / ERASECODE). Only the code's HMAC is stored.
type deletionCode struct {
	store.Item
	CodeMAC  string `dynamo:"CodeMAC"`
	Attempts int    `dynamo:"Attempts"`
}

const (
	deletionCodeSK = "ERASECODE"
	erasingQueue   = "ERASING"
	// eraseBatch bounds the sessions or tokens deleted per query.
	eraseBatch = 25
	// maxEraserCalls bounds the batches one scheduler run asks of the cores
	// for one account; a deletion with more left is finished by the next run.
	maxEraserCalls = 100
	// requestEraserCalls bounds the batches the deletion request itself
	// asks for, so the answer comes quickly (well inside the API's timeout,
	// even when a core's batch is a page of a table scan); the scheduler
	// finishes the rest.
	requestEraserCalls = 20
	// eraseReserve is the time a run keeps before its deadline: it stops
	// asking for batches then, and the next run goes on.
	eraseReserve = 10 * time.Second
)

func (s *Service) deletionMAC(uid, code string) string { return s.codeMAC("delete-account:"+uid, code) }

// DeletionSent says where the code went and until when it works.
type DeletionSent struct {
	Email     string    `json:"email"`
	ExpiresAt time.Time `json:"expires_at"`
}

// RequestDeletion mails a code that confirms deleting the actor's account.
// A new request replaces an earlier code. Browser sessions only.
// Errors: Unauthorized, Forbidden (API token), RateLimited.
func (s *Service) RequestDeletion(ctx context.Context) (*DeletionSent, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.Account(a, authz.AccountDelete, a.UserID); err != nil {
		return nil, err
	}
	u, err := s.getUser(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	if err := s.limiter.Hit(ctx, s.limits.DeletionCode, u.ID); err != nil {
		return nil, err
	}
	code, err := randomCode()
	if err != nil {
		return nil, domain.Wrap(domain.Internal, err, "could not make a code")
	}
	exp := s.Now().Add(s.life.Challenge)
	it := &deletionCode{Item: store.Item{PK: tabledef.UserPK(u.ID), SK: deletionCodeSK, Type: "deletion_code"}, CodeMAC: s.deletionMAC(u.ID, code)}
	it.ExpireAt(exp)
	if err := s.st.Tx().Put(it).Run(ctx, ""); err != nil {
		return nil, err
	}
	settings := s.link("/settings/delete", nil)
	p := s.printer(u.Lang())
	subject, intro, enter, ignore := p.T("email.delete.subject"), p.T("email.delete.intro"),
		p.N("email.delete.enter", int(s.life.Challenge/time.Minute)), p.T("email.delete.ignore")
	txt := intro + "\n\n" + p.T("email.code.label") + " " + code + "\n\n" + enter + "\n" + settings + "\n\n" + ignore + "\n"
	html := htmlDoc(p, subject, mail.Para(intro)+mail.Para(p.T("email.code.label"))+codeHTML(code)+mail.Para(enter)+
		mail.LinkPara(settings, p.T("email.delete.open"))+mail.Para(ignore))
	if err := s.sendMail(ctx, u.Email, subject, txt, html); err != nil {
		return nil, err
	}
	return &DeletionSent{Email: u.Email, ExpiresAt: exp}, nil
}

var errDeletionCodeGone = domain.Errorf(domain.Gone, "this code has expired or was already used; ask for a new one")

// DeleteAccount deletes the actor's account after checking the emailed
// code: see the package comment of this file for what goes and what stays.
// Browser sessions only; the session ends with the account.
// Errors: Invalid (malformed or wrong code, with the attempts left), Gone
// (expired, used or never requested), Conflict (the only admin of groups,
// named), Unauthorized, Forbidden (API token).
func (s *Service) DeleteAccount(ctx context.Context, code string) error {
	return s.DeleteAccountWith(ctx, code, DeletionOptions{})
}

// DeleteAccountWith is DeleteAccount with the person's choices (opt).
func (s *Service) DeleteAccountWith(ctx context.Context, code string, opt DeletionOptions) error {
	a := authz.ActorFrom(ctx)
	if err := authz.Account(a, authz.AccountDelete, a.UserID); err != nil {
		return err
	}
	code = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, code)
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return domain.Validation(domain.FieldError{Field: "code", Message: "must be the 6 digits from the email"})
	}
	u, err := s.getUser(ctx, a.UserID)
	if err != nil {
		return err
	}
	if s.guard != nil {
		groups, err := s.guard.SoleAdminOf(ctx, u.ID)
		if err != nil {
			return err
		}
		if len(groups) > 0 {
			return errLastAdmin(groups)
		}
	}
	var dc deletionCode
	err = s.st.Update(tabledef.UserPK(u.ID), deletionCodeSK).Add("Attempts", 1).
		If("attribute_exists($) AND Attempts < ? AND $ > ?", tabledef.PK, s.life.ChallengeTries, tabledef.TTLAttribute, s.Now().Unix()).
		Value(ctx, &dc)
	if dynamo.IsCondCheckFailed(err) {
		return errDeletionCodeGone
	}
	if err != nil {
		return store.Classify(err)
	}
	if !hmac.Equal([]byte(dc.CodeMAC), []byte(s.deletionMAC(u.ID, code))) {
		left := s.life.ChallengeTries - dc.Attempts
		if left <= 0 {
			_ = s.st.Delete(ctx, dc.PK, dc.SK)
			return domain.Errorf(domain.Gone, "that code is wrong and was the last attempt; ask for a new code")
		}
		return &domain.Error{Code: domain.Invalid, Message: fmt.Sprintf("code: is wrong; %d attempts left", left),
			Fields: []domain.FieldError{{Field: "code", Message: fmt.Sprintf("is wrong; %d attempts left", left)}}}
	}
	// Consume the code and mark the account in one transaction: the code
	// works once, and from here on the account cannot sign in.
	err = s.st.Tx().
		Delete(s.st.DeleteOp(dc.PK, dc.SK).If("CodeMAC = ?", dc.CodeMAC), errDeletionCodeGone).
		Update(s.st.Update(u.PK, u.SK).Set("Erasing", s.Now()).Set("EraseComments", opt.RemoveComments).
			Set(tabledef.GSI2PK, erasingQueue).Set(tabledef.GSI2SK, u.ID).Add(tabledef.Version, 1).
			If("attribute_exists($)", tabledef.PK), authz.ErrSignIn).
		Run(ctx, "")
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "account deletion started", "user_id", u.ID)
	// From the marker on the deletion is decided: the account cannot sign
	// in, and what this run does not finish the scheduler does
	// (ResumeDeletions). The person's request has succeeded either way.
	if err := s.erase(ctx, u.ID, requestEraserCalls, true); err != nil {
		s.log.WarnContext(ctx, "account deletion continues in the background", "user_id", u.ID, "error", err.Error())
	}
	return nil
}

// erase runs the deletion steps of a marked account. Every step is
// idempotent; the user item goes last, so an interrupted run leaves a
// marked account that cannot sign in and that ResumeDeletions finishes.
// budget bounds the batches asked of the cores in this run.
func (s *Service) erase(ctx context.Context, uid string, budget int, inRequest bool) error {
	u, err := s.getUser(ctx, uid)
	if domain.ErrorCode(err) == domain.NotFound {
		return nil // already finished
	}
	if err != nil {
		return err
	}
	if u.Erasing == nil {
		return domain.Errorf(domain.Internal, "account: erase of an unmarked account")
	}
	for _, prefix := range []string{"SESSION#", "TOKEN#"} {
		if err := s.deleteOwned(ctx, uid, prefix); err != nil {
			return err
		}
	}
	e := Erasure{UserID: uid, Email: u.Email, RemoveComments: u.EraseComments, InRequest: inRequest}
	calls := 0
	for _, er := range s.erasers {
		done := false
		for !done {
			if dl, ok := ctx.Deadline(); calls == budget || (ok && time.Until(dl) < eraseReserve) {
				return domain.Errorf(domain.Unavailable, "account deletion is still running; it continues in the background")
			}
			calls++
			if done, err = er.EraseUser(ctx, e); errors.Is(err, ErrLater) {
				return domain.Errorf(domain.Unavailable, "account deletion is still running; it continues in the background")
			} else if err != nil {
				return err
			}
		}
	}
	// The picture's files, every stored version.
	if err := s.eraseAvatar(ctx, uid); err != nil {
		return err
	}
	// What is left in the person's partition is the account core's own
	// (an unused deletion code); the email item and the user item go in one
	// transaction, the user item conditioned on still being marked.
	if err := s.st.Delete(ctx, tabledef.UserPK(uid), deletionCodeSK); err != nil {
		return err
	}
	err = s.st.Tx().
		Delete(s.st.DeleteOp(emailPK(u.Email), "EMAIL").If("attribute_not_exists($) OR UserID = ?", tabledef.PK, uid), ErrEmailTaken).
		Delete(s.st.DeleteOp(u.PK, u.SK).If("attribute_exists(Erasing)"), errDeletionCodeGone).
		Run(ctx, "")
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "account deleted", "user_id", uid)
	s.sendDeleted(ctx, u.Email, u.Lang())
	return nil
}

// deleteOwned deletes a user's items of one kind listed through GSI1
// (sessions, tokens), a bounded page at a time.
func (s *Service) deleteOwned(ctx context.Context, uid, prefix string) error {
	for {
		var page []store.Item
		err := s.st.Table().Get(tabledef.GSI1PK, tabledef.UserPK(uid)).Index(tabledef.GSI1).
			Range(tabledef.GSI1SK, dynamo.BeginsWith, prefix).Limit(eraseBatch).All(ctx, &page)
		if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
			return store.Classify(err)
		}
		if len(page) == 0 {
			return nil
		}
		for _, it := range page {
			if err := s.st.Delete(ctx, it.PK, it.SK); err != nil {
				return err
			}
		}
	}
}

// sendDeleted tells the old address the account is gone. The address is
// only in memory; a failure is logged without it.
func (s *Service) sendDeleted(ctx context.Context, email string, l lang.Lang) {
	p := s.printer(l)
	subject, done, what, last := p.T("email.deleted.subject"), p.T("email.deleted.done"), p.T("email.deleted.what"), p.T("email.deleted.last")
	txt := done + "\n\n" + what + "\n\n" + last + "\n"
	if err := s.sendMail(ctx, email, subject, txt, htmlDoc(p, subject, mail.Para(done)+mail.Para(what)+mail.Para(last))); err != nil {
		s.log.WarnContext(ctx, "account deletion confirmation not sent", "error", err.Error())
	}
}

// ResumeDeletions finishes deletions that were interrupted (the
// scheduler calls it), at most max accounts per run. It returns how many
// it finished.
func (s *Service) ResumeDeletions(ctx context.Context, max int) (int, error) {
	var marked []struct {
		ID string `dynamo:"ID"`
	}
	err := s.st.Table().Get(tabledef.GSI2PK, erasingQueue).Index(tabledef.GSI2).Limit(max).All(ctx, &marked)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return 0, store.Classify(err)
	}
	n := 0
	for _, m := range marked {
		if !ids.Valid(m.ID) {
			continue
		}
		if err := s.erase(ctx, m.ID, maxEraserCalls, false); err != nil {
			s.log.WarnContext(ctx, "account deletion not finished", "user_id", m.ID, "error", err.Error())
			continue
		}
		n++
	}
	return n, nil
}

// errBeingDeleted refuses signing in to an account that is being deleted.
var errBeingDeleted = domain.Errorf(domain.Gone, "this account is being deleted")

// EraserFunc adapts a function to Eraser (the wiring builds the other
// cores after this one, so it passes closures).
type EraserFunc func(ctx context.Context, e Erasure) (bool, error)

// EraseUser implements Eraser.
func (f EraserFunc) EraseUser(ctx context.Context, e Erasure) (bool, error) { return f(ctx, e) }

// AdminGuardFunc adapts a function to AdminGuard.
type AdminGuardFunc func(ctx context.Context, uid string) ([]string, error)

// SoleAdminOf implements AdminGuard.
func (f AdminGuardFunc) SoleAdminOf(ctx context.Context, uid string) ([]string, error) {
	return f(ctx, uid)
}
