package pages

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/export"
)

// Imports (#16, "Take your data with you"): a group export's archive
// becomes a new group here. The API presigns the archive's upload and
// starts the import once it is there; the page takes the archive in a
// multipart form (no script needed). The export core decides who may and
// does the work off the request (the scheduler's steps).

// Imports is what the import routes need of the export core.
type Imports interface {
	StartImport(ctx context.Context, size int64) (export.ImportJob, error)
	UploadImport(ctx context.Context, archive []byte) (export.ImportJob, error)
	Begin(ctx context.Context, id string) (export.ImportJob, error)
	GetImport(ctx context.Context, id string) (export.ImportJob, error)
	Imports(ctx context.Context) ([]export.ImportJob, error)
}

type importData struct {
	Imports []export.ImportJob
	Pending bool
	Started bool
	MaxMB   int
	Form    *formState
}

func (s *Server) renderImport(w http.ResponseWriter, r *http.Request, status int, d importData) {
	js, err := s.imports.Imports(r.Context())
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	d.Imports, d.MaxMB = js, export.MaxImportArchive>>20
	for _, j := range js {
		if export.InProgress(j.State) {
			d.Pending = true
		}
	}
	if d.Form == nil {
		d.Form = newForm(nil)
	}
	s.web.Page(w, r, status, "group_import", s.web.Printer(r).T("page.i16.title"), d)
}

// GET /groups/import: the form and the imports of the last 7 days.
func (s *Server) ImportPage(w http.ResponseWriter, r *http.Request) {
	s.renderImport(w, r, http.StatusOK, importData{Started: r.URL.Query().Get("done") == "started"})
}

// POST /groups/import: the archive, as multipart/form-data ("archive").
func (s *Server) ImportSubmit(w http.ResponseWriter, r *http.Request) {
	archive, err := readArchive(w, r)
	if err == nil {
		_, err = s.imports.UploadImport(r.Context(), archive)
	}
	if err != nil {
		f := newForm(nil)
		s.formFail(w, r, err, f, func(status int) { s.renderImport(w, r, status, importData{Form: f}) })
		return
	}
	redirect(w, r, "/groups/import?done=started")
}

// readArchive reads the form's file, bounded by the archive's limit.
func readArchive(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return nil, domain.Validation(domain.FieldError{Field: "archive", Message: "choose the archive of a group export"})
	}
	r.Body = http.MaxBytesReader(w, r.Body, export.MaxImportArchive+1<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, domain.Validation(domain.FieldError{Field: "archive", Message: "the archive is larger than the limit"})
		}
		return nil, domain.Errorf(domain.Invalid, "the form could not be read")
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	fh, _, err := r.FormFile("archive")
	if err != nil {
		return nil, domain.Validation(domain.FieldError{Field: "archive", Message: "choose the archive of a group export"})
	}
	defer func() { _ = fh.Close() }()
	b, err := io.ReadAll(io.LimitReader(fh, export.MaxImportArchive+1))
	if err != nil {
		return nil, domain.Errorf(domain.Invalid, "the file could not be read")
	}
	return b, nil
}
