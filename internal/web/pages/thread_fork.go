package pages

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/text"
)

// Forking comments into a new thread (discussion.ForkComments): the API
// route and the page's form with a checkbox per comment. The core decides
// who may (thread moderators).

// forkChoice is one comment the fork form offers.
type forkChoice struct {
	discussion.Item
	Excerpt string
	Checked bool
}

type threadForkData struct {
	Thread   discussion.Thread
	Comments []forkChoice
	// More is true when the thread has comments beyond the first page,
	// which the form does not offer (the API takes any).
	More bool
	Form *formState
	Max  int
}

func (s *Server) renderThreadFork(w http.ResponseWriter, r *http.Request, status int, f *formState, chosen map[string]bool) {
	ctx := r.Context()
	if err := authz.RequireUser(authz.ActorFrom(ctx)); err != nil {
		s.PageError(w, r, err)
		return
	}
	p, err := s.threadMod.Page(ctx, r.PathValue("tid"), "", discussion.TimelinePageSize)
	if err == nil && !s.capsFor(ctx, p.Thread).Fork {
		err = authz.Forbidden("only the thread's author and the group's admins can fork its comments")
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	if f == nil {
		f = newForm(nil)
	}
	d := threadForkData{Thread: p.Thread, More: p.Next != "", Form: f, Max: discussion.MaxForkComments}
	for _, it := range p.Items {
		if it.Kind != discussion.KindComment || it.Deleted {
			continue
		}
		d.Comments = append(d.Comments, forkChoice{Item: it, Excerpt: text.Clip(it.Body, 160), Checked: chosen[it.ID]})
	}
	s.web.Page(w, r, status, "thread_fork", s.web.Printer(r).T("page.thread.title.fork", "Title", p.Thread.Title), d)
}

func (s *Server) ThreadForkPage(w http.ResponseWriter, r *http.Request) {
	s.renderThreadFork(w, r, http.StatusOK, nil, nil)
}

func (s *Server) ThreadForkSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.threadPostForm(w, r) {
		return
	}
	tid := r.PathValue("tid")
	in := discussion.ForkInput{Title: r.PostFormValue("title"), CommentIDs: r.PostForm["comment_id"]}
	res, err := s.threadMod.ForkComments(r.Context(), tid, in)
	if err != nil {
		f := newForm(map[string]string{"title": in.Title})
		chosen := map[string]bool{}
		for _, c := range in.CommentIDs {
			chosen[c] = true
		}
		s.discussionFormFail(w, r, err, f, func(status int) { s.renderThreadFork(w, r, status, f, chosen) })
		return
	}
	done := "forked"
	if !res.Done {
		done = "forking"
	}
	redirect(w, r, threadURL(res.Thread.ID)+"?done="+done)
}
