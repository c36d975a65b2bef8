package inbox

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/inbound"
	"github.com/quorum-app/quorum/internal/replyaddr"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Held is a held message as its reviewer sees it: the token's user for a
// reply or vote, the group's admins for mail to a group. FromAddress and
// FromName are what the message claims, not verified.
type Held struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	Status      string    `json:"status"`
	Received    time.Time `json:"received"`
	Expires     time.Time `json:"expires"`
	FromAddress string    `json:"from_address"`
	FromName    string    `json:"from_name,omitempty"`
	Subject     string    `json:"subject"`
	Text        string    `json:"text"`
	Files       []string  `json:"files,omitempty"`
	Reasons     []string  `json:"reasons,omitempty"`
	// Target is the thread or poll title (replies and votes).
	Target    string `json:"target,omitempty"`
	TokenKind string `json:"token_kind,omitempty"`
	ThreadID  string `json:"thread_id,omitempty"`
	CommentID string `json:"comment_id,omitempty"`
	PollID    string `json:"poll_id,omitempty"`
	GroupID   string `json:"group_id,omitempty"`
	// KnownSender: the address belongs to an account (group mail).
	KnownSender bool `json:"known_sender,omitempty"`
}

func (h *heldItem) view() Held {
	return Held{ID: h.ID, Kind: h.Kind, Status: h.Status, Received: h.Received, Expires: h.Expires, FromAddress: h.FromAddress,
		FromName: h.FromName, Subject: h.Subject, Text: h.Text, Files: h.Files, Reasons: h.Reasons, Target: h.Target,
		TokenKind: h.TokenKind, ThreadID: h.ThreadID, CommentID: h.CommentID, PollID: h.PollID, GroupID: h.GroupID,
		KnownSender: h.SenderUserID != ""}
}

var errHeldThere = domain.Errorf(domain.Conflict, "the message is held already")

// newHeld builds the held item of a message.
func (s *Service) newHeld(d Delivery, m *inbound.Message, kind string, files []discussion.MailFile, reasons []string) *heldItem {
	h := &heldItem{Item: store.Item{PK: heldPK(s.heldID(d.MessageID)), SK: heldSK, Type: "held_mail"}, ID: s.heldID(d.MessageID),
		Kind: kind, Status: StatusPending, MessageID: d.MessageID, Received: d.Received, Expires: d.Received.Add(s.holdFor),
		FromAddress: m.From.Address, FromName: truncateRunes(m.From.Name, 200), Subject: truncateRunes(m.Subject, 500),
		Text: truncateRunes(inbound.ExtractReply(m), discussion.MaxBody), Files: fileNames(files), Reasons: reasons,
		RawBucket: d.Bucket, RawKey: d.Key}
	h.ExpireAt(h.Expires)
	return h
}

// store writes a held item once; a repeated delivery finds it and only
// sends the notification again if the first attempt did not get to it.
func (s *Service) storeHeld(ctx context.Context, h *heldItem) (existing *heldItem, err error) {
	err = s.st.Create(ctx, h, errHeldThere)
	if err == errHeldThere {
		var old heldItem
		if err := s.st.Get(ctx, h.PK, heldSK, &old); err != nil {
			return nil, err
		}
		return &old, nil
	}
	return nil, err
}

func (s *Service) markNotified(ctx context.Context, hid string) {
	if err := s.st.Update(heldPK(hid), heldSK).Set("Notified", true).Run(ctx); err != nil {
		s.log.WarnContext(ctx, "held mail: mark notified", "held_id", hid, "err", err)
	}
}

