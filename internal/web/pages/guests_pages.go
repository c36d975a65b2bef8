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

// guestRow is a guest with their avatar (one pictureVersions read for the
// page).
type guestRow struct {
	discussion.Guest
	Face avatarView
}

type threadGuestsData struct {
	Thread      discussion.Thread
	Guests      []guestRow
	Invitations []discussion.GuestInvitation
	Notice      string
	Form        *formState
	// Full: the thread has Max guests, the most it may have; the page
	// says so instead of offering an invitation the core would refuse.
	Full bool
	Max  int
}

func (s *Server) ThreadGuestsPage(w http.ResponseWriter, r *http.Request) {
	s.renderThreadGuests(w, r, http.StatusOK, nil)
}

// renderThreadGuests renders the guest list; f carries an invitation form
// that failed.
func (s *Server) renderThreadGuests(w http.ResponseWriter, r *http.Request, status int, f *formState) {
	ctx := r.Context()
	tid := r.PathValue("tid")
	t, err := s.threadGuests.Thread(ctx, tid)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	guests, err := s.threadGuests.Guests(ctx, tid)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	invs, err := s.threadGuests.GuestInvitations(ctx, tid)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	if f == nil {
		f = newForm(nil)
	}
	uids := make([]string, 0, len(guests))
	for _, g := range guests {
		uids = append(uids, g.UserID)
	}
	pictures := s.pictureVersions(ctx, uids)
	rows := make([]guestRow, 0, len(guests))
	for _, g := range guests {
		rows = append(rows, guestRow{Guest: g, Face: faceOf(g.UserID, g.Name, pictures[g.UserID])})
	}
	s.web.Page(w, r, status, "thread_guests", s.web.Printer(r).T("page.thread.title.guests", "Title", t.Title), threadGuestsData{Thread: t, Guests: rows,
		Invitations: invs, Notice: s.guestNotice(r), Form: f, Full: len(guests) >= discussion.MaxGuests, Max: discussion.MaxGuests})
}

func guestsURL(tid string) string { return threadURL(tid, "/guests") }

func (s *Server) ThreadGuestInviteSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.threadPostForm(w, r) {
		return
	}
	tid := r.PathValue("tid")
	email := r.PostFormValue("email")
	res, err := s.threadGuests.InviteGuestByEmail(r.Context(), tid, email)
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
	if err := s.threadGuests.RemoveGuest(r.Context(), tid, r.PathValue("uid")); err != nil {
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
	if err := s.threadGuests.RevokeGuestInvitation(r.Context(), tid, r.PathValue("iid")); err != nil {
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
	p, err := s.threadGuests.PreviewGuestInvitation(r.Context(), token)
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
	t, err := s.threadGuests.AcceptGuestInvitation(ctx, token)
	switch domain.ErrorCode(err) {
	case "":
		redirect(w, r, threadURL(t.ID))
	case domain.Forbidden:
		s.renderThreadInvitation(w, r, http.StatusForbidden, s.errorText(r, err))
	case domain.Gone:
		// A second click: whoever can read the thread now goes there.
		if tid := discussion.GuestInviteThreadID(token); tid != "" {
			if t, terr := s.threadGuests.Thread(ctx, tid); terr == nil {
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
