package cores_test

import (
	"context"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/export"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/testcloud"
)

// TestGroupExportWithSubgroups: asked with its subgroups, a group's export
// nests each subgroup its admin may export under subgroups/<id>/ (its own
// group.jsonl, CSV and offline page, linked from the group's page); a
// subgroup the admin does not administer is left out, and without the
// option there are no subgroups at all. The contents of files attached in
// threads are in files/, linked from index.html.
func TestGroupExportWithSubgroups(t *testing.T) {
	d := newDeployment(t)
	ada, _ := d.person("ada")
	ben, benID := d.person("ben")
	g, err := d.c.Groups.Create(ada, group.CreateInput{Name: "Federation " + d.env.Prefix, Privacy: "closed"})
	d.must(err, "group")
	link, err := d.c.Groups.JoinLink(ada, g.ID)
	d.must(err, "join link")
	_, err = d.c.Groups.JoinViaLink(ben, link[strings.LastIndex(link, "/join/")+len("/join/"):])
	d.must(err, "join")
	_, err = d.c.Groups.SetRole(ada, g.ID, benID, authz.RoleAdmin)
	d.must(err, "ben becomes an admin")
	mine, err := d.c.Groups.Create(ada, group.CreateInput{Name: "North branch", Privacy: "closed", ParentID: g.ID})
	d.must(err, "ada's subgroup")
	_, err = d.c.Discussions.StartThread(ada, discussion.StartInput{GroupID: mine.ID, Title: "North branch thread", Description: "x"})
	d.must(err, "thread in the subgroup")
	bens, err := d.c.Groups.Create(ben, group.CreateInput{Name: "South branch", Privacy: "secret", ParentID: g.ID})
	d.must(err, "ben's subgroup")
	pt, err := d.c.Discussions.StartThread(ada, discussion.StartInput{GroupID: g.ID, Title: "Parent thread", Description: "y"})
	d.must(err, "thread in the group")
	// A file attached in the group's thread: its contents go in files/.
	notes := []byte("Minutes of the founding meeting.\n")
	up, err := d.c.Discussions.StartUpload(ada, pt.ID, discussion.UploadInput{Name: "minutes.txt", ContentType: "text/plain", Size: int64(len(notes))})
	d.must(err, "start the upload")
	testcloud.PutPresigned(t, up.Put, notes)
	_, err = d.c.Discussions.ConfirmUpload(ada, pt.ID, up.FileID)
	d.must(err, "confirm the upload")

	e, err := d.c.Exports.RequestGroupWith(ada, g.ID, export.GroupOptions{Subgroups: true})
	d.must(err, "request")
	if e.Subgroups != 1 {
		t.Fatalf("subgroups in the export: %d, want 1 (ada administers one of the two)", e.Subgroups)
	}
	files := unzip(t, d.exportArchive(e.ID))
	sub := "subgroups/" + mine.ID + "/"
	for _, f := range []string{"group.jsonl", "index.html", sub + "group.jsonl", sub + "index.html", sub + "csv/threads.csv"} {
		if _, ok := files[f]; !ok {
			t.Errorf("%s missing (has %v)", f, keys(files))
		}
	}
	if !strings.Contains(files[sub+"group.jsonl"], "North branch thread") || strings.Contains(files[sub+"group.jsonl"], "Parent thread") {
		t.Errorf("the subgroup's rows: %s", files[sub+"group.jsonl"])
	}
	if strings.Contains(files["group.jsonl"], "North branch thread") {
		t.Error("the subgroup's thread is in the group's own rows")
	}
	if !strings.Contains(files["index.html"], `href="`+sub+`index.html"`) {
		t.Error("the group's page does not link the subgroup")
	}
	fpath := "files/" + up.FileID + "-minutes.txt"
	if files[fpath] != string(notes) {
		t.Errorf("the file's contents are not in the archive at %s (has %v)", fpath, keys(files))
	}
	if !strings.Contains(files["index.html"], `href="`+fpath+`"`) || !strings.Contains(files["README.txt"], "files/") {
		t.Error("index.html does not link the file, or README.txt does not say where files are")
	}
	for name := range files {
		if strings.Contains(name, bens.ID) {
			t.Errorf("a subgroup ada does not administer is in her export: %s", name)
		}
	}
	// Without the option: no subgroups.
	_ = d.c.Store.Delete(context.Background(), "EXPORTLOCK#GROUP#"+g.ID, "LOCK")
	e, err = d.c.Exports.RequestGroup(ben, g.ID)
	d.must(err, "request without subgroups")
	for name := range unzip(t, d.exportArchive(e.ID)) {
		if strings.HasPrefix(name, "subgroups/") {
			t.Errorf("subgroups without the option: %s", name)
		}
	}
}