// holdReply keeps a reply or vote that could not be attributed to the
// token's user with confidence, and asks that user (at their account
// address, never the From address) to confirm it.
func (s *Service) holdReply(ctx context.Context, d Delivery, m *inbound.Message, tok replyaddr.Token, user group.Person, title string, reasons []string) (Outcome, error) {
	h := s.newHeld(d, m, HeldReply, mailFiles(m), reasons)
	h.UserID, h.TokenKind, h.ThreadID, h.CommentID, h.PollID, h.Target = user.ID, tok.Kind.String(), tok.ThreadID, tok.CommentID, tok.PollID, title
	out := Outcome{Result: HeldMail, HeldID: h.ID, ThreadID: tok.ThreadID, PollID: tok.PollID, Reasons: reasons}
	old, err := s.storeHeld(ctx, h)
	if err != nil {
		return out, err
	}
	if old != nil {
		out.Repeat = true
		if old.Notified {
			return out, nil
		}
		h = old
	}
	if user.Email == "" {
		return out, nil
	}
	if err := s.send(ctx, s.heldReplyMail(user, m, h)); err != nil {
		return out, err // retried: the held item is there, the mail is not
	}
	s.markNotified(ctx, h.ID)
	out.Replied = true
	return out, nil
}

// holdGroup keeps mail to a group for its admins and tells them.
func (s *Service) holdGroup(ctx context.Context, d Delivery, m *inbound.Message, gid, senderUID string, files []discussion.MailFile, reasons []string) (Outcome, error) {
	h := s.newHeld(d, m, HeldGroup, files, reasons)
	h.GroupID, h.SenderUserID = gid, senderUID
	h.GSI1PK, h.GSI1SK = heldListPK(gid), d.Received.Format(time.RFC3339Nano)+"#"+h.ID
	out := Outcome{Result: HeldMail, HeldID: h.ID, GroupID: gid, Reasons: reasons}
	old, err := s.storeHeld(ctx, h)
	if err != nil {
		return out, err
	}
	if old != nil {
		out.Repeat = true
		if old.Notified {
			return out, nil
		}
		h = old
	}
	admins, err := s.groupAdmins(ctx, gid)
	if err != nil {
		return out, err
	}
	for _, uid := range admins {
		p, err := s.people.UserByID(ctx, uid)
		if err != nil || p.Email == "" {
			continue
		}
		if s.tell(ctx, s.heldGroupMail(p, h)) {
			out.Replied = true
		}
	}
	s.markNotified(ctx, h.ID)
	return out, nil
}

func (s *Service) getHeld(ctx context.Context, hid string) (*heldItem, error) {
	if !validHeldID(hid) {
		return nil, authz.ErrHidden
	}
	var h heldItem
	if err := s.st.Get(ctx, heldPK(hid), heldSK, &h); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return nil, authz.ErrHidden
		}
		return nil, err
	}
	// An expired item is gone, whether or not the table's TTL has removed
	// it yet: it answers exactly like a missing one.
	if !h.Expires.IsZero() && !s.now().Before(h.Expires) {
		return nil, authz.ErrHidden
	}
	return &h, nil
}

func validHeldID(id string) bool {
	if len(id) != 24 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}

// ownHeld reads a held reply for its user; anyone else gets NotFound.
func (s *Service) ownHeld(ctx context.Context, hid string) (*heldItem, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.RequireUser(a); err != nil {
		return nil, err
	}
	h, err := s.getHeld(ctx, hid)
	if err != nil {
		return nil, err
	}
	if h.Kind != HeldReply || h.UserID != a.UserID {
		return nil, authz.ErrHidden
	}
	return h, nil
}

// HeldMessage returns a held reply or vote to the user it was sent in the
// name of (signed in); anyone else gets NotFound.
func (s *Service) HeldMessage(ctx context.Context, hid string) (Held, error) {
	h, err := s.ownHeld(ctx, hid)
	if err != nil {
		return Held{}, err
	}
	return h.view(), nil
}

// Errors of held-message decisions.
var (
	ErrHeldPosted  = domain.Errorf(domain.Conflict, "this message was already posted")
	ErrHeldDecided = domain.Errorf(domain.Conflict, "this message was already dealt with")
)

