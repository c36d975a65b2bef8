package discussion

// Thread guests invited by email. Someone who has no Quorum account yet is
// sent an invitation to one thread: a link holding a random token, of which
// only the SHA-256 hash is stored, that expires (GuestInviteTTL) and works
// once. The holder may look at what they are invited to; accepting needs an
// account whose (verified) address is the invited one, and writes the guest
// grant and uses up the invitation in one transaction conditioned on the
// stored hash, the invitation being unused and unexpired, and the thread
// being alive: a double click grants once.
//
// There is one invitation per (thread, address): its id is derived from
// both with a key (so the link names no address), and inviting the same
// address again renews it with a new token (the old link stops working) and
// sends it again. The item: PK=THREAD#<tid> SK=GINVITE#<id> (docs/data-
// model.md, pattern 31); purging a deleted thread removes it with the rest
// of the partition, and DynamoDB's TTL sweeps it 30 days after it expired.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/secrets"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Limits of guest invitations.
const (
	// GuestInviteTTL is how long an invitation link works.
	GuestInviteTTL = 14 * 24 * time.Hour
	// MaxGuestInvitations bounds the invitations a thread holds at once
	// (pending or expired, not yet swept); MaxGuests its listed guests.
	MaxGuestInvitations = 100
	MaxGuests           = 200
	guestInvitePrefix   = "GINVITE#"
	guestSecretLen      = 43 // 32 random bytes, base64url without padding
)

// Errors of guest invitations.
var (
	ErrGuestInviteInvalid = domain.Errorf(domain.NotFound,
		"this invitation link is not valid: it may have been revoked, replaced by a newer one or mistyped")
	ErrGuestInviteUsed    = domain.Errorf(domain.Gone, "this invitation has already been used")
	ErrGuestInviteExpired = domain.Errorf(domain.Gone, "this invitation has expired: ask the person who invited you for a new one")
	ErrGuestInviteEmail   = domain.Errorf(domain.Forbidden,
		"this invitation was sent to another email address: sign in with the invited address to accept it")
	ErrNoGuestInvitation = domain.Errorf(domain.NotFound, "there is no such invitation")
	// ErrGuestMailOff: the service was built without email (tests of other areas).
	ErrGuestMailOff = domain.Validation(domain.FieldError{Field: "email",
		Message: "has no Quorum account yet, and this server cannot email invitations"})
	ErrTooManyInvites = domain.Errorf(domain.Conflict,
		"this thread has too many open invitations: revoke some first")
)

func guestInviteSK(id string) string { return guestInvitePrefix + id }

// guestInviteItem: PK=THREAD#<tid> SK=GINVITE#<id>, id = keyed hash of
// (tid, email). Times are epoch seconds so conditions can compare them.
type guestInviteItem struct {
	store.Item
	ID          string `dynamo:"ID"`
	ThreadID    string `dynamo:"ThreadID"`
	GroupID     string `dynamo:"GroupID"`
	Email       string `dynamo:"Email"`
	TokenHash   string `dynamo:"TokenHash"`
	InvitedBy   string `dynamo:"InvitedBy"`
	InviterName string `dynamo:"InviterName"`
	CreatedAt   int64  `dynamo:"CreatedAt"`
	ExpiresAt   int64  `dynamo:"ExpiresAt"`
	SentCount   int64  `dynamo:"SentCount"`
	AcceptedAt  int64  `dynamo:"AcceptedAt,omitempty"`
	AcceptedBy  string `dynamo:"AcceptedBy,omitempty"`
}

// GuestInvitation is a pending (or expired, unused) invitation as shown to
// those who may add guests.
type GuestInvitation struct {
	ID          string    `json:"id"`
	ThreadID    string    `json:"thread_id"`
	Email       string    `json:"email"`
	InvitedBy   string    `json:"invited_by"`
	InviterName string    `json:"inviter_name"`
	CreatedAt   time.Time `json:"created_at"`
	ExpiresAt   time.Time `json:"expires_at"`
	SentCount   int64     `json:"sent_count"`
	Expired     bool      `json:"expired"`
}

func (inv *guestInviteItem) view(now time.Time) GuestInvitation {
	return GuestInvitation{ID: inv.ID, ThreadID: inv.ThreadID, Email: inv.Email, InvitedBy: inv.InvitedBy,
		InviterName: inv.InviterName, CreatedAt: time.Unix(inv.CreatedAt, 0).UTC(), ExpiresAt: time.Unix(inv.ExpiresAt, 0).UTC(),
		SentCount: inv.SentCount, Expired: now.Unix() >= inv.ExpiresAt}
}

