package pages

// A thread started with a poll in it (issue #17: a template that is a
// thread and a poll, as the advice, consent and consensus processes are).
// One submit creates both or neither: the thread first, then the poll
// through the decision core; if the poll fails, the thread is removed
// again (compensation) and the form comes back with the error. The page
// form carries a form_key that serves as its Idempotency-Key, so a
// submit sent again replays the first answer instead of starting a
// second thread; the API takes the usual Idempotency-Key header.

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/idempotency"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/process"
)

// newFormKey is a fresh form_key: one per rendering of the form.
func newFormKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ---- the page ----

// threadPollOffer is the "this process also opens a poll" section of the
// new-thread form.
type threadPollOffer struct {
	Title    string // "" : the thread's title
	KindName string
	Days     int
	Checked  bool
}

// threadPollOfferFor is the offer of the template a new-thread form
// carries (nil: none, or the viewer may not start polls).
func (s *Server) threadPollOfferFor(r *http.Request, gid string, f *formState) *threadPollOffer {
	st, err := s.templateStart(r, gid, f.Values["template"], process.KindThread)
	if err != nil || st == nil || st.Poll == nil || s.threadPolls == nil {
		return nil
	}
	if f.Values["form_key"] == "" {
		f.Values["form_key"] = newFormKey()
	}
	return &threadPollOffer{Title: st.Poll.Title, KindName: pollTypeText(s.web.Printer(r), st.Poll.Type), Days: st.ClosingDays,
		Checked: f.Values["with_poll"] != ""}
}

// threadWithPollSubmit is the new-thread form submitted with its
// template's poll ticked; under the form's key when there is one.
func (s *Server) threadWithPollSubmit(w http.ResponseWriter, r *http.Request) {
	key := r.PostFormValue("form_key")
	if s.formKeyed == nil || len(key) < 8 || len(key) > 64 {
		s.threadWithPollRun(w, r)
		return
	}
	// The form was read already: the key's request fingerprint is the
	// form's fields, in a stable order.
	r.Header.Set(idempotency.Header, key)
	r.Body = io.NopCloser(strings.NewReader(r.PostForm.Encode()))
	s.formKeyed(http.HandlerFunc(s.threadWithPollRun)).ServeHTTP(w, r)
}

func (s *Server) threadWithPollRun(w http.ResponseWriter, r *http.Request) {
	gid := r.PathValue("id")
	in := discussion.StartInput{GroupID: gid, Title: r.PostFormValue("title"), Description: r.PostFormValue("description"),
		Notify: audienceFromForm(r.PostForm), Tags: pickedTags(r)}
	st, err := s.templateStart(r, gid, r.PostFormValue("template"), process.KindThread)
	if err == nil && (st == nil || st.Poll == nil) {
		err = domain.Validation(domain.FieldError{Field: "with_poll", Message: "this template opens no poll you may start"})
	}
	if err == nil {
		b := st.Poll
		var t discussion.Thread
		t, _, err = s.threadPolls.Start(r.Context(), in, poll.Definition{Type: b.Type, Title: b.Title, Details: b.Details,
			Options: b.Options, Settings: b.Settings})
		if err == nil {
			done := "started"
			if len(t.Notices) > 0 {
				done = "started-plain"
			}
			redirect(w, r, threadURL(t.ID)+"?done="+done)
			return
		}
	}
	f := newForm(map[string]string{"title": in.Title, "description": in.Description,
		"notify_shown": r.PostFormValue("notify_shown"), "notify_group": r.PostFormValue("notify_group"),
		"template": r.PostFormValue("template"), "with_poll": r.PostFormValue("with_poll"),
		// A new key: the old one keeps this answer.
		"form_key": newFormKey()})
	notifyValues(r.PostForm, f.Values)
	tagValues(r.PostForm, f.Values)
	var pf *handlerkit.PollFailed
	if errors.As(err, &pf) {
		f.Error = s.web.Printer(r).T("page.f17c.poll_failed", "Error", domain.ErrorMessage(pf.Err))
		s.renderThreadNew(w, r, httpx.Status(domain.ErrorCode(pf.Err)), f)
		return
	}
	s.discussionFormFail(w, r, err, f, func(status int) { s.renderThreadNew(w, r, status, f) })
}

// ---- the API: POST /api/v1/groups/{id}/threads with "poll" ----

// ---- saving a thread with its poll as a template ----

// maxSavePollReads bounds the polls of a thread read to pick the one the
// "save as a template" form offers.
const maxSavePollReads = 10

// threadSavePoll is the poll of thread tid the "save as a template" form
// offers to include: its first open poll, else its most recent one
// (among the group's newest polls, at most maxSavePollReads of the
// thread's read; nil: none the viewer may read).
func (s *Server) threadSavePoll(r *http.Request, gid, tid string) *decision.Poll {
	if s.cards == nil {
		return nil
	}
	pids, _, err := s.cards.PollsOfThread(r.Context(), gid, tid, "")
	if err != nil {
		return nil
	}
	var open, recent *decision.Poll
	for i, pid := range pids {
		if i == maxSavePollReads {
			break
		}
		p, err := s.cards.Get(r.Context(), pid)
		if err != nil || p.GroupID != gid || p.Definition.Type == poll.TypeMeeting {
			continue // (a meeting's times are not the next one's: not offered)
		}
		if p.Status == poll.StatusOpen && (open == nil || p.CreatedAt.Before(open.CreatedAt)) {
			open = &p
		}
		if recent == nil || p.CreatedAt.After(recent.CreatedAt) {
			recent = &p
		}
	}
	if open != nil {
		return open
	}
	return recent
}

// pollDays is p's closing offset in whole days (from its opening to its
// closing time; process.DefaultClosing when it has none in range).
func pollDays(p *decision.Poll) int {
	if c := p.Definition.Settings.ClosingAt; c != nil && c.After(p.CreatedAt) {
		if days := int(c.Sub(p.CreatedAt).Hours()/24 + 0.5); days >= 1 && days <= process.MaxClosingDays {
			return days
		}
	}
	return process.DefaultClosing
}
