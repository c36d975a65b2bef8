package export

import (
	"bytes"
	"encoding/json"
	"html/template"
	"strconv"
	"testing"
	"time"
)

// The page as it was written with html/template before writeGroupPage
// (kept here, in a test, so the functions do not link template execution).
var oldGroupPage = template.Must(template.New("group").Funcs(template.FuncMap{
	"date": func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") },
	"itoa": strconv.Itoa,
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Group.Name}}: Quorum export</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:50rem;margin:0 auto;padding:1rem;color:#1b1f24}
article{border-top:1px solid #ccc;margin-top:1.5rem}.item{margin:.75rem 0;padding-left:.75rem;border-left:3px solid #ddd}
.body{white-space:pre-wrap;overflow-wrap:anywhere}.meta{color:#555;font-size:.9em}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
</style></head><body>
<h1>{{.Group.Name}}</h1>
<p class="body">{{.Group.Description}}</p>
<p class="meta">Exported from Quorum on {{date .At}}.</p>
<nav><h2>Threads</h2><ul>{{range .Threads}}<li><a href="#t-{{.ID}}">{{.Title}}</a></li>{{end}}</ul>
{{with .Loose}}<h2>Polls outside threads</h2><ul>{{range .}}<li><a href="#p-{{.ID}}">{{.Definition.Title}}</a></li>{{end}}</ul>{{end}}</nav>
{{with .Subgroups}}<h2>Subgroups</h2><ul>{{range .}}<li><a href="{{.Path}}">{{.Name}}</a></li>{{end}}</ul>{{end}}
<h2>Members</h2><ul>{{range .Members}}<li>{{.Name}} ({{.Role}})</li>{{end}}</ul>
{{with .Tags}}<h2>Tags</h2><ul>{{range .}}<li>{{.Name}} <span class="meta">({{.Colour}})</span></li>{{end}}</ul>{{end}}
{{range .Threads}}<article id="t-{{.ID}}"><h2>{{.Title}}</h2>
<p class="meta">Started by {{.AuthorName}} on {{date .CreatedAt}}{{if .Closed}} · closed{{end}}</p>
{{template "tags" .Tags}}
<div class="body">{{.Description}}</div>
{{with .Files}}<h3>Files</h3><ul>{{range .}}<li>{{if .Path}}<a href="{{.Path}}">{{.Name}}</a>{{else}}{{.Name}} (not in this archive){{end}} ({{.Size}} bytes)</li>{{end}}</ul>{{end}}
{{range .Items}}{{if eq .Kind "comment"}}<div class="item" id="c-{{.ID}}"><p class="meta">{{.ActorName}}, {{date .At}}{{if .ParentID}} · <a href="#c-{{.ParentID}}">in reply</a>{{end}}</p>
{{if .Deleted}}<p class="meta">Comment deleted.</p>{{else}}<div class="body">{{.Body}}</div>{{end}}</div>{{end}}{{end}}
{{range .Polls}}{{template "poll" .}}{{end}}
</article>{{end}}
{{range .Loose}}<article>{{template "poll" .}}</article>{{end}}
</body></html>
{{define "poll"}}<section id="p-{{.ID}}"><h3>Poll: {{.Definition.Title}}</h3>
<p class="meta">{{.Definition.Type}} · {{.Status}}{{with .ClosedAt}} · closed {{date .}}{{end}}</p>
{{template "tags" .Tags}}<div class="body">{{.Definition.Details}}</div>
{{if .Hidden}}<p>Results are hidden until {{if eq .Hidden "vote"}}you vote{{else}}the poll closes{{end}}; they and the ballots are not in this export.</p>
{{else}}{{with .Results}}<table><caption>Results: {{.Decided}} of {{.Eligible}} voted</caption>
<tr><th scope="col">Option</th><th scope="col">Total</th><th scope="col">Voters</th></tr>
{{range .Options}}<tr><td>{{.Label}}</td><td>{{.Total}}</td><td>{{.Voters}}</td></tr>{{end}}</table>{{end}}
<p class="meta">{{itoa .Ballots}} ballots in group.jsonl.</p>{{end}}
{{with .Outcome}}<p><strong>Outcome:</strong> <span class="body">{{.}}</span></p>{{end}}
</section>{{end}}
{{define "tags"}}{{if .}}<p class="meta">Tags: {{range $i, $t := .}}{{if $i}}, {{end}}{{$t.Name}} ({{$t.Colour}}){{end}}</p>{{end}}{{end}}`))

// writeGroupPage writes byte for byte what the template wrote, escaping
// of text, attributes and links included, for a group that uses every part
// of the page.
func TestGroupPageMatchesTheTemplate(t *testing.T) {
	at := time.Date(2026, 12, 6, 3, 4, 5, 0, time.UTC)
	nasty := "<b>\"Tom\" & 'Jerry'</b> + \x00 <script>alert(1)</script> «ünï» عربي"
	rows := func(entity string, objs ...map[string]any) []json.RawMessage {
		var out []json.RawMessage
		for _, o := range objs {
			b, err := json.Marshal(o)
			if err != nil {
				t.Fatal(entity, err)
			}
			out = append(out, b)
		}
		return out
	}
	tags := []map[string]any{{"name": nasty, "colour": "red"}, {"name": "b", "colour": "#00f"}}
	by := map[string][]json.RawMessage{
		"group":   rows("group", map[string]any{"name": nasty, "description": "line 1\nline 2 " + nasty}),
		"tags":    rows("tags", tags...),
		"members": rows("members", map[string]any{"name": nasty, "role": "admin"}, map[string]any{"name": "B", "role": "member"}),
		"threads": rows("threads",
			map[string]any{"id": "T1", "title": nasty, "description": nasty, "author_name": nasty, "created_at": at,
				"closed": true, "tags": tags},
			map[string]any{"id": "t 2/\"x\"", "title": "second", "author_name": "A", "created_at": at}),
		"timeline": rows("timeline",
			map[string]any{"thread_id": "T1", "id": "C1", "kind": "comment", "actor_name": nasty, "at": at, "body": nasty},
			map[string]any{"thread_id": "T1", "id": "C2", "kind": "comment", "actor_name": "B", "at": at, "parent_id": "C1 #?&", "deleted": true},
			map[string]any{"thread_id": "T1", "id": "E1", "kind": "poll_created", "actor_name": "B", "at": at},
			map[string]any{"thread_id": "nope", "id": "C3", "kind": "comment"}),
		"files": rows("files",
			map[string]any{"thread_id": "T1", "id": "F1", "name": nasty, "size": 1234},
			map[string]any{"thread_id": "T1", "id": "F2", "name": "kept.pdf", "size": 5},
			map[string]any{"thread_id": "T1", "id": "F3", "name": "odd", "size": 7},
			map[string]any{"thread_id": "T1", "id": "F4", "name": "scheme", "size": 8}),
		"polls": rows("polls",
			map[string]any{"id": "P1", "thread_id": "T1", "definition": map[string]any{"title": nasty, "details": nasty, "type": "proposal"},
				"status": "closed", "tags": tags, "closed_at": at},
			map[string]any{"id": "P2", "thread_id": "T1", "definition": map[string]any{"title": "hidden"}, "status": "open"},
			map[string]any{"id": "P3", "definition": map[string]any{"title": "loose"}, "status": "open"},
			map[string]any{"id": "P4", "definition": map[string]any{"title": "loose 2"}, "status": "open"}),
		"results": rows("results",
			map[string]any{"poll_id": "P1", "results": map[string]any{"eligible": 10, "decided": 3,
				"options": []map[string]any{{"label": nasty, "total": 2, "voters": 2}, {"label": "no", "total": 1, "voters": 1}}}},
			map[string]any{"poll_id": "P2", "hidden_until": "vote"},
			map[string]any{"poll_id": "P3", "hidden_until": "close"}),
		"outcomes": rows("outcomes", map[string]any{"poll_id": "P1", "statement": nasty}),
		"ballots":  rows("ballots", map[string]any{"poll_id": "P1"}, map[string]any{"poll_id": "P1"}, map[string]any{"poll_id": "P4"}),
	}
	paths := map[string]string{"T1/F2": "files/T1/F2-kept.pdf", "T1/F3": "files/T1/a b+c%20d'\"<>é.txt",
		"T1/F4": "javascript:alert(1)"}
	subs := []subgroupLink{{Name: nasty, Path: "subgroups/S1/index.html"}, {Name: "x", Path: "subgroups/s 2?a=b&c#d"}}
	d, err := groupData(by, subs, paths)
	if err != nil {
		t.Fatal(err)
	}
	d.At = at
	for _, data := range []*pageData{d, {At: at}} {
		var want, got bytes.Buffer
		if err := oldGroupPage.Execute(&want, data); err != nil {
			t.Fatal(err)
		}
		writeGroupPage(&got, data)
		if got.String() != want.String() {
			t.Errorf("the page differs from the template's at byte %d:\n--- got\n%s\n--- want\n%s", firstDiff(got.String(), want.String()),
				got.String(), want.String())
		}
	}
}

func firstDiff(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
