package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/export"
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

var errExportsOff = domain.Errorf(domain.Unavailable, "exports are not available")

func (s *Server) exportRoutes() []Route {
	routes := []Route{
		// JSON API
		{Pattern: "POST /api/v1/me/exports", Access: Session, Handler: s.apiRequestExport},
		{Pattern: "GET /api/v1/me/exports", Access: Session, Handler: s.apiExports},
		{Pattern: "POST /api/v1/exports/{id}/link", Access: Session, Handler: s.apiExportLink},
		{Pattern: "POST /api/v1/groups/{id}/exports", Access: Session, Handler: s.apiRequestGroupExport},
		{Pattern: "GET /api/v1/groups/{id}/exports", Access: Session, Handler: s.apiGroupExports},

		// Pages
		{Pattern: "GET /settings/export", Access: Session, Page: true, Handler: s.exportPage},
		{Pattern: "POST /settings/export", Access: Session, Page: true, Handler: s.exportSubmit},
		{Pattern: "POST /exports/{id}/download", Access: Session, Page: true, Handler: s.exportDownload},
		{Pattern: "GET /groups/{id}/export", Access: Session, Page: true, Handler: s.groupExportPage},
		{Pattern: "POST /groups/{id}/export", Access: Session, Page: true, Handler: s.groupExportSubmit},
	}
	for i := range routes {
		routes[i].Handler = s.needExports(routes[i].Page, httpx.WithLists(routes[i].Lists, routes[i].Handler))
	}
	return routes
}

func (s *Server) needExports(page bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.exports == nil {
			err := error(errExportsOff)
			if !authz.ActorFrom(r.Context()).Authenticated() {
				err = authz.ErrSignIn // sign in first, whatever is wired
			}
			if page {
				s.pageError(w, r, err)
				return
			}
			httpx.WriteError(w, r, s.log, err)
			return
		}
		h(w, r)
	}
}

// POST /api/v1/me/exports → 202 Export
func (s *Server) apiRequestExport(w http.ResponseWriter, r *http.Request) {
	e, err := s.exports.Request(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusAccepted, e)
}

// GET /api/v1/me/exports → {exports: [Export]}
func (s *Server) apiExports(w http.ResponseWriter, r *http.Request) {
	es, err := s.exports.List(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"exports": es})
}

// exportPart reads the archive part a download asks for: "part" (query or
// form), absent or 0 for the archive, 1 to file_parts for the further
// archives of files.
func exportPart(r *http.Request) (int, error) {
	v := r.FormValue("part")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, domain.Errorf(domain.Invalid, "%s: must be a whole number", "part")
	}
	return n, nil // the core answers 404 for a part the export does not have
}

// POST /api/v1/exports/{id}/link[?part=n] → {url, expires_at}
func (s *Server) apiExportLink(w http.ResponseWriter, r *http.Request) {
	part, err := exportPart(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	url, exp, err := s.exports.DownloadPart(r.Context(), r.PathValue("id"), part)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"url": url, "expires_at": exp})
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
		s.pageError(w, r, err)
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
func (s *Server) exportPage(w http.ResponseWriter, r *http.Request) {
	s.renderExport(w, r, http.StatusOK, exportData{Requested: r.URL.Query().Get("done") == "requested"})
}

// POST /settings/export: ask for a new export.
func (s *Server) exportSubmit(w http.ResponseWriter, r *http.Request) {
	if _, err := s.exports.Request(r.Context()); err != nil {
		f := newForm(nil)
		s.formFail(w, r, err, f, func(status int) { s.renderExport(w, r, status, exportData{Form: f}) })
		return
	}
	redirect(w, r, "/settings/export?done=requested")
}

// POST /exports/{id}/download: a fresh two-minute link, followed at once
// (a POST, so the link is made for a click, never by a prefetch).
func (s *Server) exportDownload(w http.ResponseWriter, r *http.Request) {
	part, err := exportPart(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	url, _, err := s.exports.DownloadPart(r.Context(), r.PathValue("id"), part)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, url, http.StatusSeeOther)
}

// POST /api/v1/groups/{id}/exports [{subgroups}] → 202 Export (admins)
func (s *Server) apiRequestGroupExport(w http.ResponseWriter, r *http.Request) {
	var opt export.GroupOptions
	if r.ContentLength != 0 && r.Body != http.NoBody {
		if err := httpx.DecodeJSON(w, r, &opt); err != nil {
			s.apiFail(w, r, err)
			return
		}
	}
	e, err := s.exports.RequestGroupWith(r.Context(), r.PathValue("id"), opt)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusAccepted, e)
}

// GET /api/v1/groups/{id}/exports → {exports: [Export]} (admins)
func (s *Server) apiGroupExports(w http.ResponseWriter, r *http.Request) {
	es, err := s.exports.ListGroup(r.Context(), r.PathValue("id"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"exports": es})
}

type groupExportData struct {
	GroupID, GroupName string
	exportData
}

func (s *Server) renderGroupExport(w http.ResponseWriter, r *http.Request, status int, d groupExportData) {
	gid := r.PathValue("id")
	es, err := s.exports.ListGroup(r.Context(), gid)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	g, err := s.groups.Get(r.Context(), gid)
	if err != nil {
		s.pageError(w, r, err)
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
func (s *Server) groupExportPage(w http.ResponseWriter, r *http.Request) {
	s.renderGroupExport(w, r, http.StatusOK, groupExportData{exportData: exportData{Requested: r.URL.Query().Get("done") == "requested"}})
}

// POST /groups/{id}/export: ask for a new export of the group (admins).
func (s *Server) groupExportSubmit(w http.ResponseWriter, r *http.Request) {
	gid := r.PathValue("id")
	if err := httpx.ParseForm(w, r); err != nil {
		s.pageError(w, r, err)
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
