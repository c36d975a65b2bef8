package export

import (
	"encoding/json"
	"strings"
	"testing"
)

// The CSV of an entity: the union of the rows' fields, "id" first; strings
// as they are (formulas neutralised), other values as JSON; missing and
// null fields empty.
func TestCSVOfRows(t *testing.T) {
	rows := []json.RawMessage{
		json.RawMessage(`{"name":"=HYPERLINK(\"x\")","id":"b","n":3,"tags":["a"]}`),
		json.RawMessage(`{"id":"a","name":"plain, with \"quotes\"","extra":null}`),
	}
	got, err := toCSV(rows)
	if err != nil {
		t.Fatal(err)
	}
	want := "id,extra,n,name,tags\n" +
		`b,,3,"'=HYPERLINK(""x"")","[""a""]"` + "\n" +
		`a,,,"plain, with ""quotes""",` + "\n"
	if string(got) != want {
		t.Fatalf("csv:\n%s\nwant:\n%s", got, want)
	}
}

// The offline page escapes what people wrote and places comments and
// polls under their threads.
func TestGroupPageEscapesAndNests(t *testing.T) {
	lines := []line{
		{Entity: "group", Data: json.RawMessage(`{"name":"G <i>","description":"d"}`)},
		{Entity: "tags", Data: json.RawMessage(`{"id":"g1","name":"<b>bold</b>","colour":"red"}`)},
		{Entity: "threads", Data: json.RawMessage(`{"id":"t1","title":"T <script>alert(1)</script>","author_name":"A","tags":[{"id":"g1","name":"<b>bold</b>","colour":"red"}]}`)},
		{Entity: "timeline", Data: json.RawMessage(`{"thread_id":"t1","id":"c1","kind":"comment","actor_name":"B","body":"<img src=x onerror=y>"}`)},
		{Entity: "polls", Data: json.RawMessage(`{"id":"p1","thread_id":"t1","definition":{"title":"P"},"status":"open"}`)},
		{Entity: "results", Data: json.RawMessage(`{"poll_id":"p1","hidden_until":"close"}`)},
	}
	files, err := groupFiles(lines, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	page := string(files["index.html"])
	for _, bad := range []string{"<script>alert", "<img src=x", "<i>", "<b>bold"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q unescaped", bad)
		}
	}
	for _, want := range []string{"&lt;img src=x onerror=y&gt;", "Results are hidden until the poll closes", `id="p-p1"`,
		"Tags: &lt;b&gt;bold&lt;/b&gt; (red)"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if n := strings.Count(string(files["group.jsonl"]), "\n"); n != len(lines) {
		t.Errorf("group.jsonl has %d lines, want %d", n, len(lines))
	}
	if _, ok := files["csv/timeline.csv"]; !ok {
		t.Error("no csv/timeline.csv")
	}
}
