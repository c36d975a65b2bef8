package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/server"
)

// upload posts archive to the import page's form as p.
func (e *pollEnv) upload(p *pollPerson, archive []byte) resp {
	e.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("archive", "export.zip")
	_, _ = fw.Write(archive)
	_ = mw.Close()
	r := httptest.NewRequest("POST", "/groups/import", &b)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set("Accept", "text/html")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: p.cookie})
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, r)
	return resp{code: rec.Code, body: rec.Body.String(), hdr: rec.Header()}
}

func zipOf(t *testing.T, name, content string) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, err := z.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte(content))
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The import through the page and the API: the group list links to the
// page; a file that is not a zip is refused on the form; an archive starts
// an import whose progress the page shows, and once the scheduler did it,
// a link to the new group; someone else sees none of it. The API presigns
// the upload and refuses to begin before the archive is there.
func TestGroupImportPageAndAPI(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	if r := e.must(e.do(m, "GET", "/groups", nil), 200, "groups"); !strings.Contains(r.body, `href="/groups/import"`) {
		t.Fatal("the group list does not link to the import page")
	}
	r := e.must(e.do(m, "GET", "/groups/import", nil), 200, "import page")
	if !strings.Contains(r.body, `enctype="multipart/form-data"`) || !strings.Contains(r.body, "(imported)") {
		t.Fatalf("import page: %.1500s", r.body)
	}
	if r := e.upload(m, []byte("not a zip")); r.code != 422 && r.code != 400 || !strings.Contains(r.body, "not a zip") {
		t.Fatalf("not a zip: %d %.1500s", r.code, r.body)
	}
	jsonl := `{"entity":"group","data":{"name":"Orchard","description":"Apples.","privacy":"closed"}}` + "\n" +
		`{"entity":"threads","data":{"id":"t1","title":"Pruning","description":"When?","author_name":"Ada","created_at":"2026-01-02T03:04:05Z"}}` + "\n" +
		`{"entity":"timeline","data":{"thread_id":"t1","id":"c1","kind":"comment","actor_name":"Ben","at":"2026-01-03T03:04:05Z","body":"In March."}}` + "\n"
	r = e.upload(m, zipOf(t, "group.jsonl", jsonl))
	if r.code != 303 || r.hdr.Get("Location") != "/groups/import?done=started" {
		t.Fatalf("upload: %d %q %.800s", r.code, r.hdr.Get("Location"), r.body)
	}
	r = e.must(e.do(m, "GET", "/groups/import?done=started", nil), 200, "progress")
	if !strings.Contains(r.body, "<progress") {
		t.Fatalf("no progress: %.1500s", r.body)
	}
	for i := 0; i < 20; i++ {
		rep, err := e.a.Tick(context.Background(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if rep.Imports.Finished > 0 {
			break
		}
	}
	list := decodeInto[struct {
		Imports []struct {
			ID, State string
			GroupID   string `json:"group_id"`
		}
	}](t, e.must(e.do(m, "GET", "/api/v1/imports", nil), 200, "list"))
	if len(list.Imports) != 1 || list.Imports[0].State != "ready" {
		t.Fatalf("imports: %+v", list.Imports)
	}
	gid := list.Imports[0].GroupID
	r = e.must(e.do(m, "GET", "/groups/import", nil), 200, "done")
	if !strings.Contains(r.body, `href="/groups/`+gid+`"`) {
		t.Fatalf("no link to the group: %s", r.body[strings.Index(r.body, "<main"):])
	}
	th := e.must(e.do(m, "GET", "/groups/"+gid, nil), 200, "the group")
	if !strings.Contains(th.body, "Pruning") {
		t.Fatalf("the imported thread is not listed: %.2000s", th.body)
	}
	e.must(e.do(o, "GET", "/api/v1/imports/"+list.Imports[0].ID, nil), 404, "someone else's import")
	if r := e.must(e.do(o, "GET", "/groups/import", nil), 200, "someone else's page"); strings.Contains(r.body, gid) {
		t.Fatal("someone else sees the import")
	}

	// The API: presign, begin only once uploaded.
	e.must(e.do(m, "POST", "/api/v1/imports", `{"size":0}`), 400, "no size")
	j := decodeInto[struct {
		ID     string
		Upload struct{ URL, Method string }
	}](t, e.must(e.do(m, "POST", "/api/v1/imports", `{"size":1000}`), 202, "start"))
	if j.Upload.Method != "PUT" || !strings.Contains(j.Upload.URL, "exports/imports/"+j.ID+"/archive.zip") {
		t.Fatalf("upload %+v", j.Upload)
	}
	e.must(e.do(m, "POST", "/api/v1/imports/"+j.ID+"/begin", ""), 409, "begin before the upload")
}
