package cores_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/cores"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/export"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

// TestGroupExportFilesPastTheBudget: files that do not fit in the group
// archive's budget are in further archives of the export, each downloaded
// by its admin through its own link, in the folders index.html links to;
// the admin's account deletion erases them with every version.
func TestGroupExportFilesPastTheBudget(t *testing.T) {
	env := testcloud.Fast(t)
	c, err := cores.NewWith(context.Background(), env.Config, env.Clients, logging.New(io.Discard, "error"))
	if err != nil {
		t.Fatal(err)
	}
	c.Exports.SetFileBudget(20) // bytes: two files of 12 do not fit together
	ctx := context.Background()
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	u := testkit.NewPersonWithEmail(t, c.Accounts, "Ada", env.Prefix+"-ada@example.org")
	ada := u.Ctx
	g, err := c.Groups.Create(ada, group.CreateInput{Name: "Files " + env.Prefix, Privacy: "open"})
	must(err, "group")
	th, err := c.Discussions.StartThread(ada, discussion.StartInput{GroupID: g.ID, Title: "Plans", Description: "See files"})
	must(err, "thread")
	upload := func(name, body string) string {
		t.Helper()
		up, err := c.Discussions.StartUpload(ada, th.ID, discussion.UploadInput{Name: name, ContentType: "text/plain", Size: int64(len(body))})
		must(err, "start upload")
		r, _ := http.NewRequest(up.Put.Method, up.Put.URL, strings.NewReader(body))
		for k, v := range up.Put.Headers {
			r.Header.Set(k, v)
		}
		r.ContentLength = int64(len(body))
		resp, err := http.DefaultClient.Do(r)
		must(err, "put upload")
		_ = resp.Body.Close()
		_, err = c.Discussions.ConfirmUpload(ada, th.ID, up.FileID)
		must(err, "confirm upload")
		return up.FileID
	}
	first, second := upload("first.txt", "first-file-1"), upload("second.txt", "second-file2")

	e, err := c.Exports.RequestGroup(ada, g.ID)
	must(err, "request")
	for i := 0; ; i++ {
		done, failed, err := c.Exports.Step(ctx, e.ID)
		must(err, "step")
		if failed || i > 50 {
			t.Fatalf("the export failed or never ended (%d steps)", i)
		}
		if done {
			break
		}
	}
	list, err := c.Exports.ListGroup(ada, g.ID)
	must(err, "list")
	if len(list) != 1 || list[0].State != export.Ready || list[0].FileParts != 1 {
		t.Fatalf("exports: %+v", list)
	}
	fetch := func(part int) map[string]string {
		t.Helper()
		url, _, err := c.Exports.DownloadPart(ada, e.ID, part)
		must(err, "link")
		resp, err := http.Get(url)
		must(err, "download")
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		return unzip(t, b)
	}
	main, more := fetch(0), fetch(1)
	inMain, inMore := "", ""
	for _, id := range []string{first, second} {
		for n, body := range main {
			if strings.HasPrefix(n, "files/"+id) {
				inMain += body
			}
		}
		for n, body := range more {
			if strings.HasPrefix(n, "files/"+id) {
				inMore += body
			}
		}
	}
	if inMain != "first-file-1" || inMore != "second-file2" {
		t.Errorf("archive holds %q, the further archive %q (names %v, %v)", inMain, inMore, keys(main), keys(more))
	}
	if !strings.Contains(main["README.txt"], "further archives") || !strings.Contains(main["index.html"], "files/"+second) {
		t.Errorf("README or index.html do not lead to the further archive:\n%s", main["README.txt"])
	}
	if _, _, err := c.Exports.DownloadPart(ada, e.ID, 2); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("a part the export does not have: %v", err)
	}

	// The admin's account deletion erases the further archive too.
	var j struct {
		store.Item
		Key string `dynamo:"Key"`
	}
	must(c.Store.Get(ctx, "EXPORT#"+e.ID, "EXPORT", &j), "the export item")
	for done := false; !done; {
		done, err = c.Exports.EraseUser(ctx, u.ID)
		must(err, "erase")
	}
	if n := exportVersions(t, env, e.ID+"/files-1.zip"); n != 0 {
		t.Errorf("%d versions of the further archive left", n)
	}
}
