package pages

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
func (s *Server) Home(w http.ResponseWriter, r *http.Request) {
	if a := authz.ActorFrom(r.Context()); a.Kind == authz.User && a.Authenticated() && s.discussions != nil && s.notifications != nil {
		s.DashboardPage(w, r)
		return
	}
	s.web.Page(w, r, http.StatusOK, "home", "", nil) // the layout titles it "Quorum"
}

func (s *Server) Static(w http.ResponseWriter, r *http.Request) {
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

func newForm(values map[string]string) *formState {
	if values == nil {
		values = map[string]string{}
	}
	return &formState{Fields: map[string]string{}, Values: values}
}

// fail records err on the form, worded in pr's language (the reader's:
// s.web.Printer(r)), and returns the status to answer with.
func (f *formState) fail(pr *i18n.Printer, err error) int {
	p := httpx.Status(domain.ErrorCode(err))
	msg, fields := domain.Localize(err, pr.Errorf)
	if len(fields) > 0 {
		f.Error = pr.Errorf(correctTheFollowing)
		for _, fe := range fields {
			label := fieldLabel(pr, fe.Field)
			if _, seen := f.Fields[fe.Field]; !seen {
				f.Fields[fe.Field] = fe.Message
			}
			f.List = append(f.List, fieldMsg{Field: fe.Field, Label: label, Message: fe.Message})
		}
		return p
	}
	f.Error = msg
	return p
}

// correctTheFollowing heads a form's list of field errors (a key of the
// errors catalog, as the domain's messages are).
const correctTheFollowing = "Please correct the following:"

// errorText is err's message in the reader's language, for pages that
// show an error without a form.
func (s *Server) errorText(r *http.Request, err error) string {
	msg, _ := domain.Localize(err, s.web.Printer(r).Errorf)
	return msg
}

// formFail renders a page again with the error, or hands errors that the
// form cannot show (storage down, sign-in needed) to pageError.
func (s *Server) formFail(w http.ResponseWriter, r *http.Request, err error, f *formState, render func(status int)) {
	switch domain.ErrorCode(err) {
	case domain.Internal, domain.Unavailable, domain.Unauthorized, domain.NotFound:
		s.PageError(w, r, err)
		return
	}
	var de *domain.Error
	if errors.As(err, &de) && de.RetryAfter > 0 {
		w.Header().Set("Retry-After", httpx.RetryAfter(de.RetryAfter))
	}
	render(f.fail(s.web.Printer(r), err))
}

// notices are the fixed confirmations a redirect may ask a page to show.
var notices = map[string]string{
	"profile":        "page.settings.notice.profile",
	"avatar":         "page.avatars.notice.set",
	"avatar-removed": "page.avatars.notice.removed",
	"email":          "page.settings.notice.email",
	"password":       "page.settings.notice.password",
	"password-off":   "page.settings.notice.password_off",
	"token-revoked":  "page.settings.notice.token_revoked",
	"session-ended":  "page.settings.notice.session_ended",
	"signed-out":     "page.settings.notice.signed_out",
	"signed-out-all": "page.settings.notice.signed_out_all",
	"deleted":        "page.settings.notice.deleted",
}

// notice is the confirmation ?done= asks for, in the reader's language.
func (s *Server) notice(r *http.Request) string {
	if k, ok := notices[r.URL.Query().Get("done")]; ok {
		return s.web.Printer(r).T(k)
	}
	return ""
}

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
