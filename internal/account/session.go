package account

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/secrets"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Session is a browser session (pattern 6). The key holds the SHA-256 of
// the cookie token; the token itself is never stored.
type Session struct {
	store.Item
	ID         string    `dynamo:"ID" json:"id"`
	UserID     string    `dynamo:"UserID" json:"-"`
	CreatedAt  time.Time `dynamo:"CreatedAt" json:"created_at"`
	LastSeenAt time.Time `dynamo:"LastSeenAt" json:"last_seen_at"`
	// IdleExpiresAt moves forward with use; AbsoluteExpiresAt never does.
	IdleExpiresAt     time.Time `dynamo:"IdleExpiresAt" json:"expires_at"`
	AbsoluteExpiresAt time.Time `dynamo:"AbsoluteExpiresAt" json:"absolute_expires_at"`
	// Device is a short description from the User-Agent, shown in settings.
	Device string `dynamo:"Device" json:"device"`
	// Current is set when listing: the session making the request.
	Current bool `dynamo:"-" json:"current"`
}

func sessionPK(token string) string { return "SESSION#" + hashHex(token) }

const sessionSK = "SESSION"

func (s *Service) startSession(ctx context.Context, userID string, c Client) (string, *Session, error) {
	token := secrets.NewToken()
	now := s.Now()
	sess := &Session{
		Item: store.Item{PK: sessionPK(token), SK: sessionSK, Type: "session",
			GSI1PK: tabledef.UserPK(userID), GSI1SK: "SESSION#" + now.Format(time.RFC3339Nano)},
		ID: ids.NewUser(), UserID: userID, CreatedAt: now, LastSeenAt: now,
		IdleExpiresAt: now.Add(s.life.SessionIdle), AbsoluteExpiresAt: now.Add(s.life.SessionMax),
		Device: describeDevice(c.UserAgent),
	}
	if sess.IdleExpiresAt.After(sess.AbsoluteExpiresAt) {
		sess.IdleExpiresAt = sess.AbsoluteExpiresAt
	}
	sess.GSI1SK += "#" + sess.ID
	sess.ExpireAt(sess.IdleExpiresAt)
	if err := s.st.Create(ctx, sess, nil); err != nil {
		return "", nil, err
	}
	return token, sess, nil
}

// MintSession starts a browser session for an existing account without the
// emailed code: the same session item, lifetimes and device description a
// sign-in makes (startSession). It exists for tests (internal/testkit) and
// local tools; no route reaches it. It returns the cookie token; the store
// keeps only its hash.
func (s *Service) MintSession(ctx context.Context, userID string, c Client) (string, error) {
	if _, err := s.getUser(ctx, userID); err != nil {
		return "", err
	}
	token, _, err := s.startSession(ctx, userID, c)
	return token, err
}

// describeDevice reduces a User-Agent to "Browser on OS" (no version
// numbers: enough to recognise a session, too little to fingerprint).
func describeDevice(ua string) string {
	if ua == "" {
		return "Unknown device"
	}
	browser := "Browser"
	for _, b := range []struct{ needle, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"Chrome/", "Chrome"}, {"Chromium/", "Chromium"},
		{"Safari/", "Safari"}, {"curl/", "curl"}, {"Go-http-client", "Go client"}, {"python", "Python client"},
	} {
		if strings.Contains(ua, b.needle) {
			browser = b.name
			break
		}
	}
	os := ""
	for _, o := range []struct{ needle, name string }{
		{"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iPadOS"}, {"Windows", "Windows"}, {"Mac OS X", "macOS"},
		{"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, o.needle) {
			os = o.name
			break
		}
	}
	if os == "" {
		return browser
	}
	return browser + " on " + os
}

// errSessionEnded is what an unknown, expired or signed-out session gets.
var errSessionEnded = domain.Errorf(domain.Unauthorized, "your session has ended; sign in again")

