package pages

import (
	"errors"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/inbound"
	"github.com/quorum-app/quorum/internal/inbox"
	"github.com/quorum-app/quorum/internal/links"
	"github.com/quorum-app/quorum/internal/render"
	"github.com/quorum-app/quorum/internal/replyaddr"
)

// Server-rendered pages of held inbound mail (routes_inbox.go). They work
// without JavaScript: every action is a form posting to a page route that
// redirects (303) with a notice, or re-renders the page with the error.
// The text of a held message is written by whoever sent it (possibly a
// forger): it reaches the page only as internal/render's sanitised
// Markdown, exactly as it would appear once posted, and every other field
// (claimed sender, subject, reasons) as plain text escaped by html/template.

// heldMarkdown renders held text like the discussion core renders comments.
var heldMarkdown = render.New()

// inboxNotices are the notices the held-mail pages show after
// ?done=<name>; their text is page.i18n.held_notice.<name>.
var inboxNotices = map[string]bool{"discarded": true, "allowed": true, "blocked": true, "removed": true, "gone": true}

func (s *Server) inboxNotice(r *http.Request) string {
	if name := r.URL.Query().Get("done"); inboxNotices[name] {
		return s.web.Printer(r).T("page.i18n.held_notice." + name)
	}
	return ""
}

func heldReplyURL(hid string, parts ...string) string {
	return "/mail/held/" + url.PathEscape(hid) + strings.Join(parts, "")
}

// ---- a held reply or vote, for its user ----

type heldReplyData struct {
	Held inbox.Held
	HTML template.HTML
	// Target: where it goes (thread or poll page) and what it will be.
	// TargetKind words it on the page (page.mail.held.*.<kind>): "poll",
	// "reply" (to a comment) or "comment" (in the thread).
	TargetURL  string
	TargetKind string
	Pending    bool
	Error      string
	Notice     string
}

func heldTarget(h inbox.Held) (link, kind string) {
	switch h.TokenKind {
	case replyaddr.KindPoll.String():
		return "/polls/" + url.PathEscape(h.PollID), "poll"
	case replyaddr.KindComment.String():
		return links.Comment(h.ThreadID, h.CommentID), "reply"
	}
	return threadURL(h.ThreadID), "comment"
}

func (s *Server) renderHeldReply(w http.ResponseWriter, r *http.Request, status int, h inbox.Held, errMsg string) {
	link, kind := heldTarget(h)
	h.Reasons = inbox.ReasonsText(s.web.Printer(r), h.Reasons)
	d := heldReplyData{Held: h, HTML: heldMarkdown.Markdown(h.Text), TargetURL: link, TargetKind: kind,
		Pending: h.Status == inbox.StatusPending, Error: errMsg, Notice: s.inboxNotice(r)}
	s.web.Page(w, r, status, "held_reply", s.web.Printer(r).T("page.mail.held.title"), d)
}

func (s *Server) HeldReplyPage(w http.ResponseWriter, r *http.Request) {
	h, err := s.inbox.HeldMessage(r.Context(), r.PathValue("hid"))
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	s.renderHeldReply(w, r, http.StatusOK, h, "")
}

func (s *Server) HeldReplyConfirm(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	hid := r.PathValue("hid")
	out, err := s.inbox.ConfirmHeld(r.Context(), hid)
	if err != nil {
		s.heldReplyFail(w, r, hid, err)
		return
	}
	switch {
	case out.PollID != "":
		redirect(w, r, "/polls/"+url.PathEscape(out.PollID)+"?done=voted")
	case out.CommentID != "":
		redirect(w, r, links.Comment(out.ThreadID, out.CommentID, "commented"))
	default:
		redirect(w, r, threadURL(out.ThreadID)+"?done=commented")
	}
}

func (s *Server) HeldReplyDiscard(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	hid := r.PathValue("hid")
	if err := s.inbox.DiscardHeld(r.Context(), hid); err != nil {
		s.heldReplyFail(w, r, hid, err)
		return
	}
	redirect(w, r, heldReplyURL(hid)+"?done=discarded")
}

// heldReplyFail: a decision that was refused. Posting can fail for the
// reasons the web would give (the thread closed, the vote unreadable, ...):
// the page shows the message again with the reason. A message already
// dealt with (a second click) shows its current state.
func (s *Server) heldReplyFail(w http.ResponseWriter, r *http.Request, hid string, err error) {
	switch {
	case errors.Is(err, inbox.ErrHeldPosted), errors.Is(err, inbox.ErrHeldDecided):
		redirect(w, r, heldReplyURL(hid)+"?done=gone")
		return
	}
	switch domain.ErrorCode(err) {
	case domain.Internal, domain.Unavailable, domain.Unauthorized, domain.NotFound, domain.RateLimited:
		s.PageError(w, r, err)
		return
	}
	h, herr := s.inbox.HeldMessage(r.Context(), hid)
	if herr != nil {
		s.PageError(w, r, herr)
		return
	}
	s.renderHeldReply(w, r, httpx.Status(domain.ErrorCode(err)), h, s.errorText(r, err))
}

