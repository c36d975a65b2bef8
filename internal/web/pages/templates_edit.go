package pages

// The edit form of a group template (admins; process.Editable, Update):
// its name, guide, the title and details it prefills and, for a poll
// template, how many days voting stays open. The poll's kind, options
// and settings stay as saved (save a poll again as a template to change
// them). The form carries the version it was opened at: an edit made by
// someone else in between is shown as a form error, never overwritten.

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/process"
	"github.com/quorum-app/quorum/internal/store"
)

type templateEditData struct {
	Group    group.Group
	Template process.Template
	Form     *formState
	// Conflict: someone else saved the template since the form was opened
	// (Form holds what the editor typed; Template is the current one).
	Conflict bool
}

func templateEditValues(t process.Template) map[string]string {
	v := map[string]string{"name": t.Name, "guide": t.Guide, "title": t.Title, "details": t.Details,
		"version": strconv.FormatInt(t.Version, 10)}
	if t.Kind == process.KindPoll {
		v["closing_days"] = strconv.Itoa(t.ClosingDays)
	}
	return v
}

func (s *Server) renderTemplateEdit(w http.ResponseWriter, r *http.Request, status int, f *formState, conflict bool) {
	gid, tid := r.PathValue("id"), r.PathValue("tid")
	t, err := s.templates.Editable(r.Context(), gid, tid)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	g, err := s.groups.Get(r.Context(), gid)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	if f == nil {
		f = newForm(templateEditValues(t))
	}
	if conflict {
		// The next save replaces the version now shown.
		f.Values["version"] = strconv.FormatInt(t.Version, 10)
	}
	s.web.Page(w, r, status, "group_template_edit", s.web.Printer(r).T("page.f17b.tpl.edit_title", "Name", t.Name), templateEditData{Group: g, Template: t, Form: f, Conflict: conflict})
}

func (s *Server) TemplateEditPage(w http.ResponseWriter, r *http.Request) {
	s.renderTemplateEdit(w, r, http.StatusOK, nil, false)
}

func (s *Server) TemplateEditSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	gid, tid := r.PathValue("id"), r.PathValue("tid")
	cur, err := s.templates.Editable(r.Context(), gid, tid)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	f := newForm(formFromPost(r))
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil || version < 1 {
		s.PageError(w, r, domain.Validation(domain.FieldError{Field: "version", Message: "is missing: open the edit form again"}))
		return
	}
	in := process.Input{Name: r.PostFormValue("name"), Guide: r.PostFormValue("guide"), Kind: cur.Kind,
		Title: r.PostFormValue("title"), Details: r.PostFormValue("details"), Poll: cur.Poll, Version: version}
	if cur.Kind == process.KindPoll {
		n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("closing_days")))
		if err != nil || n == 0 {
			n = -1 // refused by the core with its message
		}
		in.ClosingDays = n
	} else if cur.Poll != nil {
		in.ClosingDays = cur.ClosingDays // the poll a thread template opens keeps its offset
	}
	if _, err := s.templates.Update(r.Context(), gid, tid, in); err != nil {
		if errors.Is(err, store.ErrVersionConflict) {
			f.Error = s.web.Printer(r).T("page.f17b.tpl.conflict")
			s.renderTemplateEdit(w, r, http.StatusConflict, f, true)
			return
		}
		s.formFail(w, r, err, f, func(status int) { s.renderTemplateEdit(w, r, status, f, false) })
		return
	}
	redirect(w, r, groupURL(gid, "/templates?done=edited"))
}
