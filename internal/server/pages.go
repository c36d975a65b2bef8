package server

import (
	"errors"
	"mime"
	"net/http"
	"unicode/utf8"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
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

// maxFormBody bounds HTML form posts.
const maxFormBody = 64 << 10

// parseForm reads an urlencoded form with a size limit and rejects invalid
// UTF-8 in names or values, like DecodeJSON does for JSON, and lists longer
// than the route allows (Route.Lists).
func parseForm(w http.ResponseWriter, r *http.Request) error {
	if err := readForm(w, r); err != nil {
		return err
	}
	return boundForm(r, listsOf(r.Context()))
}

// readForm is parseForm without the list bounds.
func readForm(w http.ResponseWriter, r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return domain.Errorf(domain.Unsupported, "the form must be sent as application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return domain.Errorf(domain.TooLarge, "the form is larger than %d bytes", maxFormBody)
		}
		return domain.Errorf(domain.Invalid, "the form could not be read")
	}
	for k, vs := range r.PostForm {
		if !utf8.ValidString(k) {
			return domain.Errorf(domain.Invalid, "the form is not valid UTF-8")
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return domain.Errorf(domain.Invalid, "the form field %q is not valid UTF-8", k)
			}
		}
	}
	return nil
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
	"token": "Link",
}

func newForm(values map[string]string) *formState {
	if values == nil {
		values = map[string]string{}
	}
	return &formState{Fields: map[string]string{}, Values: values}
}

// fail records err on the form and returns the status to answer with.
func (f *formState) fail(err error) int {
	p := Status(domain.ErrorCode(err))
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
		w.Header().Set("Retry-After", retryAfter(de.RetryAfter))
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
}

func notice(r *http.Request) string { return notices[r.URL.Query().Get("done")] }

func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}