func pendingOnly(h *heldItem) error {
	switch h.Status {
	case StatusPending:
		return nil
	case StatusPosted:
		return ErrHeldPosted
	}
	return ErrHeldDecided
}

// confirmTime sets the held message's confirmation time once and returns
// it: the posted item's id derives from it, so confirmations racing each
// other (or a retry after a crash) post the same item once.
func (s *Service) confirmTime(ctx context.Context, h *heldItem) (time.Time, error) {
	if !h.ConfirmedAt.IsZero() {
		return h.ConfirmedAt, nil
	}
	now := s.now().UTC()
	err := s.st.Update(h.PK, heldSK).Set("ConfirmedAt", now).If("attribute_not_exists($)", "ConfirmedAt").Run(ctx)
	if err == nil {
		return now, nil
	}
	if !dynamo.IsCondCheckFailed(err) {
		return time.Time{}, store.Classify(err)
	}
	var fresh heldItem
	if err := s.st.Get(ctx, h.PK, heldSK, &fresh); err != nil {
		return time.Time{}, err
	}
	return fresh.ConfirmedAt, nil
}

// rawFiles re-reads a held message's attachments from the raw message
// (still within the retention period while the message is held).
func (s *Service) rawFiles(ctx context.Context, h *heldItem) (*inbound.Message, []discussion.MailFile, error) {
	raw, err := s.raw.Get(ctx, h.RawBucket, h.RawKey, inbound.MaxMessageSize)
	if err != nil {
		if domain.ErrorCode(err) == domain.NotFound || domain.ErrorCode(err) == domain.TooLarge {
			return nil, nil, nil
		}
		return nil, nil, err
	}
	m, err := inbound.Parse(raw)
	if err != nil {
		return nil, nil, nil
	}
	return m, mailFiles(m), nil
}

// decided moves a held message out of pending (and out of its group's list).
func (s *Service) decided(ctx context.Context, h *heldItem, status, by, ref string) error {
	return s.decidedAs(ctx, h, status, by, ref, "")
}

// decidedAs is decided for a group admin's decision, recorded as action in
// the group's audit record in the same transaction.
func (s *Service) decidedAs(ctx context.Context, h *heldItem, status, by, ref string, action audit.Action) error {
	u := s.st.Update(h.PK, heldSK).Set("Status", status).Set("DecidedBy", by).Remove(tabledef.GSI1PK, tabledef.GSI1SK).
		If("$ = ?", "Status", StatusPending)
	if ref != "" {
		u.Set("PostedRef", ref)
	}
	tx := s.st.Tx().Update(u, ErrHeldDecided)
	if action != "" && h.GroupID != "" {
		if err := s.audit.Record(ctx, tx, h.GroupID, action, audit.Target{Kind: "held_mail", ID: h.ID}, nil); err != nil {
			return err
		}
	}
	return tx.Run(ctx, "")
}

// ConfirmHeld posts a held reply or vote as the signed-in user it was sent
// in the name of, through the same cores and rules as an accepted email
// (the user's access is checked again now). It posts once however often it
// is confirmed.
func (s *Service) ConfirmHeld(ctx context.Context, hid string) (Outcome, error) {
	h, err := s.ownHeld(ctx, hid)
	if err != nil {
		return Outcome{}, err
	}
	if err := pendingOnly(h); err != nil {
		return Outcome{}, err
	}
	user, err := s.people.UserByID(ctx, h.UserID)
	if err != nil {
		return Outcome{}, err
	}
	at, err := s.confirmTime(ctx, h)
	if err != nil {
		return Outcome{}, err
	}
	m, files, err := s.rawFiles(ctx, h)
	if err != nil {
		return Outcome{}, err
	}
	tok := replyaddr.Token{UserID: h.UserID, ThreadID: h.ThreadID, CommentID: h.CommentID, PollID: h.PollID}
	switch h.TokenKind {
	case replyaddr.KindPoll.String():
		tok.Kind = replyaddr.KindPoll
	case replyaddr.KindComment.String():
		tok.Kind = replyaddr.KindComment
	default:
		tok.Kind = replyaddr.KindThread
	}
	out, err := s.postReply(ctx, posting{user: user, tok: tok, key: h.MessageID, at: at, msg: m, text: h.Text, files: files, interactive: true})
	if err != nil {
		return out, err
	}
	out.MessageID, out.HeldID = h.MessageID, h.ID
	if err := s.decided(ctx, h, StatusPosted, user.ID, out.CommentID+out.PollID); err != nil && err != ErrHeldDecided {
		return out, err
	}
	return out, nil
}