// AuthenticateSession resolves a session cookie to an actor, refreshing the
// idle expiry at most every SessionRefresh. Unknown, malformed and expired
// tokens are Unauthorized.
func (s *Service) AuthenticateSession(ctx context.Context, token string) (authz.Actor, error) {
	if !isToken(token) {
		return authz.Actor{Kind: authz.Anonymous}, errSessionEnded
	}
	var sess Session
	if err := s.st.Get(ctx, sessionPK(token), sessionSK, &sess); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return authz.Actor{Kind: authz.Anonymous}, errSessionEnded
		}
		return authz.Actor{Kind: authz.Anonymous}, err
	}
	now := s.Now()
	if !now.Before(sess.IdleExpiresAt) || !now.Before(sess.AbsoluteExpiresAt) {
		_ = s.st.Delete(ctx, sess.PK, sess.SK)
		return authz.Actor{Kind: authz.Anonymous}, errSessionEnded
	}
	if now.Sub(sess.LastSeenAt) >= s.life.SessionRefresh {
		idle := now.Add(s.life.SessionIdle)
		if idle.After(sess.AbsoluteExpiresAt) {
			idle = sess.AbsoluteExpiresAt
		}
		err := s.st.Update(sess.PK, sess.SK).
			Set("LastSeenAt", now).Set("IdleExpiresAt", idle).Set(tabledef.TTLAttribute, idle.Unix()).
			If("attribute_exists($)", tabledef.PK).Run(ctx)
		if dynamo.IsCondCheckFailed(err) {
			return authz.Actor{Kind: authz.Anonymous}, errSessionEnded
		}
		if err != nil {
			s.log.WarnContext(ctx, "session refresh failed", "error", err.Error())
		}
	}
	return authz.Actor{Kind: authz.User, UserID: sess.UserID, SessionID: sess.ID}, nil
}

// SignOut ends the session whose cookie token is given (the caller's own).
// Signing out twice is not an error.
func (s *Service) SignOut(ctx context.Context, token string) error {
	a := authz.ActorFrom(ctx)
	if err := authz.Account(a, authz.AccountSignOut, a.UserID); err != nil {
		return err
	}
	if !isToken(token) {
		return nil
	}
	return s.st.Table().Delete(tabledef.PK, sessionPK(token)).Range(tabledef.SK, sessionSK).
		If("UserID = ?", a.UserID).Run(ctx)
}

func (s *Service) sessionsOf(ctx context.Context, userID string) ([]Session, error) {
	return ownedBy[Session](ctx, s, userID, "SESSION#")
}

// ownedBy lists a user's items of one kind through GSI1 (USER#<id>, sorted
// by kind prefix): sessions and API tokens.
func ownedBy[T any](ctx context.Context, s *Service, userID, prefix string) ([]T, error) {
	var out []T
	err := s.st.Table().Get(tabledef.GSI1PK, tabledef.UserPK(userID)).Index(tabledef.GSI1).
		Range(tabledef.GSI1SK, dynamo.BeginsWith, prefix).All(ctx, &out)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return nil, store.Classify(err)
	}
	return out, nil
}

// Sessions lists the actor's live sessions, newest first, marking the
// current one. Browser sessions only.
func (s *Service) Sessions(ctx context.Context) ([]Session, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.Account(a, authz.AccountSessionsList, a.UserID); err != nil {
		return nil, err
	}
	all, err := s.sessionsOf(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	live := make([]Session, 0, len(all))
	for _, x := range all {
		if now.Before(x.IdleExpiresAt) && now.Before(x.AbsoluteExpiresAt) {
			x.Current = x.ID == a.SessionID
			live = append(live, x)
		}
	}
	sort.Slice(live, func(i, j int) bool { return live[i].CreatedAt.After(live[j].CreatedAt) })
	return live, nil
}

// RevokeSession ends one of the actor's sessions by id.
// Errors: NotFound when the id is not one of the actor's sessions.
func (s *Service) RevokeSession(ctx context.Context, id string) error {
	a := authz.ActorFrom(ctx)
	if err := authz.Account(a, authz.AccountSessionsRevoke, a.UserID); err != nil {
		return err
	}
	all, err := s.sessionsOf(ctx, a.UserID)
	if err != nil {
		return err
	}
	for _, x := range all {
		if x.ID == id && x.UserID == a.UserID {
			return s.st.Delete(ctx, x.PK, x.SK)
		}
	}
	return domain.Errorf(domain.NotFound, "no such session")
}

// SignOutEverywhere ends every session of the actor, including the current
// one (pattern 7). It returns how many were ended.
func (s *Service) SignOutEverywhere(ctx context.Context) (int, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.Account(a, authz.AccountSessionsRevoke, a.UserID); err != nil {
		return 0, err
	}
	return s.endSessions(ctx, a.UserID)
}

func (s *Service) endSessions(ctx context.Context, userID string) (int, error) {
	all, err := s.sessionsOf(ctx, userID)
	if err != nil {
		return 0, err
	}
	for _, x := range all {
		if x.UserID != userID {
			continue
		}
		if err := s.st.Delete(ctx, x.PK, x.SK); err != nil {
			return 0, err
		}
	}
	return len(all), nil
}