// GuestInviteResult tells what inviting an address did: "added" (it has an
// account: they are a guest now), "invited" (an invitation was emailed) or
// "resent" (the pending invitation was renewed and emailed again).
type GuestInviteResult struct {
	Email      string           `json:"email"`
	Status     string           `json:"status"`
	UserID     string           `json:"user_id,omitempty"`
	Invitation *GuestInvitation `json:"invitation,omitempty"`
}

// Guest is a person with a guest grant to a thread.
type Guest struct {
	UserID  string    `json:"user_id"`
	Name    string    `json:"name"`
	AddedBy string    `json:"added_by"`
	AddedAt time.Time `json:"added_at"`
}

// GuestInvitationPreview is what the holder of a valid invitation link sees.
type GuestInvitationPreview struct {
	ThreadID    string `json:"thread_id"`
	ThreadTitle string `json:"thread_title"`
	// GroupName is empty when the viewer may not see the group (a secret
	// group, to someone outside it).
	GroupName   string    `json:"group_name,omitempty"`
	InviterName string    `json:"inviter_name"`
	Email       string    `json:"email"` // masked
	ExpiresAt   time.Time `json:"expires_at"`
	// EmailMatches: the signed-in viewer's address is the invited one.
	EmailMatches bool `json:"email_matches"`
}

func maskEmail(e string) string {
	at := strings.LastIndexByte(e, '@')
	if at < 0 {
		return "***"
	}
	keep := min(2, at)
	if at <= 2 {
		keep = min(1, at)
	}
	return e[:keep] + "***" + e[at:]
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// guestInviteID is the invitation id of (tid, email): keyed, so the link
// does not reveal the address to anyone who guesses it.
func (s *Service) guestInviteID(tid, email string) string {
	m := hmac.New(sha256.New, s.inviteKey)
	m.Write([]byte(tid + "\x00" + email))
	return ids.FromHash(m.Sum(nil))
}

// guestTokenHash is the stored form of a token.
func guestTokenHash(token string) string {
	sum := sha256.Sum256([]byte("quorum-thread-invitation\x00" + token))
	return hex.EncodeToString(sum[:])
}

// canAddGuests loads the live thread and asks the policy (group.guests.add).
func (s *Service) canAddGuests(ctx context.Context, tid string) (*threadItem, error) {
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, t.GroupID, authz.GroupAddGuests, threadTarget(t, authz.ActorFrom(ctx).UserID)); err != nil {
		return nil, err
	}
	return t, nil
}

// InviteGuestByEmail invites the person with address email to thread tid
// (policy: group.guests.add): someone with an account becomes a guest at
// once (AddGuest), anyone else is emailed an invitation
// (SendGuestInvitation). Access is checked before the address is looked
// up, so the answer tells outsiders nothing.
func (s *Service) InviteGuestByEmail(ctx context.Context, tid, email string) (GuestInviteResult, error) {
	if _, err := s.canAddGuests(ctx, tid); err != nil {
		return GuestInviteResult{}, err
	}
	addr, ok := mail.NormaliseAddress(email)
	if !ok {
		return GuestInviteResult{}, domain.Validation(domain.FieldError{Field: "email", Message: "is not an email address"})
	}
	uid, ok, err := s.people.UserIDByEmail(ctx, addr)
	if err != nil {
		return GuestInviteResult{}, err
	}
	if ok {
		if err := s.AddGuest(ctx, tid, uid); err != nil {
			return GuestInviteResult{}, err
		}
		return GuestInviteResult{Email: addr, Status: "added", UserID: uid}, nil
	}
	return s.SendGuestInvitation(ctx, tid, addr)
}