// DiscardHeld drops a held reply without posting it (its user only).
func (s *Service) DiscardHeld(ctx context.Context, hid string) error {
	h, err := s.ownHeld(ctx, hid)
	if err != nil {
		return err
	}
	if err := pendingOnly(h); err != nil {
		return err
	}
	return s.decided(ctx, h, StatusDiscarded, h.UserID, "")
}

// ---- group admins ----

// moderate checks that the actor may review the group's held mail: the
// people who may edit the group's settings (its admins), since allowing
// and blocking addresses shape what the group's address accepts.
func (s *Service) moderate(ctx context.Context, gid string) (authz.Actor, error) {
	a := authz.ActorFrom(ctx)
	if err := s.groups.Authorize(ctx, gid, authz.GroupEditSettings, authz.Target{}); err != nil {
		return a, err
	}
	return a, nil
}

// MaxHeldList bounds the held messages one group page lists.
const MaxHeldList = 100

// GroupHeld lists the group's pending held mail, newest first (admins).
func (s *Service) GroupHeld(ctx context.Context, gid string) ([]Held, error) {
	if _, err := s.moderate(ctx, gid); err != nil {
		return nil, err
	}
	var items []heldItem
	err := s.st.Table().Get(tabledef.GSI1PK, heldListPK(gid)).Index(tabledef.GSI1).Order(dynamo.Descending).
		Limit(MaxHeldList).All(ctx, &items)
	if err != nil {
		return nil, store.Classify(err)
	}
	now := s.now()
	out := []Held{}
	for i := range items {
		if items[i].Status == StatusPending && now.Before(items[i].Expires) {
			out = append(out, items[i].view())
		}
	}
	return out, nil
}

func (s *Service) groupHeld(ctx context.Context, gid, hid string) (*heldItem, error) {
	h, err := s.getHeld(ctx, hid)
	if err != nil {
		return nil, err
	}
	if h.Kind != HeldGroup || h.GroupID != gid {
		return nil, authz.ErrHidden
	}
	return h, pendingOnly(h)
}

// AllowInput is an admin's decision to post held group mail. AliasUserID,
// when set, names the member the sender's address belongs to: the message
// is posted as them and later mail from the address (authenticated) counts
// as theirs.
type AllowInput struct {
	AliasUserID string
}

// ErrNotMember answers an alias to someone outside the group.
var ErrNotMember = domain.Validation(domain.FieldError{Field: "alias", Message: "must be a member of the group"})

