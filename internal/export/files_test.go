package export

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

type fakeFiles map[string][]byte

func (f fakeFiles) ExportFile(_ context.Context, tid, fid string) ([]byte, error) {
	return f[tid+"/"+fid], nil
}

// Files fit in the archive up to the limit; past it they are listed only,
// README.txt says how many did not fit, and index.html says which.
func TestArchiveFilesWithinTheLimit(t *testing.T) {
	s := New(Config{Files: fakeFiles{"t1/a": []byte("12345678"), "t1/b": []byte("123456789")}, MaxFileBytes: 10})
	row := func(id string, size int) line {
		b, _ := json.Marshal(fileRow{ThreadID: "t1", ID: id, Name: "../" + id + ".txt", Size: int64(size)})
		return line{Entity: "files", Data: b}
	}
	th, _ := json.Marshal(map[string]any{"id": "t1", "title": "T"})
	lines := []line{{Entity: "threads", Data: th}, row("a", 8), row("b", 9)}
	fs, err := s.fetchFiles(context.Background(), s.c.Files, [][]line{lines}, 0)
	if err != nil {
		t.Fatal(err)
	}
	files, err := groupFiles(lines, nil, fs.of(0))
	if err != nil {
		t.Fatal(err)
	}
	if string(files["files/a-a.txt"]) != "12345678" {
		t.Errorf("a is not in the archive: %v", files["files/a-a.txt"])
	}
	if _, ok := files["files/b-b.txt"]; ok {
		t.Error("b is in the archive past the limit")
	}
	if !strings.Contains(string(files["README.txt"]), "the other 1 are in the further archives") {
		t.Errorf("README: %s", files["README.txt"])
	}
	page := string(files["index.html"])
	if !strings.Contains(page, `href="files/a-a.txt"`) || !strings.Contains(page, `href="files/b-b.txt"`) {
		t.Errorf("index.html: %s", page)
	}
}

// The files past the first archive's budget go into further archives, each
// within the budget (a file larger than it alone), in the same folders, the
// same plan at every step; without a source they are listed only.
func TestFilesPastTheBudgetGoIntoFurtherArchives(t *testing.T) {
	src := fakeFiles{"t1/a": []byte("12345678"), "t1/b": []byte("123456789"), "t1/c": []byte("12"), "t2/d": []byte("1234567890123")}
	s := New(Config{Files: src, MaxFileBytes: 10})
	row := func(tid, id string, size int) line {
		b, _ := json.Marshal(fileRow{ThreadID: tid, ID: id, Name: id + ".txt", Size: int64(size)})
		return line{Entity: "files", Data: b}
	}
	group := []line{row("t1", "a", 8), row("t1", "b", 9), row("t1", "c", 2)}
	sub := []line{row("t2", "d", 13)}
	plan, err := planFiles([][]line{group, sub}, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range plan {
		var ids []string
		for _, f := range p {
			ids = append(ids, f.row.ID)
		}
		got = append(got, strings.Join(ids, ","))
	}
	if strings.Join(got, " | ") != "a,c | b | d" {
		t.Fatalf("plan %q, want a,c | b | d", got)
	}
	j := &jobItem{ID: "e1", Kind: Group, GroupID: "g1", Subgroups: []string{"sg"}, FileParts: 2}
	for n, want := range map[int]string{1: "files/b-b.txt", 2: "subgroups/sg/files/d-d.txt"} {
		fs, err := s.fetchFiles(context.Background(), src, [][]line{group, sub}, n)
		if err != nil {
			t.Fatal(err)
		}
		if fs.parts != 2 {
			t.Errorf("parts %d, want 2", fs.parts)
		}
		zb, err := filesArchive(j, fs, n)
		if err != nil {
			t.Fatal(err)
		}
		z, err := zip.NewReader(bytes.NewReader(zb), int64(len(zb)))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range z.File {
			names = append(names, f.Name)
		}
		if len(names) != 2 || names[1] != want {
			t.Errorf("part %d holds %v, want its README and %s", n, names, want)
		}
	}
	if fs, _ := (New(Config{MaxFileBytes: 10})).fetchFiles(context.Background(), nil, [][]line{group, sub}, 0); fs.parts != 0 || fs.skipped != 4 {
		t.Errorf("without a source: %d parts, %d skipped", fs.parts, fs.skipped)
	}
}