// SendGuestInvitation emails an invitation to thread tid to email (policy:
// group.guests.add), whether or not the address has an account. A pending
// invitation to the same address is renewed with a new token and sent
// again ("resent"); otherwise a new one is written ("invited").
func (s *Service) SendGuestInvitation(ctx context.Context, tid, email string) (GuestInviteResult, error) {
	a := authz.ActorFrom(ctx)
	t, err := s.canAddGuests(ctx, tid)
	if err != nil {
		return GuestInviteResult{}, err
	}
	addr, ok := mail.NormaliseAddress(email)
	if !ok {
		return GuestInviteResult{}, domain.Validation(domain.FieldError{Field: "email", Message: "is not an email address"})
	}
	if s.mail == nil || s.base == "" {
		return GuestInviteResult{}, ErrGuestMailOff
	}
	// A full thread could not take the invitee: say so now rather than at
	// their accept. (An invitation holds no place: accepting takes one.)
	if err := s.readyGuestCount(ctx, t); err != nil {
		return GuestInviteResult{}, err
	}
	inviter, err := s.people.UserByID(ctx, a.UserID)
	if err != nil {
		return GuestInviteResult{}, err
	}
	now := s.now().UTC()
	id := s.guestInviteID(tid, addr)
	status := "invited"
	inv := &guestInviteItem{Item: store.Item{PK: tabledef.ThreadPK(tid), SK: guestInviteSK(id), Type: "thread-invitation", Version: 1},
		ID: id, ThreadID: tid, GroupID: t.GroupID, Email: addr, InvitedBy: inviter.ID, InviterName: inviter.Name,
		CreatedAt: now.Unix(), SentCount: 1}
	var old guestInviteItem
	switch err := s.st.Get(ctx, inv.PK, inv.SK, &old); domain.ErrorCode(err) {
	case "":
		if old.AcceptedAt == 0 && now.Unix() < old.ExpiresAt {
			status = "resent"
			inv.CreatedAt, inv.SentCount = old.CreatedAt, old.SentCount+1
		}
	case domain.NotFound:
		pending, err := s.guestInvites(ctx, tid)
		if err != nil {
			return GuestInviteResult{}, err
		}
		if len(pending) >= MaxGuestInvitations {
			return GuestInviteResult{}, ErrTooManyInvites
		}
	default:
		return GuestInviteResult{}, err
	}
	secret := secrets.NewToken()
	token := tid + "." + id + "." + secret
	inv.TokenHash = guestTokenHash(token)
	inv.ExpiresAt = now.Add(GuestInviteTTL).Unix()
	// Kept a while after expiry so a late click says "expired", then swept.
	inv.TTL = now.Add(GuestInviteTTL + 30*24*time.Hour).Unix()
	// One invitation per (thread, address): the newest replaces the item,
	// and with it the hash of the previous link.
	if err := s.st.Table().Put(inv).Run(ctx); err != nil {
		return GuestInviteResult{}, store.Classify(err)
	}
	reader, err := s.guestReader(ctx, addr, inviter)
	if err != nil {
		return GuestInviteResult{}, err
	}
	if err := s.sendGuestInvitation(ctx, t, inv, reader, token); err != nil {
		return GuestInviteResult{}, err
	}
	s.log.InfoContext(ctx, "thread invitation "+status, "thread_id", tid, "invitation_id", id)
	v := inv.view(now)
	return GuestInviteResult{Email: addr, Status: status, Invitation: &v}, nil
}

func (s *Service) guestInvites(ctx context.Context, tid string) ([]guestInviteItem, error) {
	var out []guestInviteItem
	err := s.st.Table().Get(tabledef.PK, tabledef.ThreadPK(tid)).Range(tabledef.SK, dynamo.BeginsWith, guestInvitePrefix).
		Consistent(true).Limit(MaxGuestInvitations+1).All(ctx, &out)
	return out, store.Classify(err)
}

// GuestInvitations lists the thread's unused invitations, pending and
// expired, oldest first (policy: group.guests.add).
func (s *Service) GuestInvitations(ctx context.Context, tid string) ([]GuestInvitation, error) {
	if _, err := s.canAddGuests(ctx, tid); err != nil {
		return nil, err
	}
	items, err := s.guestInvites(ctx, tid)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := []GuestInvitation{}
	for i := range items {
		inv := &items[i]
		if inv.AcceptedAt != 0 || (inv.TTL != 0 && inv.TTL <= now.Unix()) {
			continue
		}
		out = append(out, inv.view(now))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out, nil
}

// RevokeGuestInvitation deletes an unused invitation: its link stops
// working (policy: group.guests.add).
func (s *Service) RevokeGuestInvitation(ctx context.Context, tid, id string) error {
	if _, err := s.canAddGuests(ctx, tid); err != nil {
		return err
	}
	if !ids.Valid(id) {
		return ErrNoGuestInvitation
	}
	del := s.st.DeleteOp(tabledef.ThreadPK(tid), guestInviteSK(id)).
		If("attribute_exists($) AND attribute_not_exists($)", tabledef.PK, "AcceptedAt")
	if err := s.st.Tx().Delete(del, ErrNoGuestInvitation).Run(ctx, ""); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "thread invitation revoked", "thread_id", tid, "invitation_id", id)
	return nil
}

