package export

import (
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
	fs, err := s.fetchFiles(context.Background(), s.c.Files, [][]line{lines})
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
	if !strings.Contains(string(files["README.txt"]), "1 more did not fit") {
		t.Errorf("README: %s", files["README.txt"])
	}
	page := string(files["index.html"])
	if !strings.Contains(page, `href="files/a-a.txt"`) || !strings.Contains(page, "b.txt (not in this archive)") {
		t.Errorf("index.html: %s", page)
	}
}
