package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"maps"
	"sort"
	"strings"
	"time"
)

// The group archive: the JSON Lines of the whole group (group.jsonl: one
// {"entity", "data"} object per line, in export order, the format a
// re-import reads), one CSV per entity (csv/<entity>.csv: the top-level
// fields as columns, nested values as JSON), and index.html, readable
// offline with no script and nothing fetched: the group, its members, its
// threads with their timelines, and its polls with results and outcomes.

const groupReadme = `Quorum group export

  group.jsonl    everything, one JSON object per line: {"entity": ..., "data": ...}
  csv/*.csv      one table per kind of thing (group, tags, members, threads, timeline, files, polls, results,
                 outcomes, ballots); nested values are JSON
  index.html     the group to read offline in any browser: its tags, threads with their tags and comments,
                 polls with their tags, results and outcomes
  subgroups/     when asked for: each subgroup you may export, in subgroups/<id>/ with the same files

Tags: "tags" lists the group's tags (id, name, colour); each thread and poll carries the tags it has, with
their names and colours, in its "tags" field.

Results of polls that hide them (until the poll closes, or until you vote) are exported only once you could
see them; until then the export says they are hidden, and holds no ballots of that poll. Ballots in anonymous
polls carry no voter: Quorum stores them apart from who cast them, so nothing links them to anyone.
` + filesNotIn + `Members are listed by name and role, without email addresses.

This archive is deleted from Quorum 7 days after it was asked for.
`

// subgroupLink is a subgroup nested in a group archive, for index.html.
type subgroupLink struct{ Name, Path string }

// groupName is the name in a group's rows ("" without a group row).
func groupName(lines []line) string {
	for _, l := range lines {
		if l.Entity == "group" {
			var g htmlGroup
			if json.Unmarshal(l.Data, &g) == nil {
				return g.Name
			}
		}
	}
	return ""
}

// filesNotIn is what README.txt says of files without their contents.
const filesNotIn = "Files attached in threads are listed by name and size; their contents are not in this archive.\n"

// groupFiles returns the files of a group archive (subs: the subgroups
// nested in it, linked from its index.html).
func groupFiles(lines []line, subs []subgroupLink, files *subjectFiles) (map[string][]byte, error) {
	readme := groupReadme
	if files != nil {
		readme = strings.Replace(readme, filesNotIn, files.note, 1)
	}
	out := map[string][]byte{"README.txt": []byte(readme)}
	if files != nil {
		maps.Copy(out, files.data)
	}
	var all bytes.Buffer
	byEntity := map[string][]json.RawMessage{}
	var order []string
	for _, l := range lines {
		b, err := json.Marshal(l)
		if err != nil {
			return nil, err
		}
		all.Write(b)
		all.WriteByte('\n')
		if _, ok := byEntity[l.Entity]; !ok {
			order = append(order, l.Entity)
		}
		byEntity[l.Entity] = append(byEntity[l.Entity], l.Data)
	}
	out["group.jsonl"] = all.Bytes()
	for _, e := range order {
		c, err := toCSV(byEntity[e])
		if err != nil {
			return nil, err
		}
		out["csv/"+e+".csv"] = c
	}
	var paths map[string]string
	if files != nil {
		paths = files.paths
	}
	page, err := groupHTML(byEntity, subs, paths)
	if err != nil {
		return nil, err
	}
	out["index.html"] = page
	return out, nil
}