// Guests lists the thread's guests (policy: group.guests.add), by name.
func (s *Service) Guests(ctx context.Context, tid string) ([]Guest, error) {
	if _, err := s.canAddGuests(ctx, tid); err != nil {
		return nil, err
	}
	grants, err := s.policy.ThreadGuests(ctx, tid, MaxGuests)
	if err != nil {
		return nil, err
	}
	out := make([]Guest, 0, len(grants))
	for _, g := range grants {
		out = append(out, Guest{UserID: g.UserID, Name: s.actorName(ctx, g.UserID), AddedBy: g.AddedBy, AddedAt: g.AddedAt})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].AddedAt.Before(out[j].AddedAt) })
	return out, nil
}

// openGuestInvite parses and checks a token: malformed, unknown, replaced,
// revoked or tampered, or for a thread that is gone or whose inviter may no
// longer add guests → ErrGuestInviteInvalid (404); used or expired → Gone
// (410). It returns the invitation, its thread and the token's hash.
func (s *Service) openGuestInvite(ctx context.Context, token string) (*guestInviteItem, *threadItem, string, error) {
	if len(token) > 300 {
		return nil, nil, "", ErrGuestInviteInvalid
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 || !ids.Valid(parts[0]) || !ids.Valid(parts[1]) || len(parts[2]) != guestSecretLen || !ids.Valid(parts[2]) {
		return nil, nil, "", ErrGuestInviteInvalid
	}
	var inv guestInviteItem
	if err := s.st.Get(ctx, tabledef.ThreadPK(parts[0]), guestInviteSK(parts[1]), &inv); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return nil, nil, "", ErrGuestInviteInvalid
		}
		return nil, nil, "", err
	}
	hash := guestTokenHash(token)
	if subtle.ConstantTimeCompare([]byte(hash), []byte(inv.TokenHash)) != 1 {
		return nil, nil, "", ErrGuestInviteInvalid
	}
	if inv.AcceptedAt != 0 {
		return &inv, nil, hash, ErrGuestInviteUsed
	}
	if s.now().Unix() >= inv.ExpiresAt {
		return &inv, nil, hash, ErrGuestInviteExpired
	}
	t, err := s.getThread(ctx, inv.ThreadID)
	if err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return nil, nil, "", ErrGuestInviteInvalid
		}
		return nil, nil, "", err
	}
	// The invitation stands for its inviter: if they may no longer add
	// guests (left the group, settings changed), it is void.
	inviter := authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: inv.InvitedBy})
	if err := s.authorize(inviter, t.GroupID, authz.GroupAddGuests, threadTarget(t, inv.InvitedBy)); err != nil {
		if domain.ErrorCode(err) == domain.Internal || domain.ErrorCode(err) == domain.Unavailable {
			return nil, nil, "", err
		}
		return nil, nil, "", ErrGuestInviteInvalid
	}
	return &inv, t, hash, nil
}

// GuestInviteThreadID is the thread a token names (unchecked: callers
// still ask the core for the thread, which applies the policy).
func GuestInviteThreadID(token string) string {
	tid, _, _ := strings.Cut(token, ".")
	if !ids.Valid(tid) {
		return ""
	}
	return tid
}

// PreviewGuestInvitation shows the holder of a valid invitation link what
// they are invited to; no account or membership is needed.
func (s *Service) PreviewGuestInvitation(ctx context.Context, token string) (GuestInvitationPreview, error) {
	a := authz.ActorFrom(ctx)
	inv, t, _, err := s.openGuestInvite(ctx, token)
	if err != nil {
		return GuestInvitationPreview{}, err
	}
	p := GuestInvitationPreview{ThreadID: t.ID, ThreadTitle: t.Title, InviterName: inv.InviterName,
		Email: maskEmail(inv.Email), ExpiresAt: time.Unix(inv.ExpiresAt, 0).UTC()}
	if n := s.actorName(ctx, inv.InvitedBy); n != "" {
		p.InviterName = n
	}
	if s.authorize(ctx, t.GroupID, authz.GroupView, authz.Target{}) == nil {
		if name, err := s.policy.Name(ctx, t.GroupID); err == nil {
			p.GroupName = name
		}
	}
	if a.Authenticated() {
		if me, err := s.people.UserByID(ctx, a.UserID); err == nil {
			n, _ := mail.NormaliseAddress(me.Email)
			p.EmailMatches = n != "" && n == inv.Email
		}
	}
	return p, nil
}