// ---- a group's held mail, for its admins ----

type groupHeldData struct {
	Group   group.Group
	Address string // the group's email address
	Items   []heldGroupItem
	Members []group.Member
	Senders []senderRow
	Notice  string
	Error   string
}

type heldGroupItem struct {
	inbox.Held
	HTML template.HTML
}

type senderRow struct {
	inbox.SenderRule
	MemberName string
}

func (s *Server) GroupHeldPage(w http.ResponseWriter, r *http.Request) {
	s.renderGroupHeld(w, r, http.StatusOK, "")
}

func (s *Server) renderGroupHeld(w http.ResponseWriter, r *http.Request, status int, errMsg string) {
	gid := r.PathValue("id")
	// The core decides (admins only); the group page's data follows.
	items, err := s.inbox.GroupHeld(r.Context(), gid)
	var g group.Group
	if err == nil {
		g, err = s.groups.Get(r.Context(), gid)
	}
	var rules []inbox.SenderRule
	if err == nil {
		rules, err = s.inbox.GroupSenders(r.Context(), gid)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	d := groupHeldData{Group: g, Notice: s.inboxNotice(r), Error: errMsg}
	if dom := s.inbox.Domain(); dom != "" && g.Handle != "" {
		d.Address = g.Handle + "@" + dom
	}
	pr := s.web.Printer(r)
	for _, h := range items {
		h.Reasons = inbox.ReasonsText(pr, h.Reasons)
		d.Items = append(d.Items, heldGroupItem{Held: h, HTML: heldMarkdown.Markdown(h.Text)})
	}
	names := map[string]string{}
	if page, err := s.groups.Members(r.Context(), gid, "", 0); err == nil {
		d.Members = page.Items
		for _, m := range page.Items {
			names[m.UserID] = m.Name
		}
	}
	for _, rule := range rules {
		row := senderRow{SenderRule: rule, MemberName: names[rule.UserID]}
		if row.MemberName == "" && rule.UserID != "" {
			row.MemberName = pr.T("page.i18n.former_member")
		}
		d.Senders = append(d.Senders, row)
	}
	s.web.Page(w, r, status, "group_held_mail", pr.T("page.group.held.title", "Group", g.Name), d)
}

// groupHeldDone redirects back to the list, or shows what went wrong.
func (s *Server) groupHeldDone(w http.ResponseWriter, r *http.Request, err error, done string) {
	if err == nil {
		redirect(w, r, groupURL(r.PathValue("id"), "/held-mail")+"?done="+done)
		return
	}
	if errors.Is(err, inbox.ErrHeldPosted) || errors.Is(err, inbox.ErrHeldDecided) {
		redirect(w, r, groupURL(r.PathValue("id"), "/held-mail")+"?done=gone")
		return
	}
	switch domain.ErrorCode(err) {
	case domain.Invalid, domain.Conflict:
		// A refusal the list can explain (not a member, threads not allowed).
		pr := s.web.Printer(r)
		msg, fields := domain.Localize(err, pr.Errorf)
		if len(fields) > 0 {
			msg = pr.T("page.i18n.owner_refused", "Message", fields[0].Message)
		}
		s.renderGroupHeld(w, r, httpx.Status(domain.ErrorCode(err)), msg)
		return
	}
	s.PageError(w, r, err)
}

func (s *Server) GroupHeldAllow(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	in := inbox.AllowInput{}
	if r.PostFormValue("remember") != "" || r.PostForm.Has("alias") {
		in.AliasUserID = strings.TrimSpace(r.PostFormValue("alias"))
	}
	_, err := s.inbox.AllowHeld(r.Context(), r.PathValue("id"), r.PathValue("hid"), in)
	s.groupHeldDone(w, r, err, "allowed")
}

func (s *Server) GroupHeldDiscard(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	s.groupHeldDone(w, r, s.inbox.DiscardGroupHeld(r.Context(), r.PathValue("id"), r.PathValue("hid")), "discarded")
}

func (s *Server) GroupHeldBlock(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	s.groupHeldDone(w, r, s.inbox.BlockSender(r.Context(), r.PathValue("id"), r.PathValue("hid")), "blocked")
}

func (s *Server) GroupSenderRemove(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	s.groupHeldDone(w, r, s.inbox.RemoveSender(r.Context(), r.PathValue("id"), r.PathValue("rid")), "removed")
}

// ---- /dev/mail (local installations only) ----

// maxDevMail bounds the raw message of the developer page (the inbound
// limit, plus room for the form around it).
const maxDevMail = inbound.MaxMessageSize + 1<<20

type devMailData struct {
	Form    *formState
	Outcome *inbox.Outcome
	Links   []devLink
	Domain  string
}

type devLink struct{ Label, URL string }

func (s *Server) DevMailPage(w http.ResponseWriter, r *http.Request) {
	if err := authz.RequireUser(authz.ActorFrom(r.Context())); err != nil {
		s.PageError(w, r, err)
		return
	}
	s.renderDevMail(w, r, http.StatusOK, devMailData{Form: newForm(nil)})
}

func (s *Server) renderDevMail(w http.ResponseWriter, r *http.Request, status int, d devMailData) {
	d.Domain = s.inbox.Domain()
	s.web.Page(w, r, status, "dev_mail", "Deliver a test email", d)
}

// devMailSubmit stores the pasted or uploaded message in the local inbound
// bucket, as SES's receipt rule does, and runs the inbound service on it.
func (s *Server) DevMailSubmit(w http.ResponseWriter, r *http.Request) {
	if err := authz.RequireUser(authz.ActorFrom(r.Context())); err != nil {
		s.PageError(w, r, err)
		return
	}
	raw, to, fail, err := readDevMail(w, r)
	f := newForm(map[string]string{"to": to})
	if fail {
		f.Values["verdicts"] = "fail"
	}
	if err == nil && len(raw) == 0 {
		err = domain.Validation(domain.FieldError{Field: "eml", Message: "paste a raw message or choose an .eml file"})
	}
	var out inbox.Outcome
	if err == nil {
		v := inbox.PassingVerdicts()
		if fail {
			v = inbox.FailingVerdicts()
		}
		rcpt := strings.FieldsFunc(to, func(c rune) bool { return c == ',' || c == ' ' || c == '\n' || c == '\r' })
		out, err = s.inbox.Inject(r.Context(), raw, rcpt, v)
	}
	if err != nil {
		switch domain.ErrorCode(err) {
		case domain.Internal, domain.Unavailable, domain.Unauthorized:
			s.PageError(w, r, err)
			return
		}
		status := f.fail(s.web.Printer(r), err)
		s.renderDevMail(w, r, status, devMailData{Form: f})
		return
	}
	d := devMailData{Form: f, Outcome: &out}
	if out.ThreadID != "" {
		d.Links = append(d.Links, devLink{"The thread", threadURL(out.ThreadID)})
	}
	if out.PollID != "" {
		d.Links = append(d.Links, devLink{"The poll", "/polls/" + url.PathEscape(out.PollID)})
	}
	if out.HeldID != "" && out.GroupID == "" {
		d.Links = append(d.Links, devLink{"The held message (for the reply address's user)", heldReplyURL(out.HeldID)})
	}
	if out.HeldID != "" && out.GroupID != "" {
		d.Links = append(d.Links, devLink{"The group's held mail (admins)", groupURL(out.GroupID, "/held-mail")})
	}
	s.renderDevMail(w, r, http.StatusOK, d)
}

// readDevMail reads the form: a multipart upload ("file") or pasted text
// ("eml"), the envelope recipients ("to") and "verdicts".
func readDevMail(w http.ResponseWriter, r *http.Request) (raw []byte, to string, fail bool, err error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxDevMail)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return nil, "", false, domain.Errorf(domain.TooLarge, "the message is larger than 30 MB")
			}
			return nil, "", false, domain.Errorf(domain.Invalid, "the form could not be read")
		}
		if fh, _, ferr := r.FormFile("file"); ferr == nil {
			defer fh.Close()
			raw, err = io.ReadAll(io.LimitReader(fh, inbound.MaxMessageSize+1))
			if err != nil {
				return nil, "", false, domain.Errorf(domain.Invalid, "the file could not be read")
			}
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, "", false, domain.Errorf(domain.Invalid, "the form could not be read")
		}
	default:
		return nil, "", false, domain.Errorf(domain.Unsupported, "send the form as multipart/form-data or application/x-www-form-urlencoded")
	}
	if len(raw) == 0 {
		raw = []byte(r.PostFormValue("eml"))
	}
	if len(raw) > inbound.MaxMessageSize {
		return nil, "", false, domain.Errorf(domain.TooLarge, "the message is larger than 30 MB")
	}
	return raw, strings.TrimSpace(r.PostFormValue("to")), r.PostFormValue("verdicts") == "fail", nil
}
