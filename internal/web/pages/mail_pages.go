package pages

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/mailpref"
)

// ---- unsubscribe links (no session: the token is the credential) ----

type unsubscribeData struct {
	Token string
	Scope mailpref.Scope
	// Label names the group or thread when the viewer is signed in as the
	// link's owner and may see it ("" otherwise: the page then says "this
	// group" or "this thread").
	Label string
	// Done: the POST happened; Undone: the undo happened.
	Done, Undone bool
}

// scopeLabel names sc for its owner, through the policy (the group or
// thread must still be visible to the signed-in viewer). Anonymous
// visitors and other people get "".
func (s *Server) scopeLabel(ctx context.Context, owner string, sc mailpref.Scope) string {
	a := authz.ActorFrom(ctx)
	if !a.Authenticated() || a.UserID != owner {
		return ""
	}
	switch {
	case sc.Kind == mailpref.ScopeGroup && s.groups != nil:
		if g, err := s.groups.Get(ctx, sc.ID); err == nil {
			return g.Name
		}
	case sc.Kind == mailpref.ScopeThread && s.discussions != nil:
		if th, err := s.discussions.Thread(ctx, sc.ID); err == nil {
			return th.Title
		}
	}
	return ""
}

// GET /unsubscribe/{token}: says what the link stops and asks for the
// POST. Opening the link changes nothing (mail scanners prefetch links).
func (s *Server) UnsubscribePage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	uid, sc, err := s.mailprefs.Check(token)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	d := unsubscribeData{Token: token, Scope: sc, Label: s.scopeLabel(r.Context(), uid, sc)}
	// After the POSTs' redirects (Post/Redirect/Get): what was done.
	title := "page.mail.unsub.title"
	switch r.URL.Query().Get("done") {
	case "unsubscribed":
		d.Done, title = true, "page.mail.unsub.unsubscribed"
	case "resumed":
		d.Undone, title = true, "page.mail.unsub.resumed"
	}
	s.web.Page(w, r, http.StatusOK, "unsubscribe", s.web.Printer(r).T(title), d)
}

// POST /unsubscribe/{token}: RFC 8058 one-click unsubscribe, also the
// button of the page above. Mail providers send the body
// "List-Unsubscribe=One-Click", urlencoded or multipart; the body carries
// nothing we need, so it is read (bounded) and ignored. No session and no
// CSRF token are needed, and any session sent along is not used.
func (s *Server) UnsubscribeSubmit(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, httpx.MaxFormBody))
	token := r.PathValue("token")
	sc, err := s.mailprefs.Unsubscribe(r.Context(), token)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	// RFC 8058 forbids answering a mail client's one-click POST with a
	// redirect, so only a browser's navigation (our page's button) gets
	// Post/Redirect/Get: a refresh then shows the page, not the POST again.
	if r.Header.Get("Sec-Fetch-Mode") != "navigate" {
		uid, _, _ := s.mailprefs.Check(token)
		d := unsubscribeData{Token: token, Scope: sc, Done: true, Label: s.scopeLabel(r.Context(), uid, sc)}
		s.web.Page(w, r, http.StatusOK, "unsubscribe", s.web.Printer(r).T("page.mail.unsub.unsubscribed"), d)
		return
	}
	redirect(w, r, "/unsubscribe/"+url.PathEscape(token)+"?done=unsubscribed")
}

// POST /unsubscribe/{token}/undo: resubscribe with the same token (the
// "undo" button). Cross-origin protection applies: it is a browser form.
func (s *Server) UnsubscribeUndo(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, httpx.MaxFormBody))
	token := r.PathValue("token")
	_, err := s.mailprefs.Resubscribe(r.Context(), token)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, "/unsubscribe/"+url.PathEscape(token)+"?done=resumed")
}

// ---- settings ----

var mailNotices = map[string]string{
	"saved":        "page.settings.mail.notice.saved",
	"enabled":      "page.settings.mail.notice.enabled",
	"resumed":      "page.settings.mail.notice.resumed",
	"reset":        "page.settings.mail.notice.reset",
	"unsuppressed": "page.settings.mail.notice.unsuppressed",
}

type optOutView struct {
	mailpref.OptOut
	Label string
}

type mailPrefsData struct {
	Prefs     *mailpref.Prefs
	OptOuts   []optOutView
	Email     string
	Notice    string
	Form      *formState
	TimeZones []string
	Hours     []int
	Modes     []modeOption
}

