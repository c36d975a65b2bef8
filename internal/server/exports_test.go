package server_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The personal export through the pages and the API: settings link to it;
// asking twice while one is prepared is refused; the page shows progress,
// then a Download button once the scheduler made it; the download is a
// 303 to a link that serves the zip, for its owner only.
func TestPersonalExportPagesAndAPI(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	if r := e.must(e.do(m, "GET", "/settings", nil), 200, "settings"); !strings.Contains(r.body, `href="/settings/export"`) {
		t.Fatal("settings do not link to the export page")
	}
	r := e.must(e.do(m, "GET", "/settings/export", nil), 200, "export page")
	if !strings.Contains(r.body, `action="/settings/export"`) || !strings.Contains(r.body, "anonymous") {
		t.Fatalf("export page: %.800s", r.body)
	}
	r = e.must(e.do(m, "POST", "/settings/export", url.Values{}), 303, "ask")
	if r.hdr.Get("Location") != "/settings/export?done=requested" {
		t.Fatalf("redirect to %q", r.hdr.Get("Location"))
	}
	r = e.must(e.do(m, "GET", "/settings/export?done=requested", nil), 200, "progress")
	if !strings.Contains(r.body, "<progress") || strings.Contains(r.body, `action="/settings/export"`) {
		t.Fatalf("the page shows no progress, or offers a second export: %.1500s", r.body)
	}
	// The API agrees, and refuses a second one meanwhile.
	e.must(e.do(m, "POST", "/api/v1/me/exports", ""), 409, "second export")
	list := decodeInto[struct {
		Exports []struct{ ID, State string }
	}](t, e.must(e.do(m, "GET", "/api/v1/me/exports", nil), 200, "list"))
	if len(list.Exports) != 1 || list.Exports[0].State != "queued" {
		t.Fatalf("exports: %+v", list.Exports)
	}
	id := list.Exports[0].ID
	e.must(e.do(m, "POST", "/api/v1/exports/"+id+"/link", ""), 409, "link before ready")

	for i := 0; i < 20; i++ {
		rep, err := e.a.Tick(context.Background(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if rep.Exports.Finished > 0 {
			break
		}
	}
	r = e.must(e.do(m, "GET", "/settings/export", nil), 200, "ready")
	if !strings.Contains(r.body, `action="/exports/`+id+`/download"`) {
		t.Fatalf("no download button: %.1500s", r.body)
	}
	// Someone else: as if it did not exist.
	e.must(e.do(o, "POST", "/exports/"+id+"/download", url.Values{}), 404, "someone else's download")
	e.must(e.do(o, "POST", "/api/v1/exports/"+id+"/link", ""), 404, "someone else's link")
	r = e.must(e.do(m, "POST", "/exports/"+id+"/download", url.Values{}), 303, "download")
	if r.hdr.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", r.hdr.Get("Cache-Control"))
	}
	got, err := http.Get(r.hdr.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	zipped, _ := io.ReadAll(got.Body)
	_ = got.Body.Close()
	if got.StatusCode != 200 || len(zipped) < 4 || string(zipped[:2]) != "PK" {
		t.Fatalf("the link: %d, %d bytes", got.StatusCode, len(zipped))
	}
	if !strings.Contains(got.Header.Get("Content-Disposition"), "quorum-personal-export-") {
		t.Errorf("Content-Disposition %q", got.Header.Get("Content-Disposition"))
	}
	// Further archives of files: this export has none; a part number that
	// is not one is refused.
	e.must(e.do(m, "POST", "/api/v1/exports/"+id+"/link?part=1", ""), 404, "a part the export does not have")
	e.must(e.do(m, "POST", "/api/v1/exports/"+id+"/link?part=x", ""), 400, "a part that is not a number")
	e.must(e.do(m, "POST", "/exports/"+id+"/download", url.Values{"part": {"1"}}), 404, "a further archive the export does not have")
	link := decodeInto[struct{ URL string }](t, e.must(e.do(m, "POST", "/api/v1/exports/"+id+"/link", ""), 200, "API link"))
	if !strings.Contains(link.URL, "X-Amz-Expires=120") {
		t.Errorf("the link is not a two-minute presigned URL: %s", link.URL)
	}
}
