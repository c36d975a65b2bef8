package group

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/secrets"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/text"
)

// Invitation tokens are "<gid>.<invitation id>.<secret>": the secret is 256
// random bits; only HMAC(key, id.secret) is stored and compared in constant
// time. Join-link tokens are "<gid>.<secret>" where the secret is
// HMAC(key, gid.nonce) and the nonce is on the group item: resetting the
// nonce invalidates every old link.

const maxToken = 256

func (s *Service) inviteHash(id, secret string) string {
	m := hmac.New(sha256.New, s.inviteKey)
	m.Write([]byte(id + "." + secret))
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Service) joinSecret(gid, nonce string) string {
	m := hmac.New(sha256.New, s.joinKey)
	m.Write([]byte(gid + "." + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))[:32]
}

func tokenChars(t string) bool {
	if t == "" || len(t) > maxToken {
		return false
	}
	for _, r := range t {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// InviteURL and JoinURL are the links sent and shared.
func (s *Service) inviteURL(token string) string { return s.base + "/invitations/" + token }
func (s *Service) joinURL(token string) string   { return s.base + "/join/" + token }

// ---- invitations ----

// Invite invites people by email (admins, or members when the group lets
// members add members). Inviting as admin needs an admin. An address with a
// pending invitation gets it renewed and resent; a member's address is
// reported as already_member. Each invitation email holds the accept link.
func (s *Service) Invite(ctx context.Context, gid string, in InviteInput) ([]InviteResult, error) {
	a, l, err := s.authorized(ctx, gid, authz.GroupInvite)
	if err != nil {
		return nil, err
	}
	var fe domain.FieldErrors
	role := authz.Role(strings.TrimSpace(in.Role))
	if role == "" {
		role = authz.RoleMember
	}
	if !role.Valid() {
		fe.Add("role", "must be admin or member")
	} else if role == authz.RoleAdmin && authz.Group(a, authz.GroupChangeRole, l.facts) != nil {
		// Inviting as admin gives the admin role: whoever may change roles
		// may (the page offers it on the same capability).
		return nil, authz.Forbidden("only admins can invite admins")
	}
	msg := text.CheckBlock(&fe, "message", in.Message, 0, MaxMessage)
	var emails []string
	seen := map[string]bool{}
	switch {
	case len(in.Emails) == 0:
		fe.Add("emails", "is required: give at least one email address")
	case len(in.Emails) > MaxInvites:
		fe.Add("emails", "must hold at most %d addresses per request", MaxInvites)
	default:
		for i, e := range in.Emails {
			n, ok := NormaliseEmail(e)
			if !ok {
				fe.Add("emails["+itoa(i)+"]", "is not an email address")
				continue
			}
			if !seen[n] {
				seen[n] = true
				emails = append(emails, n)
			}
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	inviter, err := s.people.UserByID(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	out := make([]InviteResult, 0, len(emails))
	for _, e := range emails {
		res, err := s.inviteOne(ctx, l.g, inviter, e, role, msg)
		if err != nil {
			return out, err
		}
		out = append(out, res)
	}
	return out, nil
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

func (s *Service) inviteOne(ctx context.Context, g *groupItem, inviter Person, email string, role authz.Role, msg string) (InviteResult, error) {
	reader := readerOf(inviter)
	if uid, ok, err := s.people.UserIDByEmail(ctx, email); err != nil {
		return InviteResult{}, err
	} else if ok {
		m, err := s.getMember(ctx, g.ID, uid)
		if err != nil {
			return InviteResult{}, err
		}
		if m != nil {
			return InviteResult{Email: email, Status: "already_member"}, nil
		}
		if reader, err = s.accountReader(ctx, uid, inviter); err != nil {
			return InviteResult{}, err
		}
	}
	now := s.now().UTC()
	hash := emailHash(email)
	// A pending invitation to the same address is renewed, not duplicated.
	var existing []inviteItem
	err := s.st.Table().Get(tabledef.PK, tabledef.GroupPK(g.ID)).Range(tabledef.SK, dynamo.BeginsWith, "INVITE#").
		Filter("$ = ? AND attribute_not_exists($)", "EmailHash", hash, "AcceptedAt").Consistent(true).All(ctx, &existing)
	if err != nil {
		return InviteResult{}, store.Classify(err)
	}
	for i := range existing {
		inv := &existing[i]
		if now.Before(inv.ExpiresAt) {
			v, err := s.resend(ctx, g, inv, inviter, reader)
			if err != nil {
				return InviteResult{}, err
			}
			return InviteResult{Email: email, Status: "resent", Invitation: &v}, nil
		}
	}
	secret := secrets.NewToken()
	inv := &inviteItem{
		Item: store.Item{PK: tabledef.GroupPK(g.ID), Type: "invitation"},
		ID:   ids.New(), GroupID: g.ID, Email: email, EmailHash: hash, Role: role, Message: msg,
		InvitedBy: inviter.ID, CreatedAt: now, ExpiresAt: now.Add(InviteTTL), SentCount: 1,
	}
	inv.SK = inviteSK(inv.ID)
	inv.TokenHash = s.inviteHash(inv.ID, secret)
	// Kept a while after expiry so a late click says "expired", then swept.
	inv.ExpireAt(inv.ExpiresAt.Add(30 * 24 * time.Hour))
	if err := s.st.Create(ctx, inv, nil); err != nil {
		return InviteResult{}, err
	}
	if err := s.sendInvitation(ctx, g, inv, inviter, reader, g.ID+"."+inv.ID+"."+secret); err != nil {
		return InviteResult{}, err
	}
	s.log.InfoContext(ctx, "invitation sent", "group_id", g.ID, "invitation_id", inv.ID)
	v := inv.view(now)
	return InviteResult{Email: email, Status: "invited", Invitation: &v}, nil
}

// resend rotates the secret (old links stop working), renews the expiry and
// sends the email again.
func (s *Service) resend(ctx context.Context, g *groupItem, inv *inviteItem, inviter Person, reader Person) (Invitation, error) {
	now := s.now().UTC()
	secret := secrets.NewToken()
	inv.TokenHash = s.inviteHash(inv.ID, secret)
	inv.ExpiresAt = now.Add(InviteTTL)
	inv.ExpireAt(inv.ExpiresAt.Add(30 * 24 * time.Hour))
	inv.SentCount++
	err := s.st.Update(inv.PK, inv.SK).Set("TokenHash", inv.TokenHash).Set("ExpiresAt", inv.ExpiresAt).
		Set(tabledef.TTLAttribute, inv.TTL).Add("SentCount", 1).
		If("attribute_exists($) AND attribute_not_exists($)", tabledef.PK, "AcceptedAt").Run(ctx)
	if err := store.ClassifyCond(err, ErrInviteUsed); err != nil {
		return Invitation{}, err
	}
	if err := s.sendInvitation(ctx, g, inv, inviter, reader, g.ID+"."+inv.ID+"."+secret); err != nil {
		return Invitation{}, err
	}
	s.log.InfoContext(ctx, "invitation resent", "group_id", g.ID, "invitation_id", inv.ID)
	return inv.view(now), nil
}

func (s *Service) getInvite(ctx context.Context, gid, id string) (*inviteItem, error) {
	if !ids.Valid(id) {
		return nil, ErrNoInvitation
	}
	var inv inviteItem
	if err := s.st.Get(ctx, tabledef.GroupPK(gid), inviteSK(id), &inv); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return nil, ErrNoInvitation
		}
		return nil, err
	}
	return &inv, nil
}

// Invitations lists the group's invitations, newest last, with their status.
func (s *Service) Invitations(ctx context.Context, gid, cursor string, limit int) (store.Page[Invitation], error) {
	now := s.now()
	return groupPage(ctx, s, gid, authz.GroupManageInvitations, "INVITE#", "invitations", cursor, limit, nil,
		func(_ authz.Actor, _ *loaded, inv inviteItem) (Invitation, error) { return inv.view(now), nil })
}

// ResendInvitation renews a pending (or expired) invitation with a new
// secret and sends it again.
func (s *Service) ResendInvitation(ctx context.Context, gid, id string) (Invitation, error) {
	a, l, err := s.authorized(ctx, gid, authz.GroupManageInvitations)
	if err != nil {
		return Invitation{}, err
	}
	inv, err := s.getInvite(ctx, gid, id)
	if err != nil {
		return Invitation{}, err
	}
	if inv.AcceptedAt != 0 {
		return Invitation{}, ErrInviteUsed
	}
	inviter, err := s.people.UserByID(ctx, a.UserID)
	if err != nil {
		return Invitation{}, err
	}
	reader := readerOf(inviter)
	if uid, ok, err := s.people.UserIDByEmail(ctx, inv.Email); err != nil {
		return Invitation{}, err
	} else if ok {
		if reader, err = s.accountReader(ctx, uid, inviter); err != nil {
			return Invitation{}, err
		}
	}
	return s.resend(ctx, l.g, inv, inviter, reader)
}

// RevokeInvitation deletes an invitation: its link stops working.
func (s *Service) RevokeInvitation(ctx context.Context, gid, id string) error {
	_, _, err := s.authorized(ctx, gid, authz.GroupManageInvitations)
	if err != nil {
		return err
	}
	if !ids.Valid(id) {
		return ErrNoInvitation
	}
	tx := s.st.Tx().Delete(s.st.DeleteOp(tabledef.GroupPK(gid), inviteSK(id)).If("attribute_exists($)", tabledef.PK), ErrNoInvitation)
	if err := s.audit.Record(ctx, tx, gid, audit.InvitationRevoked, audit.Target{Kind: "invitation", ID: id}, nil); err != nil {
		return err
	}
	err = tx.Run(ctx, "")
	if err == nil {
		s.log.InfoContext(ctx, "invitation revoked", "group_id", gid, "invitation_id", id)
	}
	return err
}

// openInvitation parses and checks a token: malformed, unknown, revoked or
// tampered → ErrInviteInvalid (404); used or expired → Gone (410).
func (s *Service) openInvitation(ctx context.Context, token string) (*inviteItem, *groupItem, string, error) {
	if !tokenChars(token) {
		return nil, nil, "", ErrInviteInvalid
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 || !ids.Valid(parts[0]) || !ids.Valid(parts[1]) || len(parts[2]) != 43 {
		return nil, nil, "", ErrInviteInvalid
	}
	var inv inviteItem
	if err := s.st.Get(ctx, tabledef.GroupPK(parts[0]), inviteSK(parts[1]), &inv); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return nil, nil, "", ErrInviteInvalid
		}
		return nil, nil, "", err
	}
	hash := s.inviteHash(parts[1], parts[2])
	if !hmac.Equal([]byte(hash), []byte(inv.TokenHash)) {
		return nil, nil, "", ErrInviteInvalid
	}
	if inv.AcceptedAt != 0 {
		return nil, nil, "", ErrInviteUsed
	}
	if !s.now().Before(inv.ExpiresAt) {
		return nil, nil, "", ErrInviteExpired
	}
	g, err := s.getGroup(ctx, inv.GroupID)
	if err != nil {
		return nil, nil, "", ErrInviteInvalid
	}
	return &inv, g, hash, nil
}

// PreviewInvitation shows the holder of a valid invitation what they are
// invited to (anyone holding the token may look; accepting needs the
// invited address).
func (s *Service) PreviewInvitation(ctx context.Context, token string) (InvitationPreview, error) {
	a := authz.ActorFrom(ctx)
	inv, g, _, err := s.openInvitation(ctx, token)
	if err != nil {
		return InvitationPreview{}, err
	}
	l, err := s.loadFor(ctx, a, g)
	if err != nil {
		return InvitationPreview{}, err
	}
	l.facts.HoldsInvitation = true
	if err := authz.Group(a, authz.GroupView, l.facts); err != nil {
		return InvitationPreview{}, err
	}
	p := InvitationPreview{Group: present(a, l), Email: maskEmail(inv.Email), ExpiresAt: inv.ExpiresAt}
	if inviter, err := s.people.UserByID(ctx, inv.InvitedBy); err == nil {
		p.InviterName = inviter.Name
	}
	if a.Authenticated() {
		if me, err := s.people.UserByID(ctx, a.UserID); err == nil {
			n, _ := NormaliseEmail(me.Email)
			p.EmailMatches = n == inv.Email
		}
	}
	return p, nil
}

// AcceptInvitation makes the actor a member with the invitation's role.
// The actor's account email must be the invited address. The invitation is
// marked used in the same transaction as the membership write, conditioned
// on its token hash, so it works once and a resend or revoke in between
// wins. Accepting when already a member just uses up the invitation.
func (s *Service) AcceptInvitation(ctx context.Context, token string) (Group, error) {
	a := authz.ActorFrom(ctx)
	inv, g, hash, err := s.openInvitation(ctx, token)
	if err != nil {
		return Group{}, err
	}
	l, err := s.loadFor(ctx, a, g)
	if err != nil {
		return Group{}, err
	}
	l.facts.HoldsInvitation = true
	policyErr := authz.Group(a, authz.GroupAcceptInvitation, l.facts)
	alreadyMember := errors.Is(policyErr, authz.ErrAlreadyMember)
	if policyErr != nil && !alreadyMember {
		return Group{}, policyErr
	}
	me, err := s.people.UserByID(ctx, a.UserID)
	if err != nil {
		return Group{}, err
	}
	if n, _ := NormaliseEmail(me.Email); n != inv.Email {
		return Group{}, ErrWrongEmail
	}
	use := s.st.Update(inv.PK, inv.SK).Set("AcceptedAt", s.now().Unix()).Set("AcceptedBy", a.UserID).
		If("$ = ? AND attribute_not_exists($)", "TokenHash", hash, "AcceptedAt")
	tx := s.st.Tx().Update(use, ErrInviteUsed)
	if !alreadyMember {
		s.joinTx(tx, g.ID, a.UserID, inv.Role, "invitation", inv.InvitedBy, nil)
	}
	if err := tx.Run(ctx, ""); err != nil {
		return Group{}, err
	}
	// A pending request is moot now.
	_ = s.st.Delete(ctx, tabledef.GroupPK(g.ID), requestSK(a.UserID))
	s.log.InfoContext(ctx, "invitation accepted", "group_id", g.ID, "invitation_id", inv.ID)
	return s.Get(ctx, g.ID)
}

// ---- join links ----

// JoinLink returns the group's shareable join link.
func (s *Service) JoinLink(ctx context.Context, gid string) (string, error) {
	_, l, err := s.authorized(ctx, gid, authz.GroupViewJoinLink)
	if err != nil {
		return "", err
	}
	return s.joinURL(gid + "." + s.joinSecret(gid, l.g.JoinNonce)), nil
}

// ResetJoinLink replaces the join link; the old one stops working at once.
func (s *Service) ResetJoinLink(ctx context.Context, gid string) (string, error) {
	_, _, err := s.authorized(ctx, gid, authz.GroupResetJoinLink)
	if err != nil {
		return "", err
	}
	nonce := ids.New()
	tx := s.st.Tx().Update(s.st.Update(tabledef.GroupPK(gid), groupSK).Set("JoinNonce", nonce).If("attribute_exists($)", tabledef.PK), authz.ErrHidden)
	if err := s.audit.Record(ctx, tx, gid, audit.JoinLinkReset, audit.Target{Kind: "group", ID: gid}, nil); err != nil {
		return "", err
	}
	if err := tx.Run(ctx, ""); err != nil {
		return "", err
	}
	s.log.InfoContext(ctx, "join link reset", "group_id", gid)
	return s.joinURL(gid + "." + s.joinSecret(gid, nonce)), nil
}

func (s *Service) openJoinLink(ctx context.Context, token string) (*groupItem, error) {
	if !tokenChars(token) {
		return nil, ErrLinkInvalid
	}
	gid, secret, ok := strings.Cut(token, ".")
	if !ok || !ids.Valid(gid) || len(secret) != 32 {
		return nil, ErrLinkInvalid
	}
	g, err := s.getGroup(ctx, gid)
	if err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return nil, ErrLinkInvalid
		}
		return nil, err
	}
	if !hmac.Equal([]byte(secret), []byte(s.joinSecret(gid, g.JoinNonce))) {
		return nil, ErrLinkInvalid
	}
	return g, nil
}

// PreviewJoinLink shows the group a valid join link leads to.
func (s *Service) PreviewJoinLink(ctx context.Context, token string) (InvitationPreview, error) {
	a := authz.ActorFrom(ctx)
	g, err := s.openJoinLink(ctx, token)
	if err != nil {
		return InvitationPreview{}, err
	}
	l, err := s.loadFor(ctx, a, g)
	if err != nil {
		return InvitationPreview{}, err
	}
	l.facts.HoldsInvitation = true
	return InvitationPreview{Group: present(a, l), EmailMatches: true}, nil
}

// JoinViaLink makes the actor a member through a valid join link. The
// link's nonce is a condition of the transaction, so a reset in between
// wins.
func (s *Service) JoinViaLink(ctx context.Context, token string) (Group, error) {
	a := authz.ActorFrom(ctx)
	g, err := s.openJoinLink(ctx, token)
	if err != nil {
		return Group{}, err
	}
	l, err := s.loadFor(ctx, a, g)
	if err != nil {
		return Group{}, err
	}
	l.facts.HoldsInvitation = true
	if err := authz.Group(a, authz.GroupJoinViaLink, l.facts); err != nil {
		return Group{}, err
	}
	tx := s.st.Tx()
	s.joinTx(tx, g.ID, a.UserID, authz.RoleMember, "link", "", &groupCond{"$ = ?", []any{"JoinNonce", g.JoinNonce}, ErrLinkInvalid})
	if err := tx.Run(ctx, ""); err != nil {
		return Group{}, err
	}
	_ = s.st.Delete(ctx, tabledef.GroupPK(g.ID), requestSK(a.UserID))
	s.log.InfoContext(ctx, "joined via link", "group_id", g.ID)
	return s.Get(ctx, g.ID)
}

// ---- email ----

// readerOf is who an invitation is worded for when the address has no
// account: nothing is known about them, so the inviter's language (the one
// of the request that caused the email) and UTC for the expiry date.
func readerOf(inviter Person) Person {
	return Person{Lang: inviter.Lang}
}

// accountReader is the invitee with account uid: their own language and
// zone (an erased account counts as none).
func (s *Service) accountReader(ctx context.Context, uid string, inviter Person) (Person, error) {
	p, err := s.people.UserByID(ctx, uid)
	if domain.ErrorCode(err) == domain.NotFound {
		return readerOf(inviter), nil
	}
	return p, err
}

// printer words an email for p: their language, and their zone for dates.
func (s *Service) printer(p Person) *i18n.Printer {
	return s.cat.PrinterIn(p.Lang, p.TimeZone)
}

// sendInvitation emails the invitation, worded for reader (see readerOf):
// the expiry in their language and zone, named with the zone.
func (s *Service) sendInvitation(ctx context.Context, g *groupItem, inv *inviteItem, inviter Person, reader Person, token string) error {
	p := s.printer(reader)
	link := s.inviteURL(token)
	expires := p.DateTime(inv.ExpiresAt) + " (" + p.Isolate(p.Location().String()) + ")"
	inviterName := oneLine(inviter.Name)
	if inviterName == "" {
		inviterName = p.T("email.someone")
	}
	introKey := "email.invite.intro"
	if inv.Role == authz.RoleAdmin {
		introKey = "email.invite.intro_admin"
	}
	subject := oneLine(p.T("email.invite.subject", "Inviter", inviterName, "Group", g.Name))
	intro := p.T(introKey, "Inviter", p.Isolate(inviterName), "Group", p.Isolate(g.Name))
	accept, expiry := p.T("email.invite.accept"), p.T("email.invite.expiry", "Date", expires)
	var text strings.Builder
	text.WriteString(intro + "\n\n")
	if inv.Message != "" {
		text.WriteString(inv.Message + "\n\n")
	}
	text.WriteString(accept + ":\n" + link + "\n\n" + expiry + "\n")
	// The inviter's message keeps its own direction (mail.Quote).
	body := mail.Para(intro)
	if inv.Message != "" {
		body += mail.Quote(inv.Message)
	}
	html := mail.HTMLDoc(string(p.Lang()), p.Dir(), subject, body+mail.LinkPara(link, accept)+mail.Para(expiry))
	_, err := s.mail.Send(ctx, mail.Message{
		From: s.from, To: []string{inv.Email}, Subject: subject,
		Text: text.String(), HTML: html,
	})
	return err
}

// sendApproved tells p, in their language, that their request to join was
// approved.
func (s *Service) sendApproved(ctx context.Context, g *groupItem, p Person) {
	if p.Email == "" {
		return
	}
	pr := s.printer(p)
	link := s.base + "/groups/" + g.ID
	subject := oneLine(pr.T("email.approved.subject", "Group", g.Name))
	body, open := pr.T("email.approved.body", "Group", pr.Isolate(g.Name)), pr.T("email.open_group")
	_, err := s.mail.Send(ctx, mail.Message{
		From: s.from, To: []string{p.Email}, Subject: subject,
		Text: body + "\n\n" + open + ": " + link + "\n",
		HTML: mail.HTMLDoc(string(pr.Lang()), pr.Dir(), subject, mail.Para(body)+mail.LinkPara(link, open)),
	})
	if err != nil {
		// The membership stands; the notice is best effort.
		s.log.WarnContext(ctx, "approval email not sent", "group_id", g.ID, "error", domain.ErrorMessage(err))
	}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
