package pages

import (
	"net/http"
	"net/url"

	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
)

// Removing a member's comments in a group (#16, moderation): an admin
// asks from the Members tab (a confirmation page) or the API; the
// discussion core queues one job, audited, that the scheduler runs. The
// core decides who may (authz.GroupRemoveContent).

type removeCommentsData struct {
	Group   group.Group
	UserID  string
	Name    string
	Removal *discussion.Removal
	// Queued: the page right after the admin asked.
	Queued bool
}

// GET /groups/{id}/members/{uid}/remove-comments: the confirmation page,
// with the state of the last removal of this member's comments.
func (s *Server) RemoveCommentsPage(w http.ResponseWriter, r *http.Request) {
	id, uid := r.PathValue("id"), r.PathValue("uid")
	g, err := s.groups.Get(r.Context(), id)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	rm, err := s.memberContent.MemberRemoval(r.Context(), id, uid)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	name := s.names(r.Context(), []string{uid})[uid] // "" for a deleted account: the page says "this member"
	s.web.Page(w, r, http.StatusOK, "group_remove_comments", s.web.Printer(r).T("page.d16.title", "Group", g.Name),
		removeCommentsData{Group: g, UserID: uid, Name: name, Removal: rm, Queued: r.URL.Query().Get("done") == "queued"})
}

// POST /groups/{id}/members/{uid}/remove-comments
func (s *Server) RemoveCommentsSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	if _, err := s.memberContent.RemoveMemberComments(r.Context(), r.PathValue("id"), r.PathValue("uid")); err != nil {
		s.groupMemberFail(w, r, err)
		return
	}
	redirect(w, r, groupURL(r.PathValue("id"), "/members/", url.PathEscape(r.PathValue("uid")), "/remove-comments")+"?done=queued")
}
