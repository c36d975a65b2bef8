package pages

import (
	"net/http"
	"net/url"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
)

// Thread guests: the guest list of a thread (for those who may add guests)
// with Remove and Revoke, the "Invite by email" form, and the landing page
// of an emailed invitation. Every decision is the discussion core's.

// guestNotices are the guests page's notices (?done=name), worded by the
// catalog key page.thread.guest_notice.<name>.
var guestNotices = map[string]bool{"added": true, "invited": true, "resent": true, "removed": true, "revoked": true}

type threadGuestsData struct {
	Thread      discussion.Thread
	Guests      []discussion.Guest
	Invitations []discussion.GuestInvitation
	Notice      string
	Form        *formState
}

func (s *Server) ThreadGuestsPage(w http.ResponseWriter, r *http.Request) {
	s.renderThreadGuests(w, r, http.StatusOK, nil)
}

// renderThreadGuests renders the guest list; f carries an invitation form
// that failed.
func (s *Server) renderThreadGuests(w http.ResponseWriter, r *http.Request, status int, f *formState) {
	ctx := r.Context()
	tid := r.PathValue("tid")
	t, err := s.discussions.Thread(ctx, tid)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	guests, err := s.discussions.Guests(ctx, tid)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	invs, err := s.discussions.GuestInvitations(ctx, tid)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	if f == nil {
		f = newForm(nil)
	}
	s.web.Page(w, r, status, "thread_guests", s.web.Printer(r).T("page.thread.title.guests", "Title", t.Title), threadGuestsData{Thread: t, Guests: guests,
		Invitations: invs, Notice: s.guestNotice(r), Form: f})
}

func guestsURL(tid string) string { return threadURL(tid, "/guests") }

func (s *Server) ThreadGuestInviteSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.threadPostForm(w, r) {
		return
	}
	tid := r.PathValue("tid")
	email := r.PostFormValue("email")
	res, err := s.discussions.InviteGuestByEmail(r.Context(), tid, email)
	if err != nil {
		f := newForm(map[string]string{"email": email})
		s.discussionFormFail(w, r, err, f, func(status int) { s.renderThreadGuests(w, r, status, f) })
		return
	}
	redirect(w, r, guestsURL(tid)+"?done="+url.QueryEscape(res.Status))
}

func (s *Server) ThreadGuestRemoveSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.threadPostForm(w, r) {
		return
	}
	tid := r.PathValue("tid")
	if err := s.discussions.RemoveGuest(r.Context(), tid, r.PathValue("uid")); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, guestsURL(tid)+"?done=removed")
}

func (s *Server) ThreadGuestRevokeSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.threadPostForm(w, r) {
		return
	}
	tid := r.PathValue("tid")
	if err := s.discussions.RevokeGuestInvitation(r.Context(), tid, r.PathValue("iid")); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, guestsURL(tid)+"?done=revoked")
}

// ---- the invitation's landing page ----

type threadInvitationData struct {
	Preview   discussion.GuestInvitationPreview
	Action    string
	SignedIn  bool
	LoginURL  string
	SignupURL string
	Error     string
}

func (s *Server) ThreadInvitationPage(w http.ResponseWriter, r *http.Request) {
	s.renderThreadInvitation(w, r, http.StatusOK, "")
}

func (s *Server) renderThreadInvitation(w http.ResponseWriter, r *http.Request, status int, problem string) {
	token := r.PathValue("token")
	p, err := s.discussions.PreviewGuestInvitation(r.Context(), token)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	page := "/thread-invitations/" + url.PathEscape(token)
	next := url.QueryEscape(page)
	// The token is in the address: it must not leak through the Referer.
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.web.Page(w, r, status, "thread_invitation", s.web.Printer(r).T("page.thread.title.invitation", "Title", p.ThreadTitle), threadInvitationData{
		Preview: p, Action: page + "/accept", SignedIn: authz.ActorFrom(r.Context()).Authenticated(),
		LoginURL: "/login?next=" + next, SignupURL: "/signup?next=" + next, Error: problem,
	})
}

func (s *Server) ThreadInvitationAcceptSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.threadPostForm(w, r) {
		return
	}
	ctx := r.Context()
	token := r.PathValue("token")
	t, err := s.discussions.AcceptGuestInvitation(ctx, token)
	switch domain.ErrorCode(err) {
	case "":
		redirect(w, r, threadURL(t.ID))
	case domain.Forbidden:
		s.renderThreadInvitation(w, r, http.StatusForbidden, s.errorText(r, err))
	case domain.Gone:
		// A second click: whoever can read the thread now goes there.
		if tid := discussion.GuestInviteThreadID(token); tid != "" {
			if t, terr := s.discussions.Thread(ctx, tid); terr == nil {
				redirect(w, r, threadURL(t.ID))
				return
			}
		}
		s.PageError(w, r, err)
	default:
		s.PageError(w, r, err)
	}
}

// guestNotice is the notice ?done= names, in the reader's language.
func (s *Server) guestNotice(r *http.Request) string {
	done := r.URL.Query().Get("done")
	if !guestNotices[done] {
		return ""
	}
	return s.web.Printer(r).T("page.thread.guest_notice." + done)
}