type modeOption struct {
	Value mailpref.Mode
	Label string
	Hint  string
}

// mailModes are the delivery choices, in display order; each is worded by
// page.settings.mail.mode.<mode> and its _hint.
var mailModes = []mailpref.Mode{mailpref.Immediate, mailpref.Daily, mailpref.Weekly, mailpref.Off}

// maxLabelLookups bounds the names looked up for the opt-out list.
const maxLabelLookups = 50

func (s *Server) renderMailPrefs(w http.ResponseWriter, r *http.Request, status int, f *formState) {
	p, err := s.mailprefs.Get(r.Context())
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	d := mailPrefsData{Prefs: p, Form: f, TimeZones: commonTimeZones}
	pr := s.web.Printer(r)
	if k, ok := mailNotices[r.URL.Query().Get("done")]; ok {
		d.Notice = pr.T(k)
	}
	for _, m := range mailModes {
		d.Modes = append(d.Modes, modeOption{Value: m, Label: pr.T("page.settings.mail.mode." + string(m)), Hint: pr.T("page.settings.mail.mode." + string(m) + "_hint")})
	}
	if u := s.Viewer(r); u != nil {
		d.Email = u.Email
	}
	for h := 0; h < 24; h++ {
		d.Hours = append(d.Hours, h)
	}
	uid := authz.ActorFrom(r.Context()).UserID
	for i, o := range p.OptOuts {
		v := optOutView{OptOut: o}
		if i < maxLabelLookups {
			v.Label = s.scopeLabel(r.Context(), uid, o.Scope)
		}
		d.OptOuts = append(d.OptOuts, v)
	}
	if d.Form == nil {
		tz := ""
		if p.TimeZoneChosen {
			tz = p.TimeZone
		}
		d.Form = newForm(map[string]string{"mode": string(p.Mode), "digest_hour": strconv.Itoa(p.DigestHour), "time_zone": tz})
	}
	s.web.Page(w, r, status, "settings_mail", pr.T("page.settings.mail.title"), d)
}

func (s *Server) MailPrefsPage(w http.ResponseWriter, r *http.Request) {
	s.renderMailPrefs(w, r, http.StatusOK, nil)
}

func (s *Server) MailPrefsSubmit(w http.ResponseWriter, r *http.Request) {
	if err := httpx.ParseForm(w, r); err != nil {
		s.PageError(w, r, err)
		return
	}
	mode, hourRaw, tz := r.PostFormValue("mode"), r.PostFormValue("digest_hour"), strings.TrimSpace(r.PostFormValue("time_zone"))
	f := newForm(map[string]string{"mode": mode, "digest_hour": hourRaw, "time_zone": tz})
	in := mailpref.Update{TimeZone: &tz}
	m := mailpref.Mode(mode)
	in.Mode = &m
	hour, err := strconv.Atoi(hourRaw)
	if err != nil {
		hour = -1 // reported by the core as out of range
	}
	in.DigestHour = &hour
	if _, err := s.mailprefs.Update(r.Context(), in); err != nil {
		s.formFail(w, r, err, f, func(status int) { s.renderMailPrefs(w, r, status, f) })
		return
	}
	redirect(w, r, "/settings/email-preferences?done=saved")
}

func (s *Server) MailOptOutEnable(w http.ResponseWriter, r *http.Request) {
	sc := mailpref.Scope{Kind: r.PathValue("kind"), ID: r.PathValue("id")}
	if err := s.mailprefs.SetOptOut(r.Context(), sc, false); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, "/settings/email-preferences?done=enabled")
}

func (s *Server) MailResumeAll(w http.ResponseWriter, r *http.Request) {
	off := false
	if _, err := s.mailprefs.Update(r.Context(), mailpref.Update{UnsubscribedAll: &off}); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, "/settings/email-preferences?done=resumed")
}

func (s *Server) MailResetReply(w http.ResponseWriter, r *http.Request) {
	if _, err := s.mailprefs.ResetReplyAddresses(r.Context()); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, "/settings/email-preferences?done=reset")
}

func (s *Server) MailUnsuppress(w http.ResponseWriter, r *http.Request) {
	if err := s.mailprefs.Unsuppress(r.Context()); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, "/settings/email-preferences?done=unsuppressed")
}
