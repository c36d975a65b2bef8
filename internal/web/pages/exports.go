package pages

import (
	"context"
	"net/http"
	"time"

	"github.com/quorum-app/quorum/internal/export"
	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/httpx"
)

// Exports (#16, "Take your data with you"): a person asks for their
// personal export from settings, follows its progress there, and downloads
// it through a two-minute link; group admins do the same for their group.
// The export core decides who may do what and does the work off the
// request (the scheduler); these handlers only translate.

// Exports is what the export routes need of the export core.
type Exports interface {
	Request(ctx context.Context) (export.Export, error)
	List(ctx context.Context) ([]export.Export, error)
	RequestGroupWith(ctx context.Context, gid string, opt export.GroupOptions) (export.Export, error)
	ListGroup(ctx context.Context, gid string) ([]export.Export, error)
	Download(ctx context.Context, id string) (string, time.Time, error)
	DownloadPart(ctx context.Context, id string, part int) (string, time.Time, error)
}

type exportData struct {
	Exports   []export.Export
	Pending   bool
	Requested bool
	Form      *formState
}

func (s *Server) renderExport(w http.ResponseWriter, r *http.Request, status int, d exportData) {
	es, err := s.exports.List(r.Context())
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	d.Exports = es
	for _, e := range es {
		if export.InProgress(e.State) {
			d.Pending = true
		}
	}
	if d.Form == nil {
		d.Form = newForm(nil)
	}
	s.web.Page(w, r, status, "settings_export", s.web.Printer(r).T("page.settings.export.title"), d)
}

// GET /settings/export: the exports of the last 7 days and their progress.
func (s *Server) ExportPage(w http.ResponseWriter, r *http.Request) {
	s.renderExport(w, r, http.StatusOK, exportData{Requested: r.URL.Query().Get("done") == "requested"})
}

// POST /settings/export: ask for a new export.
func (s *Server) ExportSubmit(w http.ResponseWriter, r *http.Request) {
	if _, err := s.exports.Request(r.Context()); err != nil {
		f := newForm(nil)
		s.formFail(w, r, err, f, func(status int) { s.renderExport(w, r, status, exportData{Form: f}) })
		return
	}
	redirect(w, r, "/settings/export?done=requested")
}

// POST /exports/{id}/download: a fresh two-minute link, followed at once
// (a POST, so the link is made for a click, never by a prefetch).
func (s *Server) ExportDownload(w http.ResponseWriter, r *http.Request) {
	part, err := handlerkit.ExportPart(r)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	url, _, err := s.exports.DownloadPart(r.Context(), r.PathValue("id"), part)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, url, http.StatusSeeOther)
}

type groupExportData struct {
	GroupID, GroupName string
	exportData
}

func (s *Server) renderGroupExport(w http.ResponseWriter, r *http.Request, status int, d groupExportData) {
	gid := r.PathValue("id")
	es, err := s.exports.ListGroup(r.Context(), gid)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	g, err := s.groups.Get(r.Context(), gid)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	d.GroupID, d.GroupName, d.Exports = g.ID, g.Name, es
	for _, e := range es {
		if export.InProgress(e.State) {
			d.Pending = true
		}
	}
	if d.Form == nil {
		d.Form = newForm(nil)
	}
	s.web.Page(w, r, status, "group_export", s.web.Printer(r).T("page.group.export.title", "Group", s.web.Printer(r).Isolate(g.Name)), d)
}

// GET /groups/{id}/export: the group's exports and their progress (admins).
func (s *Server) GroupExportPage(w http.ResponseWriter, r *http.Request) {
	s.renderGroupExport(w, r, http.StatusOK, groupExportData{exportData: exportData{Requested: r.URL.Query().Get("done") == "requested"}})
}

// POST /groups/{id}/export: ask for a new export of the group (admins).
func (s *Server) GroupExportSubmit(w http.ResponseWriter, r *http.Request) {
	gid := r.PathValue("id")
	if err := httpx.ParseForm(w, r); err != nil {
		s.PageError(w, r, err)
		return
	}
	opt := export.GroupOptions{Subgroups: r.PostFormValue("subgroups") == "1"}
	if _, err := s.exports.RequestGroupWith(r.Context(), gid, opt); err != nil {
		f := newForm(nil)
		s.formFail(w, r, err, f, func(status int) { s.renderGroupExport(w, r, status, groupExportData{exportData: exportData{Form: f}}) })
		return
	}
	redirect(w, r, "/groups/"+gid+"/export?done=requested")
}
