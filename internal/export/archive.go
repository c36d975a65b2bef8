package export

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"maps"
	"sort"
	"strconv"

	"github.com/quorum-app/quorum/internal/domain"
)

// personalReadme opens every personal archive: what is in it and what is
// not, and why.
const personalReadme = `Your Quorum data export

This archive holds what Quorum keeps about you, one JSON object per line
(JSON Lines, UTF-8) in one file per kind of thing:

  profile.jsonl                 your account: name, address, language, time zone, terms accepted
  memberships.jsonl             the groups you belong to, your role, how and when you joined
  threads.jsonl                 the threads you started
  comments.jsonl                the comments you wrote (deleted ones say so, without their text)
  reactions.jsonl               the reactions you left on comments
  polls_created.jsonl           the polls you created, with their definitions
  ballots.jsonl                 your ballots, with your reasons, in polls that are not anonymous
  poll_reactions.jsonl          the reactions you left on polls, outcomes and ballots
  anonymous_participation.jsonl the anonymous polls you voted in
  notifications.jsonl           your notifications
  notification_levels.jsonl     how much you hear from groups and threads
  sessions.jsonl                your browser sessions (device, times; never their secrets)
  api_tokens.jsonl              your API tokens' names and dates (never the tokens)
  email_preferences.jsonl       your email settings, opt-outs and whether your address is suppressed
  held_mail.jsonl               mail you sent that Quorum holds for a decision (kept 14 days)
  files.jsonl                   the files you uploaded to threads and comments (their contents are in files/)

A file is missing when there is nothing of that kind.

Ballots in anonymous polls: Quorum stores an anonymous ballot apart from who
cast it, with nothing that links the two, so nobody, including Quorum, can
tell which ballot is yours. The export can only list that you took part.

Other people's data is not in this archive: threads and comments by others,
their names and their ballots stay in the groups.

This archive is deleted from Quorum 7 days after you asked for it.
`

// archive builds the zip of an export from its rows, in part order: the
// subject's (subjects[0]) and, for a group export with subgroups, each
// subgroup's, nested under subgroups/<id>/.
func (s *Service) archive(_ context.Context, j *jobItem, subjects [][]line, fs *fileSet) ([]byte, error) {
	lines := subjects[0]
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	stamp := j.CreatedAt
	add := func(name string, data []byte) error {
		w, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: stamp})
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	if j.Kind == Group {
		var subs []subgroupLink
		files := map[string][]byte{}
		for k, sl := range subjects[1:] {
			id := j.Subgroups[k]
			sf, err := groupFiles(sl, nil, fs.of(k+1))
			if err != nil {
				return nil, domain.Wrap(domain.Internal, err, "export: writing the archive")
			}
			for n, b := range sf {
				files["subgroups/"+id+"/"+n] = b
			}
			subs = append(subs, subgroupLink{Name: groupName(sl), Path: "subgroups/" + id + "/index.html"})
		}
		top, err := groupFiles(lines, subs, fs.of(0))
		if err != nil {
			return nil, domain.Wrap(domain.Internal, err, "export: writing the archive")
		}
		maps.Copy(files, top)
		names := make([]string, 0, len(files))
		for n := range files {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if err := add(n, files[n]); err != nil {
				return nil, domain.Wrap(domain.Internal, err, "export: writing the archive")
			}
		}
		if err := z.Close(); err != nil {
			return nil, domain.Wrap(domain.Internal, err, "export: writing the archive")
		}
		return b.Bytes(), nil
	}
	files := map[string]*bytes.Buffer{}
	for _, l := range lines {
		f := files[l.Entity]
		if f == nil {
			f = &bytes.Buffer{}
			files[l.Entity] = f
		}
		f.Write(l.Data)
		f.WriteByte('\n')
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	if err := add("README.txt", []byte(personalReadme+fs.personalNote())); err != nil {
		return nil, domain.Wrap(domain.Internal, err, "export: writing the archive")
	}
	for _, n := range names {
		if err := add(n+".jsonl", files[n].Bytes()); err != nil {
			return nil, domain.Wrap(domain.Internal, err, "export: writing the archive")
		}
	}
	// The contents of the person's uploads, in name order.
	if own := fs.of(0); own != nil {
		paths := make([]string, 0, len(own.data))
		for p := range own.data {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			if err := add(p, own.data[p]); err != nil {
				return nil, domain.Wrap(domain.Internal, err, "export: writing the archive")
			}
		}
	}
	if err := z.Close(); err != nil {
		return nil, domain.Wrap(domain.Internal, err, "export: writing the archive")
	}
	return b.Bytes(), nil
}

// filesArchive builds further archive n of an export's files: its files
// in the folders they have in the archive (a subgroup's under
// subgroups/<id>/), and a README.txt saying what it is.
func filesArchive(j *jobItem, fs *fileSet, n int) ([]byte, error) {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	add := func(name string, data []byte) error {
		w, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: j.CreatedAt})
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	readme := fmt.Sprintf("Files of a Quorum export, part %d of %d\n\nThese are files of the export %s that did not fit in "+
		"its first archive (%s). Unzip every part into the same folder as the first archive: the links of its "+
		"index.html then find each file.\n\nThis archive is deleted from Quorum 7 days after the export was asked for.\n",
		n, j.FileParts, archiveName(j), archiveName(j))
	if err := add("README-files-"+strconv.Itoa(n)+".txt", []byte(readme)); err != nil {
		return nil, domain.Wrap(domain.Internal, err, "export: writing the archive")
	}
	for k := range fs.data {
		prefix := ""
		if k > 0 && k <= len(j.Subgroups) {
			prefix = "subgroups/" + j.Subgroups[k-1] + "/"
		}
		names := make([]string, 0, len(fs.data[k]))
		for p := range fs.data[k] {
			names = append(names, p)
		}
		sort.Strings(names)
		for _, p := range names {
			if err := add(prefix+p, fs.data[k][p]); err != nil {
				return nil, domain.Wrap(domain.Internal, err, "export: writing the archive")
			}
		}
	}
	if err := z.Close(); err != nil {
		return nil, domain.Wrap(domain.Internal, err, "export: writing the archive")
	}
	return b.Bytes(), nil
}