// AllowHeld posts a held message to the group as a new thread (admins).
// It is posted as the alias member, or as the sender when their address
// belongs to a member, or else as the admin with a line naming the sender.
func (s *Service) AllowHeld(ctx context.Context, gid, hid string, in AllowInput) (Outcome, error) {
	a, err := s.moderate(ctx, gid)
	if err != nil {
		return Outcome{}, err
	}
	h, err := s.groupHeld(ctx, gid, hid)
	if err != nil {
		return Outcome{}, err
	}
	poster, desc := "", h.Text
	switch {
	case in.AliasUserID != "":
		ok, err := s.isMember(ctx, gid, in.AliasUserID)
		if err != nil {
			return Outcome{}, err
		}
		if !ok {
			return Outcome{}, ErrNotMember
		}
		rule := &ruleItem{Item: store.Item{PK: tabledef.GroupPK(gid), SK: aliasSK(h.FromAddress), Type: "mail_alias", Version: 1},
			GroupID: gid, Address: h.FromAddress, UserID: in.AliasUserID, By: a.UserID, CreatedAt: s.now().UTC()}
		if err := s.st.Table().Put(rule).Run(ctx); err != nil {
			return Outcome{}, store.Classify(err)
		}
		poster = in.AliasUserID
	default:
		if ok, err := s.isMember(ctx, gid, h.SenderUserID); err != nil {
			return Outcome{}, err
		} else if ok {
			poster = h.SenderUserID
		}
	}
	if poster == "" {
		poster = a.UserID
		name := h.FromName
		if name == "" {
			name = h.FromAddress
		}
		desc = strings.TrimSpace("*Sent by email by " + escapeMarkdown(name) + " (" + escapeMarkdown(h.FromAddress) +
			") and allowed by a group admin.*\n\n" + desc)
	}
	_, files, err := s.rawFiles(ctx, h)
	if err != nil {
		return Outcome{}, err
	}
	th, created, skipped, err := s.discussions.MailStartThread(asUser(ctx, poster), discussion.StartInput{GroupID: gid,
		Title: threadTitle(h.Subject), Description: truncateRunes(desc, discussion.MaxBody)}, h.MessageID, files)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{MessageID: h.MessageID, Result: Started, GroupID: gid, ThreadID: th.ID, HeldID: h.ID, Repeat: !created,
		Attached: len(th.Files), Skipped: len(skipped)}
	if err := s.decidedAs(ctx, h, StatusPosted, a.UserID, th.ID, audit.HeldMailAllowed); err != nil && err != ErrHeldDecided {
		return out, err
	}
	return out, nil
}

// BlockSender drops the held message and blocks its sender's address for
// the group: later mail from it is dropped unanswered, and the address's
// other held messages are dropped too (admins).
func (s *Service) BlockSender(ctx context.Context, gid, hid string) error {
	a, err := s.moderate(ctx, gid)
	if err != nil {
		return err
	}
	h, err := s.groupHeld(ctx, gid, hid)
	if err != nil {
		return err
	}
	rule := &ruleItem{Item: store.Item{PK: tabledef.GroupPK(gid), SK: blockSK(h.FromAddress), Type: "mail_block", Version: 1},
		GroupID: gid, Address: h.FromAddress, By: a.UserID, CreatedAt: s.now().UTC()}
	if err := s.st.Table().Put(rule).Run(ctx); err != nil {
		return store.Classify(err)
	}
	if err := s.decidedAs(ctx, h, StatusBlocked, a.UserID, "", audit.SenderBlocked); err != nil && err != ErrHeldDecided {
		return err
	}
	var others []heldItem
	if err := s.st.Table().Get(tabledef.GSI1PK, heldListPK(gid)).Index(tabledef.GSI1).Limit(MaxHeldList).All(ctx, &others); err == nil {
		sort.Slice(others, func(i, j int) bool { return others[i].ID < others[j].ID })
		for i := range others {
			if others[i].ID != h.ID && strings.EqualFold(others[i].FromAddress, h.FromAddress) && others[i].Status == StatusPending {
				_ = s.decidedAs(ctx, &others[i], StatusBlocked, a.UserID, "", audit.SenderBlocked)
			}
		}
	}
	return nil
}

// escapeMarkdown makes claimed sender details inert in a description.
func escapeMarkdown(s string) string {
	r := strings.NewReplacer("\\", "\\\\", "*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]", "<", "\\<", ">", "\\>", "`", "\\`",
		"@", "\\@", "#", "\\#", "!", "\\!", "(", "\\(", ")", "\\)", "\n", " ", "\r", " ")
	return r.Replace(s)
}
