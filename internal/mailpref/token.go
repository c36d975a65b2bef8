package mailpref

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Scope is what an unsubscribe link or an opt-out is about.
type Scope struct {
	Kind string `json:"kind"`         // all | group | thread
	ID   string `json:"id,omitempty"` // the group or thread id ("" for all)
}

// Scope kinds.
const (
	ScopeAll    = "all"
	ScopeGroup  = "group"
	ScopeThread = "thread"
)

// Valid reports whether sc names all mail, or one group or thread by a
// well-formed id.
func (sc Scope) Valid() bool {
	switch sc.Kind {
	case ScopeAll:
		return sc.ID == ""
	case ScopeGroup, ScopeThread:
		return ids.Valid(sc.ID)
	}
	return false
}

// ErrBadToken answers every unsubscribe link that is not one Quorum made:
// altered, truncated, for another person or made with another key. It
// says nothing about which part is wrong.
var ErrBadToken = domain.Errorf(domain.NotFound, "this unsubscribe link is not valid")

var kindLetter = map[string]string{ScopeAll: "a", ScopeGroup: "g", ScopeThread: "t"}
var letterKind = map[string]string{"a": ScopeAll, "g": ScopeGroup, "t": ScopeThread}

// Token is the unsubscribe token of uid for sc: the scope letter, the user
// id, the group or thread id and an HMAC-SHA256 over them under a key
// derived from the signing key ("unsubscribe"), base64url. Nothing is
// stored; the token does not expire, and it can only unsubscribe (and undo
// that) for this person and scope.
//
//	a.<uid>.<mac>   g.<uid>.<gid>.<mac>   t.<uid>.<tid>.<mac>
func (s *Service) Token(uid string, sc Scope) (string, error) {
	if !ids.Valid(uid) || !sc.Valid() {
		return "", domain.Errorf(domain.Invalid, "mailpref: cannot make an unsubscribe token for this scope")
	}
	k := kindLetter[sc.Kind]
	mac := base64.RawURLEncoding.EncodeToString(s.mac(k, uid, sc.ID))
	if sc.Kind == ScopeAll {
		return k + "." + uid + "." + mac, nil
	}
	return k + "." + uid + "." + sc.ID + "." + mac, nil
}

func (s *Service) mac(k, uid, id string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("unsubscribe/v1\x00" + k + "\x00" + uid + "\x00" + id))
	return m.Sum(nil)
}

// UnsubscribeURL is the absolute link <BaseURL>/unsubscribe/<token> for
// the footer and the List-Unsubscribe header ("" when uid or sc is not
// valid, which is a bug of the caller).
func (s *Service) UnsubscribeURL(uid string, sc Scope) string {
	tok, err := s.Token(uid, sc)
	if err != nil {
		return ""
	}
	u := *s.base
	u.Path = "/unsubscribe/" + tok
	u.RawQuery, u.Fragment = "", ""
	return u.String()
}

// Headers are the RFC 8058 one-click headers of an email to uid about sc:
// List-Unsubscribe (the link in angle brackets) and List-Unsubscribe-Post.
// The mail must be DKIM-signed with both headers covered (SES's Easy DKIM
// signs every header it is given).
func (s *Service) Headers(uid string, sc Scope) map[string]string {
	link := s.UnsubscribeURL(uid, sc)
	if link == "" {
		return nil
	}
	return map[string]string{"List-Unsubscribe": "<" + link + ">", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
}

// Check verifies token and returns whose it is and what it is about,
// without changing anything (the page a link opens shows this first).
// Every invalid token gets ErrBadToken; the MAC is compared in constant
// time.
func (s *Service) Check(token string) (uid string, sc Scope, err error) {
	if len(token) > 256 {
		return "", Scope{}, ErrBadToken
	}
	parts := strings.Split(token, ".")
	var k, id, mac string
	switch len(parts) {
	case 3:
		k, uid, mac = parts[0], parts[1], parts[2]
	case 4:
		k, uid, id, mac = parts[0], parts[1], parts[2], parts[3]
	default:
		return "", Scope{}, ErrBadToken
	}
	sc = Scope{Kind: letterKind[k], ID: id}
	if !ids.Valid(uid) || !sc.Valid() || (sc.Kind == ScopeAll) != (len(parts) == 3) {
		return "", Scope{}, ErrBadToken
	}
	got, derr := base64.RawURLEncoding.DecodeString(mac)
	if derr != nil || !hmac.Equal(got, s.mac(k, uid, id)) {
		return "", Scope{}, ErrBadToken
	}
	return uid, sc, nil
}

// Unsubscribe applies a token: no more email to its person about its scope
// (all email, a group or a thread). It needs no session: the token is the
// credential. Unsubscribing twice is the same as once.
func (s *Service) Unsubscribe(ctx context.Context, token string) (Scope, error) {
	uid, sc, err := s.Check(token)
	if err != nil {
		return Scope{}, err
	}
	if err := s.setOptOut(ctx, uid, sc, true); err != nil {
		return Scope{}, err
	}
	s.log.InfoContext(ctx, "unsubscribed", "scope", sc.Kind)
	return sc, nil
}

// Resubscribe undoes Unsubscribe with the same token (the "undo" button of
// the confirmation page). Resubscribing twice is the same as once.
func (s *Service) Resubscribe(ctx context.Context, token string) (Scope, error) {
	uid, sc, err := s.Check(token)
	if err != nil {
		return Scope{}, err
	}
	if err := s.setOptOut(ctx, uid, sc, false); err != nil {
		return Scope{}, err
	}
	s.log.InfoContext(ctx, "resubscribed", "scope", sc.Kind)
	return sc, nil
}

// setOptOut records (on) or removes (off) an opt-out of uid for sc. For all
// mail it is a flag on the preferences (which also takes them off the
// digest queue); for a group or thread one item.
func (s *Service) setOptOut(ctx context.Context, uid string, sc Scope, on bool) error {
	if !sc.Valid() {
		return domain.Validation(domain.FieldError{Field: "scope", Message: "must be all, or a group or thread id"})
	}
	if sc.Kind == ScopeAll {
		now := s.now().UTC()
		_, err := s.modifyPrefs(ctx, uid, func(p *prefsItem) error {
			if p.AllOff == on {
				return errUnchanged
			}
			p.AllOff = on
			p.AllOffAt = nil
			if on {
				p.AllOffAt = &now
			}
			s.schedule(p, now, p.zone())
			return nil
		})
		if errors.Is(err, errUnchanged) {
			return nil
		}
		return err
	}
	if !on {
		return s.st.Delete(ctx, tabledef.UserPK(uid), optOutSK(sc))
	}
	it := &optOutItem{Item: store.Item{PK: tabledef.UserPK(uid), SK: optOutSK(sc), Type: "mail_opt_out"}, UserID: uid,
		Kind: sc.Kind, ID: sc.ID, At: s.now().UTC()}
	err := s.st.Create(ctx, it, errUnchanged)
	if errors.Is(err, errUnchanged) {
		return nil // already opted out: keep the first time
	}
	return err
}

// errUnchanged stops a modification that would write nothing.
var errUnchanged = errors.New("unchanged")
