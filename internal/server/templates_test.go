package server

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/process"
)

// newTemplateHarness serves the group, discussion and template routes with
// the actor named by X-Test-User (no poll core: thread templates and the
// built-in ones are enough here; polls are the e2e test's).
func newTemplateHarness(t *testing.T) *groupHarness {
	t.Helper()
	return newHarness(t, harness{routes: func(s *Server) []Route {
		return append(append(s.groupRoutes(), s.discussionRoutes()...), s.templateRoutes()...)
	}})
}

func problemOf(t *testing.T, rec *httptest.ResponseRecorder, status int) string {
	t.Helper()
	if rec.Code != status || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") {
		t.Fatalf("status %d (%s), want %d problem+json: %s", rec.Code, rec.Header().Get("Content-Type"), status, rec.Body)
	}
	return rec.Body.String()
}

func TestTemplatesAPI(t *testing.T) {
	g := newTemplateHarness(t)
	ada, ben := g.user("Ada"), g.user("Ben")
	grp := g.createGroup(ada, "Orchard "+g.tag, "open")
	g.join(ben, grp.ID)
	base := "/api/v1/groups/" + grp.ID + "/templates"

	var list process.List
	g.json(g.do(ben, "GET", base, "", "Accept-Language", "fr-CH"), 200, &list)
	if len(list.Templates) != len(process.BuiltinKeys()) || list.CanManage || list.Templates[1].Name != "Décision par consentement" {
		t.Fatalf("a member's list in French: %+v", list)
	}

	th := g.startThread(ada, grp.ID, "Monthly harvest report", "What we picked, what we gave away.")
	body := `{"from":"thread:` + th.ID + `","name":"Harvest report","guide":"Post it on the first of the month."}`
	problemOf(t, g.do(ben, "POST", base, body), 403)
	problemOf(t, g.do(ada, "POST", base, `{"name":"x","kind":"thread","colour":"red"}`), 400)
	if p := problemOf(t, g.do(ada, "POST", base, `{"name":"x","kind":"poll"}`), 400); !strings.Contains(p, "poll") {
		t.Errorf("a poll template without its poll: %s", p)
	}
	rec := g.do(ada, "POST", base, body)
	var tp process.Template
	g.json(rec, 201, &tp)
	if rec.Header().Get("Location") != base+"/"+tp.ID || tp.Title != "Monthly harvest report" || tp.Kind != process.KindThread {
		t.Fatalf("saved %+v at %s", tp, rec.Header().Get("Location"))
	}

	var st process.Start
	g.json(g.do(ben, "GET", base+"/"+tp.ID+"/start", ""), 200, &st)
	if st.Thread == nil || st.Thread.Title != "Monthly harvest report" || st.Guide != "Post it on the first of the month." || st.Poll != nil {
		t.Fatalf("start: %+v", st)
	}
	var cs process.Start
	g.json(g.do(ben, "GET", base+"/consent/start", ""), 200, &cs)
	if cs.Poll == nil || cs.Poll.Settings.ClosingAt == nil || len(cs.Poll.Options) != 2 {
		t.Fatalf("start consent: %+v", cs)
	}
	problemOf(t, g.do(ben, "GET", base+"/nonesuch/start", ""), 404)

	// Order and hidden ones: a list over its bound is refused before the core.
	problemOf(t, g.do(ada, "PUT", base+"/order", `{"order":["`+strings.Repeat(`x","`, process.MaxTemplates)+`x"]}`), 400)
	problemOf(t, g.do(ada, "PUT", base+"/order", `{"order":["zzzzzzzzzzzzzzzz"]}`), 400)
	problemOf(t, g.do(ben, "PUT", base+"/order", `{"hidden":["election"]}`), 403)
	g.json(g.do(ada, "PUT", base+"/order", `{"hidden":["election","dot_vote"]}`), 200, &list)
	g.json(g.do(ben, "GET", base, ""), 200, &list)
	if len(list.Templates) != 1+len(process.BuiltinKeys())-2 || list.Templates[0].ID != tp.ID {
		t.Errorf("after hiding two: %+v", list.Templates)
	}
	problemOf(t, g.do(ben, "GET", base+"/election", ""), 404)

	// Edit, then delete.
	var up process.Template
	g.json(g.do(ada, "PUT", base+"/"+tp.ID, `{"kind":"thread","name":"Harvest","title":"Harvest report","version":`+jsonInt(tp.Version)+`}`), 200, &up)
	if up.Name != "Harvest" || up.Title != "Harvest report" {
		t.Errorf("edited: %+v", up)
	}
	problemOf(t, g.do(ada, "PUT", base+"/"+tp.ID, `{"kind":"thread","name":"Stale","version":`+jsonInt(tp.Version)+`}`), 409)
	problemOf(t, g.do(ada, "DELETE", base+"/consent", ""), 409)
	if rec := g.do(ada, "DELETE", base+"/"+tp.ID, ""); rec.Code != 204 {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	problemOf(t, g.do(ben, "GET", base+"/"+tp.ID, ""), 404)
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestTemplatesPages(t *testing.T) {
	g := newTemplateHarness(t)
	ada, ben := g.user("Ada"), g.user("Ben")
	grp := g.createGroup(ada, "Orchard "+g.tag, "open")
	g.join(ben, grp.ID)
	th := g.startThread(ada, grp.ID, "Monthly harvest report", "What we picked.")

	// The hub offers templates; the admin saves a thread as one from its page.
	if body := g.do(ben, "GET", "/groups/"+grp.ID, "").Body.String(); !strings.Contains(body, `href="/groups/`+grp.ID+`/templates"`) {
		t.Errorf("the hub offers no templates:\n%s", body)
	}
	if body := g.do(ada, "GET", "/threads/"+th.ID, "").Body.String(); !strings.Contains(body, "templates?from=thread:"+th.ID) {
		t.Errorf("the thread page offers its admin no \"Save as a template\"")
	}
	if body := g.do(ben, "GET", "/threads/"+th.ID, "").Body.String(); strings.Contains(body, "Save as a template") {
		t.Errorf("the thread page offers a member \"Save as a template\"")
	}
	page := g.do(ada, "GET", "/groups/"+grp.ID+"/templates?from=thread:"+th.ID, "").Body.String()
	if !strings.Contains(page, "Save this thread as a template") || !strings.Contains(page, `value="Monthly harvest report"`) {
		t.Fatalf("the save form:\n%s", page)
	}
	// A name too long: the form again, with the message and what was typed.
	long := strings.Repeat("n", process.MaxNameLength+1)
	rec := g.do(ada, "POST", "/groups/"+grp.ID+"/templates", url.Values{"from": {"thread:" + th.ID}, "name": {long}, "guide": {"Kept"}}.Encode())
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "Kept") || !strings.Contains(rec.Body.String(), "at most") {
		t.Fatalf("too long a name: %d\n%s", rec.Code, rec.Body)
	}
	rec = g.do(ada, "POST", "/groups/"+grp.ID+"/templates", url.Values{"from": {"thread:" + th.ID}, "name": {"Harvest report"}, "guide": {"First of the month."}}.Encode())
	if rec.Code != 303 || rec.Header().Get("Location") != "/groups/"+grp.ID+"/templates?done=saved" {
		t.Fatalf("save: %d %s", rec.Code, rec.Body)
	}
	if rec := g.do(ben, "POST", "/groups/"+grp.ID+"/templates", url.Values{"from": {"thread:" + th.ID}, "name": {"Mine"}}.Encode()); rec.Code != 403 {
		t.Errorf("a member saves a template: %d", rec.Code)
	}

	// Ben starts from it: the thread form, prefilled, with the guide and
	// the template carried through the form.
	var list process.List
	g.json(g.do(ben, "GET", "/api/v1/groups/"+grp.ID+"/templates", ""), 200, &list)
	tid := list.Templates[0].ID
	page = g.do(ben, "GET", "/groups/"+grp.ID+"/templates", "").Body.String()
	if !strings.Contains(page, "/threads/new?template="+tid) || strings.Contains(page, "/arrange") {
		t.Errorf("a member's templates page:\n%s", page)
	}
	form := g.do(ben, "GET", "/groups/"+grp.ID+"/threads/new?template="+tid, "").Body.String()
	for _, want := range []string{`value="Monthly harvest report"`, "What we picked.", "First of the month.", `name="template" value="` + tid + `"`} {
		if !strings.Contains(form, want) {
			t.Errorf("the prefilled thread form lacks %q", want)
		}
	}
	if rec := g.do(ben, "GET", "/groups/"+grp.ID+"/threads/new?template=dot_vote", ""); rec.Code != 400 {
		t.Errorf("a poll template on the thread form: %d", rec.Code)
	}
	if rec := g.do(ben, "GET", "/groups/"+grp.ID+"/threads/new?template=nonesuch", ""); rec.Code != 404 {
		t.Errorf("an unknown template: %d", rec.Code)
	}
	// A failed submit keeps the guide.
	rec = g.do(ben, "POST", "/groups/"+grp.ID+"/threads", url.Values{"title": {""}, "description": {"x"}, "template": {tid}}.Encode())
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "First of the month.") {
		t.Errorf("a refused thread from a template: %d", rec.Code)
	}

	// Arranging and deleting (admins).
	if rec := g.do(ada, "POST", "/groups/"+grp.ID+"/templates/election/arrange", "do=sideways"); rec.Code != 400 {
		t.Errorf("an unknown arrangement: %d", rec.Code)
	}
	if rec := g.do(ada, "POST", "/groups/"+grp.ID+"/templates/election/arrange", "do=hide"); rec.Code != 303 {
		t.Errorf("hide: %d %s", rec.Code, rec.Body)
	}
	if page := g.do(ada, "GET", "/groups/"+grp.ID+"/templates", "").Body.String(); !strings.Contains(page, "hidden from members") {
		t.Errorf("the admin's page does not mark the hidden template")
	}
	if rec := g.do(ben, "POST", "/groups/"+grp.ID+"/templates/"+tid+"/delete", "sure=1"); rec.Code != 403 {
		t.Errorf("a member deletes a template: %d", rec.Code)
	}
	if rec := g.do(ada, "POST", "/groups/"+grp.ID+"/templates/"+tid+"/delete", "sure=1"); rec.Code != 303 {
		t.Errorf("delete: %d", rec.Code)
	}
}
