package pages

import (
	"net/http"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/group"
)

// Deleting and restoring a group (#16): a confirmation page where the
// admin types the group's name, then a grace period during which only
// admins see the group (with a banner and Restore); the group core decides
// everything (who, the name, the grace period).

type groupDeleteData struct {
	Group     group.Group
	Form      *formState
	GraceDays int
}

func (s *Server) renderGroupDelete(w http.ResponseWriter, r *http.Request, status int, f *formState) {
	g, err := s.groups.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	if err := s.groups.Authorize(r.Context(), g.ID, authz.GroupDelete, authz.Target{}); err != nil {
		s.PageError(w, r, err)
		return
	}
	if f == nil {
		f = newForm(nil)
	}
	s.web.Page(w, r, status, "group_delete", s.web.Printer(r).T("page.d16.delete_title", "Group", g.Name), groupDeleteData{Group: g, Form: f, GraceDays: int(s.groups.DeleteGrace() / (24 * time.Hour))})
}

// GET /groups/{id}/delete: the confirmation page.
func (s *Server) GroupDeletePage(w http.ResponseWriter, r *http.Request) {
	s.renderGroupDelete(w, r, http.StatusOK, nil)
}

// POST /groups/{id}/delete {name}
func (s *Server) GroupDeleteSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	if _, err := s.groups.Delete(r.Context(), r.PathValue("id"), r.PostFormValue("name")); err != nil {
		f := newForm(map[string]string{"name": r.PostFormValue("name")})
		s.formFail(w, r, err, f, func(status int) { s.renderGroupDelete(w, r, status, f) })
		return
	}
	redirect(w, r, groupURL(r.PathValue("id")))
}

// POST /groups/{id}/restore
func (s *Server) GroupRestoreSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	if _, err := s.groups.Restore(r.Context(), r.PathValue("id")); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, groupURL(r.PathValue("id")))
}
