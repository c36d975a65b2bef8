package server_test

import (
	"strings"
	"testing"
)

// TestThreadOffersPollTemplates: "Start a poll in this thread" opens the
// kind chooser with the group's poll templates, each carrying the thread,
// and the form started from one belongs to the thread.
func TestThreadOffersPollTemplates(t *testing.T) {
	e, _, m, _ := newPollEnv(t)
	r := e.must(e.do(m, "POST", "/api/v1/groups/"+e.gid+"/threads", map[string]any{"title": "Garden plans", "description": "Spring."}), 201, "thread")
	tid := decodeInto[struct{ ID string }](t, r).ID
	page := e.must(e.do(m, "GET", "/threads/"+tid, nil), 200, "thread page")
	start := "/groups/" + e.gid + "/polls/new?thread=" + tid
	if !strings.Contains(page.body, `href="`+start+`"`) {
		t.Fatalf("no start link on the thread page")
	}
	chooser := e.must(e.do(m, "GET", start, nil), 200, "chooser")
	want := `href="/groups/` + e.gid + `/polls/new?template=consent&amp;thread=` + tid + `"`
	if !strings.Contains(chooser.body, want) {
		t.Fatalf("the chooser offers no consent template for the thread (%s): %.4000s", want, chooser.body)
	}
	form := e.must(e.do(m, "GET", "/groups/"+e.gid+"/polls/new?template=consent&thread="+tid, nil), 200, "form from template")
	for _, w := range []string{`name="thread_id" value="` + tid + `"`, `name="template" value="consent"`} {
		if !strings.Contains(form.body, w) {
			t.Errorf("the form lacks %q", w)
		}
	}
}
