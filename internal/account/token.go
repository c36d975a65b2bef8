package account

import (
	"context"
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
	"github.com/quorum-app/quorum/internal/text"
)

// TokenPrefix starts every personal API token, so leaked tokens are easy to
// recognise (secret scanners, logs) and cannot be confused with session ids.
const TokenPrefix = "qrm_"

// APIToken is a personal API token (patterns 8 and 9). The key holds the
// SHA-256 of the token; the token is shown once, at creation.
type APIToken struct {
	store.Item
	ID         string     `dynamo:"ID" json:"id"`
	UserID     string     `dynamo:"UserID" json:"-"`
	Name       string     `dynamo:"Name" json:"name"`
	CreatedAt  time.Time  `dynamo:"CreatedAt" json:"created_at"`
	LastUsedAt *time.Time `dynamo:"LastUsedAt,omitempty" json:"last_used_at"`
}

func tokenPK(token string) string { return "TOKEN#" + hashHex(token) }

const tokenSK = "TOKEN"

func isAPIToken(s string) bool {
	return strings.HasPrefix(s, TokenPrefix) && isToken(strings.TrimPrefix(s, TokenPrefix))
}

// IsAPIToken reports whether s looks like a personal API token.
func IsAPIToken(s string) bool { return isAPIToken(s) }

var errBadToken = domain.Errorf(domain.Unauthorized, "the API token is not valid (revoked, mistyped or never issued)")

// AuthenticateToken resolves a bearer token to a bot actor acting for its
// owner, recording its last use at most every TokenTouch.
func (s *Service) AuthenticateToken(ctx context.Context, token string) (authz.Actor, error) {
	anon := authz.Actor{Kind: authz.Anonymous}
	if !isAPIToken(token) {
		return anon, errBadToken
	}
	var t APIToken
	if err := s.st.Get(ctx, tokenPK(token), tokenSK, &t); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return anon, errBadToken
		}
		return anon, err
	}
	now := s.Now()
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= s.life.TokenTouch {
		err := s.st.Update(t.PK, t.SK).Set("LastUsedAt", now).If("attribute_exists($)", tabledef.PK).Run(ctx)
		if dynamo.IsCondCheckFailed(err) {
			return anon, errBadToken
		}
		if err != nil {
			s.log.WarnContext(ctx, "token last-used update failed", "error", err.Error())
		}
	}
	return authz.Actor{Kind: authz.Bot, UserID: t.UserID, TokenID: t.ID}, nil
}

// NewToken is a freshly created token with its secret (shown once).
type NewToken struct {
	Token  *APIToken `json:"token"`
	Secret string    `json:"secret"`
}

// CreateToken creates a named personal API token. Browser sessions only.
// Errors: Invalid (name), Conflict (too many tokens), Forbidden for tokens.
func (s *Service) CreateToken(ctx context.Context, name string) (*NewToken, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.Account(a, authz.AccountTokensCreate, a.UserID); err != nil {
		return nil, err
	}
	var fe domain.FieldErrors
	n := text.CheckLine(&fe, "name", name, 1, MaxTokenNameLen)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	existing, err := s.tokensOf(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	if len(existing) >= MaxTokensPerUser {
		return nil, domain.Errorf(domain.Conflict, "you have %d tokens, the most allowed; revoke one first", len(existing))
	}
	secret := TokenPrefix + secrets.NewToken()
	now := s.Now()
	t := &APIToken{Item: store.Item{PK: tokenPK(secret), SK: tokenSK, Type: "token", GSI1PK: tabledef.UserPK(a.UserID)},
		ID: ids.NewUser(), UserID: a.UserID, Name: n, CreatedAt: now}
	t.GSI1SK = "TOKEN#" + now.Format(time.RFC3339Nano) + "#" + t.ID
	if err := s.st.Create(ctx, t, nil); err != nil {
		return nil, err
	}
	return &NewToken{Token: t, Secret: secret}, nil
}

func (s *Service) tokensOf(ctx context.Context, userID string) ([]APIToken, error) {
	return ownedBy[APIToken](ctx, s, userID, "TOKEN#")
}

// Tokens lists the actor's tokens, newest first (never their secrets).
func (s *Service) Tokens(ctx context.Context) ([]APIToken, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.Account(a, authz.AccountTokensList, a.UserID); err != nil {
		return nil, err
	}
	out, err := s.tokensOf(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	if out == nil {
		out = []APIToken{}
	}
	return out, nil
}

// RevokeToken deletes one of the actor's tokens by id; it stops working at once.
// Errors: NotFound when the id is not one of the actor's tokens.
func (s *Service) RevokeToken(ctx context.Context, id string) error {
	a := authz.ActorFrom(ctx)
	if err := authz.Account(a, authz.AccountTokensRevoke, a.UserID); err != nil {
		return err
	}
	all, err := s.tokensOf(ctx, a.UserID)
	if err != nil {
		return err
	}
	for _, t := range all {
		if t.ID == id && t.UserID == a.UserID {
			return s.st.Delete(ctx, t.PK, t.SK)
		}
	}
	return domain.Errorf(domain.NotFound, "no such token")
}