// toCSV writes rows (JSON objects) as a table: the union of their fields,
// sorted, "id" first; strings as they are, other values as JSON.
func toCSV(rows []json.RawMessage) ([]byte, error) {
	var objs []map[string]json.RawMessage
	cols := map[string]bool{}
	for _, r := range rows {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(r, &m); err != nil {
			return nil, err
		}
		for k := range m {
			cols[k] = true
		}
		objs = append(objs, m)
	}
	names := make([]string, 0, len(cols))
	for k := range cols {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == "id") != (names[j] == "id") {
			return names[i] == "id"
		}
		return names[i] < names[j]
	})
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(names); err != nil {
		return nil, err
	}
	for _, m := range objs {
		rec := make([]string, len(names))
		for i, n := range names {
			v, ok := m[n]
			if !ok || string(v) == "null" {
				continue
			}
			var s string
			if json.Unmarshal(v, &s) == nil {
				rec[i] = csvSafe(s)
			} else {
				rec[i] = string(v)
			}
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// csvSafe keeps a spreadsheet from reading text people wrote as a formula.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}

// The shapes index.html reads (the cores' rows, by their JSON names).
type (
	htmlGroup struct {
		Name, Description string
	}
	htmlMember struct {
		Name, Role string
	}
	htmlTag struct {
		Name, Colour string
	}
	htmlThread struct {
		ID, Title, Description string
		AuthorName             string    `json:"author_name"`
		CreatedAt              time.Time `json:"created_at"`
		Closed                 bool
		Tags                   []htmlTag
		Items                  []htmlItem `json:"-"`
		Files                  []htmlFile `json:"-"`
		Polls                  []*htmlPoll
	}
	htmlItem struct {
		ThreadID  string `json:"thread_id"`
		ID, Kind  string
		ActorName string `json:"actor_name"`
		At        time.Time
		ParentID  string `json:"parent_id"`
		Body      string
		Deleted   bool
	}
	htmlFile struct {
		ThreadID string `json:"thread_id"`
		ID, Name string
		Size     int64
		// Path is the file's contents in the archive ("" when not in it).
		Path string `json:"-"`
	}
	htmlPoll struct {
		ID         string
		ThreadID   string `json:"thread_id"`
		Definition struct {
			Title, Details string
			Type           string
		}
		Status   string
		Tags     []htmlTag
		Hidden   string
		Results  *htmlResults
		Outcome  string
		Ballots  int
		ClosedAt *time.Time `json:"closed_at"`
	}
	htmlResults struct {
		Eligible, Decided int64
		Options           []struct {
			Label         string
			Total, Voters int64
		}
	}
)

func groupHTML(by map[string][]json.RawMessage, subs []subgroupLink, paths map[string]string) ([]byte, error) {
	d, err := groupData(by, subs, paths)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	writeGroupPage(&b, d)
	return b.Bytes(), nil
}

// pageData is what index.html shows.
type pageData struct {
	Subgroups []subgroupLink
	Group     htmlGroup
	Members   []htmlMember
	Tags      []htmlTag
	Threads   []*htmlThread
	Loose     []*htmlPoll
	At        time.Time
}

// groupData gathers the archive's rows into what index.html shows.
func groupData(by map[string][]json.RawMessage, subs []subgroupLink, paths map[string]string) (*pageData, error) {
	d := &pageData{At: time.Now(), Subgroups: subs}
	for _, r := range by["group"] {
		if err := json.Unmarshal(r, &d.Group); err != nil {
			return nil, err
		}
	}
	threads := map[string]*htmlThread{}
	for _, r := range by["tags"] {
		var tg htmlTag
		if err := json.Unmarshal(r, &tg); err != nil {
			return nil, err
		}
		d.Tags = append(d.Tags, tg)
	}
	for _, r := range by["members"] {
		var m htmlMember
		if err := json.Unmarshal(r, &m); err != nil {
			return nil, err
		}
		d.Members = append(d.Members, m)
	}
	for _, r := range by["threads"] {
		t := &htmlThread{}
		if err := json.Unmarshal(r, t); err != nil {
			return nil, err
		}
		threads[t.ID] = t
		d.Threads = append(d.Threads, t)
	}
	for _, r := range by["timeline"] {
		var it htmlItem
		if err := json.Unmarshal(r, &it); err != nil {
			return nil, err
		}
		if t := threads[it.ThreadID]; t != nil {
			t.Items = append(t.Items, it)
		}
	}
	for _, r := range by["files"] {
		var f htmlFile
		if err := json.Unmarshal(r, &f); err != nil {
			return nil, err
		}
		f.Path = paths[f.ThreadID+"/"+f.ID]
		if t := threads[f.ThreadID]; t != nil {
			t.Files = append(t.Files, f)
		}
	}
	polls := map[string]*htmlPoll{}
	for _, r := range by["polls"] {
		p := &htmlPoll{}
		if err := json.Unmarshal(r, p); err != nil {
			return nil, err
		}
		polls[p.ID] = p
		if t := threads[p.ThreadID]; t != nil {
			t.Polls = append(t.Polls, p)
		} else {
			d.Loose = append(d.Loose, p)
		}
	}
	for _, r := range by["results"] {
		var res struct {
			PollID  string `json:"poll_id"`
			Hidden  string `json:"hidden_until"`
			Results *htmlResults
		}
		if err := json.Unmarshal(r, &res); err != nil {
			return nil, err
		}
		if p := polls[res.PollID]; p != nil {
			p.Hidden, p.Results = res.Hidden, res.Results
		}
	}
	for _, r := range by["outcomes"] {
		var o struct {
			PollID    string `json:"poll_id"`
			Statement string
		}
		if err := json.Unmarshal(r, &o); err != nil {
			return nil, err
		}
		if p := polls[o.PollID]; p != nil {
			p.Outcome = o.Statement
		}
	}
	for _, r := range by["ballots"] {
		var b struct {
			PollID string `json:"poll_id"`
		}
		if err := json.Unmarshal(r, &b); err != nil {
			return nil, err
		}
		if p := polls[b.PollID]; p != nil {
			p.Ballots++
		}
	}
	return d, nil
}
