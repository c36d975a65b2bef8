package export

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/quorum-app/quorum/internal/domain"
)

// Files in a group archive (#16): the contents of the files attached in
// its threads, under files/<file id>-<name> (in a subgroup's folder for a
// subgroup's), linked from index.html, while their total stays within
// Config.MaxFileBytes. A personal archive holds the files the person
// uploaded the same way (Config.OwnFiles), listed in files.jsonl. Past the limit a file is listed
// without its contents, and README.txt and index.html say so and why.

// fileSet are the contents fetched for one archive.
type fileSet struct {
	// paths: subject index → thread id + "/" + file id → path in its folder.
	paths   []map[string]string
	data    []map[string][]byte
	skipped int
	limit   int64
}

// fileRow is a "files" row of a group export.
type fileRow struct {
	ThreadID string `json:"thread_id"`
	ID       string `json:"id"`
	Name     string `json:"name"`
	Size     int64  `json:"size"`
}

// fileName keeps a file's name safe as a path in the archive.
func fileName(id, name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == '/' || r == '\\' || r == ':' || r == 0x7f {
			return '_'
		}
		return r
	}, path.Base("/"+name))
	if name == "" || name == "." || name == ".." {
		name = "file"
	}
	return "files/" + id + "-" + name
}

// fetchFiles reads the contents of the files each subject's rows list,
// within the limit, as the export's owner (ctx's actor).
func (s *Service) fetchFiles(ctx context.Context, src FileSource, subjects [][]line) (*fileSet, error) {
	fs := &fileSet{limit: s.c.MaxFileBytes}
	if fs.limit <= 0 {
		fs.limit = DefaultMaxFileBytes
	}
	var total int64
	for _, lines := range subjects {
		paths, data := map[string]string{}, map[string][]byte{}
		fs.paths, fs.data = append(fs.paths, paths), append(fs.data, data)
		for _, l := range lines {
			if l.Entity != "files" {
				continue
			}
			var f fileRow
			if err := json.Unmarshal(l.Data, &f); err != nil {
				return nil, domain.Wrap(domain.Internal, err, "export: a file row is malformed")
			}
			k := f.ThreadID + "/" + f.ID
			if _, ok := paths[k]; ok {
				continue
			}
			if src == nil || total+f.Size > fs.limit {
				fs.skipped++
				continue
			}
			b, err := src.ExportFile(ctx, f.ThreadID, f.ID)
			switch {
			case domain.ErrorCode(err) == domain.NotFound:
				continue // deleted meanwhile
			case err != nil:
				return nil, err
			}
			total += int64(len(b))
			p := fileName(f.ID, f.Name)
			paths[k], data[p] = p, b
		}
	}
	return fs, nil
}

// note is what README.txt says of the files.
func (fs *fileSet) note() string {
	if fs == nil {
		return ""
	}
	if fs.skipped == 0 {
		return "Files attached in threads are in files/ (linked from index.html).\n"
	}
	return fmt.Sprintf("Files attached in threads are in files/ (linked from index.html), up to %d MB in all: %d more "+
		"did not fit and are listed by name and size only. Download them from Quorum.\n", fs.limit>>20, fs.skipped)
}

// subjectFiles are one subject's files: paths by thread and file id, and
// their contents by path.
type subjectFiles struct {
	paths map[string]string
	data  map[string][]byte
	note  string
}

// of returns subject k's files (nil without contents).
func (fs *fileSet) of(k int) *subjectFiles {
	if fs == nil || k >= len(fs.paths) {
		return nil
	}
	return &subjectFiles{paths: fs.paths[k], data: fs.data[k], note: fs.note()}
}

// personalNote is what a personal archive's README says of its files.
func (fs *fileSet) personalNote() string {
	if fs == nil || (len(fs.data) == 0 || len(fs.data[0]) == 0) && fs.skipped == 0 {
		return ""
	}
	note := "\nThe files you uploaded are in files/, named <file id>-<name> (files.jsonl lists them with their threads)."
	if fs.skipped > 0 {
		note += fmt.Sprintf(" Up to %d MB in all: %d more did not fit and are listed by name and size only; "+
			"download them from their threads in Quorum.", fs.limit>>20, fs.skipped)
	}
	return note + "\n"
}