// AcceptGuestInvitation makes the signed-in actor a guest of the thread
// the invitation is for. Their account's address must be the invited one.
// The grant and the use of the invitation are one transaction conditioned
// on the token's hash, the invitation being unused and unexpired, and the
// thread being alive, so it works once; someone who is already a guest
// just uses it up. It returns the thread as the new guest sees it.
func (s *Service) AcceptGuestInvitation(ctx context.Context, token string) (Thread, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.RequireUser(a); err != nil {
		return Thread{}, err
	}
	inv, t, hash, err := s.openGuestInvite(ctx, token)
	if err != nil {
		return Thread{}, err
	}
	me, err := s.people.UserByID(ctx, a.UserID)
	if err != nil {
		return Thread{}, err
	}
	if n, ok := mail.NormaliseAddress(me.Email); !ok || n != inv.Email {
		return Thread{}, ErrGuestInviteEmail
	}
	now := s.now().UTC()
	use := s.st.Update(inv.PK, inv.SK).Set("AcceptedAt", now.Unix()).Set("AcceptedBy", a.UserID).
		Remove("Email").Add(tabledef.Version, 1).
		If("$ = ? AND attribute_not_exists($) AND $ > ?", "TokenHash", hash, "AcceptedAt", "ExpiresAt", now.Unix())
	var existing store.Item
	gk := group.GuestKey(t.ID, a.UserID)
	switch err := s.st.Get(ctx, gk.PK, gk.SK, &existing); domain.ErrorCode(err) {
	case domain.NotFound:
		// The grant takes one of the thread's places (guestcap.go), whose
		// condition also holds the thread alive.
		g := group.NewThreadGuest(t.GroupID, t.ID, a.UserID, inv.InvitedBy, now)
		err = s.withGuestSlot(ctx, t, func() error {
			return s.st.Tx().Update(use, ErrGuestInviteUsed).Create(g, ErrAlreadyGuest).
				Update(s.guestSlot(t.ID), errGuestSlot).Run(ctx, "")
		})
		if errors.Is(err, ErrAlreadyGuest) {
			// Made a guest meanwhile (added by hand): just use it up.
			err = s.useGuestInvite(ctx, t.ID, use)
		}
		if err != nil {
			return Thread{}, err
		}
	case "":
		// Already a guest: the invitation is just used up.
		if err := s.useGuestInvite(ctx, t.ID, use); err != nil {
			return Thread{}, err
		}
	default:
		return Thread{}, err
	}
	s.log.InfoContext(ctx, "thread invitation accepted", "thread_id", t.ID, "invitation_id", inv.ID)
	return s.Thread(ctx, t.ID)
}

// useGuestInvite uses up an invitation without granting anything (the
// person is a guest already), on the condition that the thread is alive.
func (s *Service) useGuestInvite(ctx context.Context, tid string, use *dynamo.Update) error {
	return s.st.Tx().Update(use, ErrGuestInviteUsed).
		Check(tabledef.ThreadPK(tid), threadSK, "attribute_exists($) AND $ = ?", ErrNoThread, tabledef.PK, "Deleted", false).
		Run(ctx, "")
}

// ---- email ----

// guestReader is who a thread invitation is worded for: the invitee's own
// language and zone when the address has an account, otherwise the
// inviter's language (nothing better is known; the inviter's request caused
// the email) and UTC.
func (s *Service) guestReader(ctx context.Context, addr string, inviter Person) (Person, error) {
	fallback := Person{Lang: inviter.Lang}
	uid, ok, err := s.people.UserIDByEmail(ctx, addr)
	if err != nil || !ok {
		return fallback, err
	}
	p, err := s.people.UserByID(ctx, uid)
	if domain.ErrorCode(err) == domain.NotFound {
		return fallback, nil
	}
	return p, err
}

func (s *Service) sendGuestInvitation(ctx context.Context, t *threadItem, inv *guestInviteItem, reader Person, token string) error {
	p := s.cat.PrinterIn(reader.Lang, reader.TimeZone)
	link := s.base + "/thread-invitations/" + token
	expires := p.DateTime(time.Unix(inv.ExpiresAt, 0)) + " (" + p.Isolate(p.Location().String()) + ")"
	inviter := oneLine(inv.InviterName)
	if inviter == "" {
		inviter = p.T("email.someone")
	}
	title := oneLine(t.Title)
	subject := oneLine(p.T("email.guest.subject", "Inviter", inviter, "Title", title))
	intro, see, expiry := p.T("email.guest.intro", "Inviter", p.Isolate(inviter), "Title", p.Isolate(title)), p.T("email.guest.see"), p.T("email.guest.expiry", "Date", expires)
	text := intro + "\n\n" + see + ":\n" + link + "\n\n" + expiry + "\n"
	html := mail.HTMLDoc(string(p.Lang()), p.Dir(), subject, mail.Para(intro)+mail.LinkPara(link, see)+mail.Para(expiry))
	_, err := s.mail.Send(ctx, mail.Message{
		From: s.from, To: []string{inv.Email}, Subject: subject,
		Text: text, HTML: html,
	})
	return err
}
