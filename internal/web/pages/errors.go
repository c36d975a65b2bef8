package pages

import (
	"net/http"
	"net/url"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/web"
)

// Viewer returns the signed-in person of a page request (nil when
// anonymous or for API requests). Handlers of other areas use it to show
// personal things; access decisions still belong to the core.
func (s *Server) Viewer(r *http.Request) *account.User {
	u, _ := web.ViewerFrom(r.Context()).(*account.User)
	return u
}

// pageError answers a page request that failed: anonymous visitors of a
// page that needs sign-in are sent to /login (and back afterwards); other
// errors get the error page with a status and a safe message.
func (s *Server) PageError(w http.ResponseWriter, r *http.Request, err error) {
	code := domain.ErrorCode(err)
	if code == domain.Unauthorized && r.Method == http.MethodGet && !authz.ActorFrom(r.Context()).Authenticated() {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	p, retry := httpx.ProblemFor(r, err)
	if p.Status >= 500 {
		s.log.ErrorContext(r.Context(), "page failed", "request_id", p.RequestID, "status", p.Status, "error", err.Error())
	}
	if retry > 0 {
		w.Header().Set("Retry-After", httpx.RetryAfter(retry))
	}
	if s.web == nil {
		httpx.WriteProblem(w, p)
		return
	}
	s.web.Error(w, r, p.Status, errorTitle(s.web.Printer(r), p.Status, p.Title), p.Detail)
}
