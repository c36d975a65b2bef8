package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/web"
)

// SessionCookie is the browser session cookie's name (httpx.SessionCookie).
const SessionCookie = httpx.SessionCookie

var (
	errTokenNotAccepted = domain.Errorf(domain.Forbidden,
		"API tokens are not accepted here; this needs a browser session (sign in at /login)")
	errBadAuthHeader = domain.Errorf(domain.Unauthorized,
		"the Authorization header must be \"Bearer qrm_...\" with a personal API token")
)

// authenticate wraps a route: it resolves the caller's credentials to an
// authz.Actor (bearer token or session cookie), enforces the route's
// transport rule (Session routes refuse bearer tokens) and puts the actor,
// and for pages the signed-in user, into the request context. Whether the
// actor may do what the handler asks is decided by the core.
func (s *Server) authenticate(rt Route) http.Handler {
	if rt.Pattern == "GET /static/" || rt.Pattern == "GET /healthz" {
		return rt.Handler // plumbing: no credentials needed, no storage read per asset
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor := authz.Actor{Kind: authz.Anonymous}
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, tok, ok := strings.Cut(h, " ")
			switch {
			case rt.Access == Session:
				s.authError(w, r, rt, errTokenNotAccepted)
				return
			case !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "":
				s.authError(w, r, rt, errBadAuthHeader)
				return
			case s.accounts == nil:
				s.authError(w, r, rt, domain.Errorf(domain.Unauthorized, "API tokens are not accepted by this server"))
				return
			}
			a, err := s.accounts.AuthenticateToken(r.Context(), strings.TrimSpace(tok))
			if err != nil {
				s.authError(w, r, rt, err)
				return
			}
			actor = a
		} else if c, err := r.Cookie(httpx.SessionCookie); err == nil && c.Value != "" && s.accounts != nil {
			a, err := s.accounts.AuthenticateSession(r.Context(), c.Value)
			switch domain.ErrorCode(err) {
			case "":
				actor = a
			case domain.Unauthorized: // ended or forged: continue anonymously and drop the cookie
				httpx.ClearSessionCookie(w)
			default:
				s.authError(w, r, rt, err)
				return
			}
		}
		ctx := authz.WithActor(r.Context(), actor)
		ctx = httpx.WithErrorWords(ctx, func() httpx.ErrorWords { return s.errorWords(ctx, r, actor) })
		if rt.Page && actor.Authenticated() {
			if u, err := s.accounts.User(ctx, actor.UserID); err == nil {
				ctx = web.WithViewer(ctx, u)
			}
			if s.notifications != nil { // the nav's "Notifications (N)"
				if n, err := s.notifications.UnreadCount(ctx); err == nil {
					ctx = web.WithUnread(ctx, n)
				}
			}
		}
		rt.Handler(w, r.WithContext(ctx))
	})
}

func (s *Server) authError(w http.ResponseWriter, r *http.Request, rt Route, err error) {
	if rt.Page {
		s.pages.PageError(w, r, err)
		return
	}
	httpx.Challenge(w, err, httpx.BearerChallenge)
	httpx.WriteError(w, r, s.log, err)
}

// errorWords words error details for the request's reader: their own
// language setting when signed in (read only now, when an error is being
// answered), else the browser's Accept-Language; with neither, English
// (the API's default).
func (s *Server) errorWords(ctx context.Context, r *http.Request, actor authz.Actor) httpx.ErrorWords {
	if s.web == nil {
		return nil
	}
	setting := ""
	if actor.Authenticated() && actor.UserID != "" && s.accounts != nil {
		if u, err := s.accounts.User(ctx, actor.UserID); err == nil {
			setting = string(u.Lang())
		}
	}
	l := i18n.Negotiate(setting, r.Header.Get("Accept-Language"))
	if l == lang.English {
		return nil
	}
	return s.web.Lang(l).Errorf
}
