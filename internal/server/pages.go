package server

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/i18n"
)

// What every page uses: the home page and static files, reading a posted
// form (parseForm), its state when refused (formState, formFail), the
// redirect after a successful post and the notice it shows (redirect, notice).

// home is the dashboard for a signed-in person and the product's home page
// for everyone else.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	if a := authz.ActorFrom(r.Context()); a.Kind == authz.User && a.Authenticated() && s.discussions != nil && s.notifications != nil {
		s.dashboardPage(w, r)
		return
	}
	s.web.Page(w, r, http.StatusOK, "home", "Quorum", nil)
}

func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	s.web.Static().ServeHTTP(w, r)
}

// fieldMsg is one entry of a form's error summary.
type fieldMsg struct{ Field, Label, Message string }

// formState carries a form's values and errors back into its template.
type formState struct {
	Error  string
	List   []fieldMsg
	Fields map[string]string
	Values map[string]string
}

var fieldLabels = map[string]string{
	"email": "Email address", "code": "Code", "name": "Name", "time_zone": "Time zone", "locale": "Language",
	"password": "New password", "current_password": "Current password", "password_confirm": "Repeat new password",
	"token": "Link", "tags": "Tags",
}

func newForm(values map[string]string) *formState {
	if values == nil {
		values = map[string]string{}
	}
	return &formState{Fields: map[string]string{}, Values: values}
}

// fail records err on the form and returns the status to answer with.
func (f *formState) fail(err error) int {
	p := httpx.Status(domain.ErrorCode(err))
	var de *domain.Error
	if errors.As(err, &de) && len(de.Fields) > 0 {
		f.Error = "Please correct the following:"
		for _, fe := range de.Fields {
			label := fieldLabels[fe.Field]
			if label == "" {
				label = fe.Field
			}
			if _, seen := f.Fields[fe.Field]; !seen {
				f.Fields[fe.Field] = fe.Message
			}
			f.List = append(f.List, fieldMsg{Field: fe.Field, Label: label, Message: fe.Message})
		}
		return p
	}
	f.Error = domain.ErrorMessage(err)
	return p
}

// formFail renders a page again with the error, or hands errors that the
// form cannot show (storage down, sign-in needed) to pageError.
func (s *Server) formFail(w http.ResponseWriter, r *http.Request, err error, f *formState, render func(status int)) {
	switch domain.ErrorCode(err) {
	case domain.Internal, domain.Unavailable, domain.Unauthorized, domain.NotFound:
		s.pageError(w, r, err)
		return
	}
	var de *domain.Error
	if errors.As(err, &de) && de.RetryAfter > 0 {
		w.Header().Set("Retry-After", httpx.RetryAfter(de.RetryAfter))
	}
	render(f.fail(err))
}

// notices are the fixed confirmations a redirect may ask a page to show.
var notices = map[string]string{
	"profile":        "Your profile was saved.",
	"email":          "We sent a confirmation link to the new address. The change applies once you open it.",
	"password":       "Your password was saved.",
	"password-off":   "Your password was removed. Sign in with an email code from now on.",
	"token-revoked":  "The token was revoked. Scripts using it stop working immediately.",
	"session-ended":  "That session was signed out.",
	"signed-out":     "You are signed out.",
	"signed-out-all": "You are signed out everywhere.",
	"deleted":        "Your account was deleted. A confirmation was sent to your old address.",
}

func notice(r *http.Request) string { return notices[r.URL.Query().Get("done")] }

func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// errorTitles are the statuses whose error page title the catalogs word
// (page.home.error.<status>); any other keeps its English status text.
var errorTitles = map[int]bool{400: true, 401: true, 403: true, 404: true, 405: true, 409: true, 410: true, 413: true,
	415: true, 422: true, 429: true, 500: true, 502: true, 503: true, 504: true}

// errorTitle is the error page's title for status in the reader's language.
func errorTitle(p *i18n.Printer, status int, english string) string {
	if !errorTitles[status] {
		return english
	}
	return p.T("page.home.error." + strconv.Itoa(status))
}
