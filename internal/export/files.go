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
	paths []map[string]string
	data  []map[string][]byte
	// skipped: files of the export not in this archive; parts: the further
	// archives that hold them (0: they are listed only).
	skipped int
	parts   int
	limit   int64
}

// fileRow is a "files" row of an export.
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

// maxFileParts bounds the further archives of one export (10 GB of files
// at 200 MB each); files past them are listed only.
const maxFileParts = 50

// plannedFile is a file of an export: its subject (0 the group, k the
// k-th subgroup) and its row.
type plannedFile struct {
	subject int
	row     fileRow
}

// planFiles splits the subjects' files into archives by their sizes as
// listed: [0] those of the export's archive, then each further archive's,
// each within limit (a file larger than the limit alone in its own).
// The same rows always give the same plan, so each step of an export
// finds its archive's files again.
func planFiles(subjects [][]line, limit int64) ([][]plannedFile, error) {
	var rest []plannedFile
	for k, lines := range subjects {
		seen := map[string]bool{}
		for _, l := range lines {
			if l.Entity != "files" {
				continue
			}
			var f fileRow
			if err := json.Unmarshal(l.Data, &f); err != nil {
				return nil, domain.Wrap(domain.Internal, err, "export: a file row is malformed")
			}
			if key := f.ThreadID + "/" + f.ID; !seen[key] {
				seen[key] = true
				rest = append(rest, plannedFile{subject: k, row: f})
			}
		}
	}
	plan := [][]plannedFile{nil}
	for i := 0; len(rest) > 0; i++ {
		if i > 0 {
			plan = append(plan, nil)
		}
		var out []plannedFile
		var total int64
		for _, f := range rest {
			if len(plan[i]) == 0 || total+f.row.Size <= limit {
				plan[i] = append(plan[i], f)
				total += f.row.Size
				continue
			}
			out = append(out, f)
		}
		rest = out
	}
	return plan, nil
}

// fetchFiles reads the contents of archive part's files (0: the export's
// archive; see planFiles), as the export's owner (ctx's actor), from src
// (nil: files are listed without contents).
func (s *Service) fetchFiles(ctx context.Context, src FileSource, subjects [][]line, part int) (*fileSet, error) {
	fs := &fileSet{limit: s.c.MaxFileBytes}
	if fs.limit <= 0 {
		fs.limit = DefaultMaxFileBytes
	}
	for range subjects {
		fs.paths, fs.data = append(fs.paths, map[string]string{}), append(fs.data, map[string][]byte{})
	}
	plan, err := planFiles(subjects, fs.limit)
	if err != nil {
		return nil, err
	}
	for i, p := range plan {
		if i != part {
			fs.skipped += len(p)
		}
	}
	if src == nil {
		fs.skipped += len(plan[0])
		return fs, nil
	}
	fs.parts = min(len(plan)-1, maxFileParts)
	if part >= len(plan) {
		return fs, nil
	}
	// Every file of the export's archives has its path (index.html links
	// them: unzipped together, the parts fill the same folders); only
	// this part's are read.
	for i := 0; i <= fs.parts; i++ {
		for _, f := range plan[i] {
			fs.paths[f.subject][f.row.ThreadID+"/"+f.row.ID] = fileName(f.row.ID, f.row.Name)
		}
	}
	for _, f := range plan[part] {
		b, err := src.ExportFile(ctx, f.row.ThreadID, f.row.ID)
		switch {
		case domain.ErrorCode(err) == domain.NotFound:
			delete(fs.paths[f.subject], f.row.ThreadID+"/"+f.row.ID)
			continue // deleted meanwhile
		case err != nil:
			return nil, err
		}
		p := fileName(f.row.ID, f.row.Name)
		fs.paths[f.subject][f.row.ThreadID+"/"+f.row.ID], fs.data[f.subject][p] = p, b
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
	if fs.parts > 0 {
		return fmt.Sprintf("Files attached in threads are in files/ (linked from index.html), up to %d MB in each archive: "+
			"the other %d are in the further archives of this export (files-1 to files-%d). Download each from the "+
			"export's page in Quorum and unzip them into the same folder as this one: the links of index.html then "+
			"find every file.\n", fs.limit>>20, fs.skipped, fs.parts)
	}
	return fmt.Sprintf("Files attached in threads are in files/ (linked from index.html), up to %d MB in all: %d more "+
		"did not fit and are listed by name and size only. Download them from Quorum.\n", fs.limit>>20, fs.skipped)
}

// personalNote is what a personal archive's README says of its files.
func (fs *fileSet) personalNote() string {
	if fs == nil || (len(fs.data) == 0 || len(fs.data[0]) == 0) && fs.skipped == 0 {
		return ""
	}
	note := "\nThe files you uploaded are in files/, named <file id>-<name> (files.jsonl lists them with their threads)."
	switch {
	case fs.parts > 0:
		note += fmt.Sprintf(" Up to %d MB in each archive: the other %d are in the further archives of this export "+
			"(files-1 to files-%d); download each from the export's page in Quorum.", fs.limit>>20, fs.skipped, fs.parts)
	case fs.skipped > 0:
		note += fmt.Sprintf(" Up to %d MB in all: %d more did not fit and are listed by name and size only; "+
			"download them from their threads in Quorum.", fs.limit>>20, fs.skipped)
	}
	return note + "\n"
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
