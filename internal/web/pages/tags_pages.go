package pages

import (
	"net/http"
	"slices"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/tag"
)

// ---- a group's tags (admins) ----

// tagNotices are the notices of the tags page after ?done=<name>; their
// text is page.tags.notice.<name> (other notices are the group page's).
var tagNotices = map[string]bool{"tag-added": true, "tag-saved": true, "tag-gone": true}

type tagsPageData struct {
	Group   group.Group
	Tags    []tag.Tag
	Palette []string
	Notice  string
	Manage  bool
	Form    *formState
	// Failed is the tag whose change failed (its row shows the error).
	Failed string
}

func (s *Server) renderTags(w http.ResponseWriter, r *http.Request, status int, f *formState, failed string) {
	if err := authz.RequireUser(authz.ActorFrom(r.Context())); err != nil {
		s.PageError(w, r, err)
		return
	}
	id := r.PathValue("id")
	g, err := s.groups.Get(r.Context(), id)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	ts, err := s.tags.List(r.Context(), id)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	if f == nil {
		f = newForm(map[string]string{"colour": tag.Palette[0]})
	}
	pr := s.web.Printer(r)
	notice := s.groupNotice(r)
	if done := r.URL.Query().Get("done"); tagNotices[done] {
		notice = pr.T("page.tags.notice." + done)
	}
	s.web.Page(w, r, status, "group_tags", pr.T("page.tags.title", "Group", pr.Isolate(g.Name)), tagsPageData{Group: g, Tags: ts, Palette: tag.Palette,
		Notice: notice, Manage: g.Can(string(authz.GroupManageTags)), Form: f, Failed: failed})
}

func (s *Server) TagsPage(w http.ResponseWriter, r *http.Request) {
	s.renderTags(w, r, http.StatusOK, nil, "")
}

func (s *Server) TagCreateSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	name, colour := r.PostFormValue("name"), r.PostFormValue("colour")
	_, err := s.tags.Create(r.Context(), r.PathValue("id"), tag.Input{Name: &name, Colour: &colour})
	if err != nil {
		f := newForm(map[string]string{"name": name, "colour": colour})
		s.formFail(w, r, err, f, func(status int) { s.renderTags(w, r, status, f, "") })
		return
	}
	redirect(w, r, groupURL(r.PathValue("id"), "/tags")+"?done=tag-added")
}

func (s *Server) TagUpdateSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	name, colour := r.PostFormValue("name"), r.PostFormValue("colour")
	_, err := s.tags.Update(r.Context(), r.PathValue("id"), r.PathValue("tag"), tag.Input{Name: &name, Colour: &colour})
	if err != nil {
		f := newForm(map[string]string{"colour": tag.Palette[0]})
		s.formFail(w, r, err, f, func(status int) { s.renderTags(w, r, status, f, r.PathValue("tag")) })
		return
	}
	redirect(w, r, groupURL(r.PathValue("id"), "/tags")+"?done=tag-saved")
}

func (s *Server) TagDeleteSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.tags.Delete(r.Context(), r.PathValue("id"), r.PathValue("tag")); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, groupURL(r.PathValue("id"), "/tags")+"?done=tag-gone")
}

// ---- tags on a thread or a poll ----

type tagPickData struct {
	// Kind is "thread" or "poll"; Back and Action its page and the form.
	Kind, Title, Back, Action, GroupID string
	Tags                               []tag.Tag
	On                                 map[string]bool
	Manage                             bool
	Max                                int
}

func (s *Server) renderTagPick(w http.ResponseWriter, r *http.Request, d tagPickData, current []tag.Tag) {
	ts, err := s.tags.List(r.Context(), d.GroupID)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	d.Tags, d.On, d.Max = ts, map[string]bool{}, tag.MaxPerItem
	for _, t := range current {
		d.On[t.ID] = true
	}
	if g, err := s.groups.Get(r.Context(), d.GroupID); err == nil {
		d.Manage = g.Can(string(authz.GroupManageTags))
	}
	pr := s.web.Printer(r)
	s.web.Page(w, r, http.StatusOK, "tag_pick", pr.T("page.tags.of_item", "Title", pr.Isolate(d.Title)), d)
}

func (s *Server) ThreadTagsPage(w http.ResponseWriter, r *http.Request) {
	tid := r.PathValue("tid")
	if err := authz.RequireUser(authz.ActorFrom(r.Context())); err != nil {
		s.PageError(w, r, err)
		return
	}
	t, err := s.discussions.Thread(r.Context(), tid)
	if err == nil && !s.discussions.CanTagThread(r.Context(), tid) {
		err = authz.Forbidden("only those who may edit this thread can change its tags")
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	s.renderTagPick(w, r, tagPickData{Kind: "thread", Title: t.Title, Back: threadURL(tid), Action: threadURL(tid) + "/tags",
		GroupID: t.GroupID}, t.Tags)
}

func (s *Server) PollTagsPage(w http.ResponseWriter, r *http.Request) {
	pid := r.PathValue("pid")
	if err := authz.RequireUser(authz.ActorFrom(r.Context())); err != nil {
		s.PageError(w, r, err)
		return
	}
	p, err := s.decisions.Get(r.Context(), pid)
	if err == nil && !s.pollAdmin(r, p) {
		err = decision.ErrPollAdminOnly
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	s.renderTagPick(w, r, tagPickData{Kind: "poll", Title: p.Definition.Title, Back: "/polls/" + pid, Action: "/polls/" + pid + "/tags",
		GroupID: p.GroupID}, p.Tags)
}

// pickedTags are the checked boxes of the form (bounded by formTags).
func pickedTags(r *http.Request) []string {
	return slices.Clone(r.PostForm["tag"])
}

func (s *Server) ThreadTagsSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	tid := r.PathValue("tid")
	if _, err := s.discussions.SetThreadTags(r.Context(), tid, pickedTags(r)); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, threadURL(tid)+"?done=tags")
}

func (s *Server) PollTagsSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	pid := r.PathValue("pid")
	if _, err := s.decisions.SetPollTags(r.Context(), pid, pickedTags(r)); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, "/polls/"+pid+"?done=tags")
}
