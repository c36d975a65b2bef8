package discussion_test

import (
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/text"
)

// TestTextFieldsAreCleaned: thread titles and file names go through the one
// single-line cleaner, descriptions and comments through the body cleaner
// (internal/text), on creation and on edit; a title of invisible characters
// only is missing.
func TestTextFieldsAreCleaned(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice")
	gid := f.group(alice, authz.Closed)

	const title = "\u202eTrojan\u200b\tthread\u2066 e\u0301 "
	const desc = "First line\r\n\u202esecond \u200fמרחבא\u200e 👨\u200d👩\u200d👧"
	th, err := f.svc.StartThread(alice, discussion.StartInput{GroupID: gid, Title: title, Description: desc})
	f.must(err)
	if th.Title != text.Line(title) || th.Title != "Trojan thread é" {
		t.Fatalf("title %+q", th.Title)
	}
	if th.Description != text.Block(desc) || !strings.Contains(th.Description, "\u200fמרחבא\u200e") || strings.Contains(th.Description, "\u202e") {
		t.Fatalf("description %+q", th.Description)
	}
	for _, bad := range []string{"\u200b", "\u202e\u2066\u200d", " \t\r\n", "\ufeff"} {
		_, err := f.svc.StartThread(alice, discussion.StartInput{GroupID: gid, Title: bad})
		if de, _ := err.(*domain.Error); code(err) != domain.Invalid || de == nil || len(de.Fields) == 0 || de.Fields[0].Field != "title" {
			t.Fatalf("title %+q: %v", bad, err)
		}
	}

	edited := "\u2067Edited\u2069\x00 title"
	th, err = f.svc.UpdateThread(alice, th.ID, discussion.UpdateInput{Title: &edited, Version: th.Version})
	f.must(err)
	if th.Title != "Edited title" {
		t.Fatalf("edited title %+q", th.Title)
	}

	c, err := f.svc.Comment(alice, th.ID, discussion.CommentInput{Body: "\u202eHello\r\nworld\x07 \u200f"})
	f.must(err)
	if c.Body != "Hello\nworld \u200f" {
		t.Fatalf("comment %+q", c.Body)
	}

	up, err := f.svc.StartUpload(alice, th.ID, discussion.UploadInput{CommentID: c.ID, Name: "report\u202egnp.exe\u200b", ContentType: "image/png", Size: int64(len(png))})
	f.must(err)
	if got := put(t, up.Put, png); got != 200 {
		t.Fatalf("PUT %d", got)
	}
	ref, err := f.svc.ConfirmUpload(alice, th.ID, up.FileID)
	f.must(err)
	if ref.Name != "reportgnp.exe" {
		t.Fatalf("file name %+q", ref.Name)
	}
	if _, err := f.svc.StartUpload(alice, th.ID, discussion.UploadInput{CommentID: c.ID, Name: "\u200b\u202e", ContentType: "image/png", Size: 10}); code(err) != domain.Invalid {
		t.Fatalf("invisible file name: %v", err)
	}
}
