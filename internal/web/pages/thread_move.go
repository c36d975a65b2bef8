package pages

import (
	"context"
	"net/http"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
)

// Moving a thread to another group (discussion.MoveThread): the API route
// and the page's form. The core decides who may (admins of both groups).

// moveTargets are the groups the actor may move a thread into: those of
// their groups (the first page, up to 100) where the policy allows
// thread.move, except the thread's own.
func (s *Server) moveTargets(ctx context.Context, except string) ([]group.Group, error) {
	if s.groups == nil {
		return nil, nil
	}
	page, err := s.groups.Mine(ctx, "", 100)
	if err != nil {
		return nil, err
	}
	var out []group.Group
	for _, g := range page.Items {
		if g.ID != except && g.Can(string(authz.ThreadMove)) {
			out = append(out, g)
		}
	}
	return out, nil
}

type threadMoveData struct {
	Thread  discussion.Thread
	Targets []group.Group
	Pending *discussion.MoveState
	Form    *formState
}

func (s *Server) renderThreadMove(w http.ResponseWriter, r *http.Request, status int, f *formState) {
	ctx := r.Context()
	if err := authz.RequireUser(authz.ActorFrom(ctx)); err != nil {
		s.PageError(w, r, err)
		return
	}
	t, err := s.threadMod.Thread(ctx, r.PathValue("tid"))
	if err == nil && !s.capsFor(ctx, t).Move {
		err = authz.Forbidden("only admins of the thread's group can move it")
	}
	var targets []group.Group
	if err == nil {
		targets, err = s.moveTargets(ctx, t.GroupID)
	}
	var pending *discussion.MoveState
	if err == nil {
		pending, err = s.threadMod.MoveStatus(ctx, t.ID)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	if f == nil {
		f = newForm(nil)
		if pending != nil {
			f.Values["group_id"] = pending.To
		}
	}
	s.web.Page(w, r, status, "thread_move", s.web.Printer(r).T("page.thread.title.move", "Title", t.Title), threadMoveData{Thread: t, Targets: targets, Pending: pending, Form: f})
}

func (s *Server) ThreadMovePage(w http.ResponseWriter, r *http.Request) {
	s.renderThreadMove(w, r, http.StatusOK, nil)
}

func (s *Server) ThreadMoveSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.threadPostForm(w, r) {
		return
	}
	tid, to := r.PathValue("tid"), r.PostFormValue("group_id")
	res, err := s.threadMod.MoveThread(r.Context(), tid, to)
	if err != nil {
		f := newForm(map[string]string{"group_id": to})
		s.discussionFormFail(w, r, err, f, func(status int) { s.renderThreadMove(w, r, status, f) })
		return
	}
	done := "moved"
	switch {
	case !res.Switched:
		done = "move-started"
	case !res.Done:
		done = "moving"
	}
	redirect(w, r, threadURL(tid)+"?done="+done)
}
