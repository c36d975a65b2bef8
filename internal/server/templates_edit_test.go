package server

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/process"
)

// TestTemplateEditPage: the admin edits a template from the Templates page
// (name, guide, title, details); a member may not; a built-in cannot be
// edited; an edit saved meanwhile by someone else is a form error that
// keeps what was typed and shows the current version, and saving again
// replaces it.
func TestTemplateEditPage(t *testing.T) {
	g := newTemplateHarness(t)
	ada, ben := g.user("Ada"), g.user("Ben")
	grp := g.createGroup(ada, "Orchard "+g.tag, "open")
	g.join(ben, grp.ID)
	base := "/api/v1/groups/" + grp.ID + "/templates"
	var tp process.Template
	g.json(g.do(ada, "POST", base, `{"kind":"thread","name":"Harvest report","title":"Monthly harvest","details":"What we picked."}`), 201, &tp)
	edit := "/groups/" + grp.ID + "/templates/" + tp.ID + "/edit"

	if page := g.do(ada, "GET", "/groups/"+grp.ID+"/templates", "").Body.String(); !strings.Contains(page, `href="`+edit+`"`) {
		t.Fatalf("no edit link on the templates page")
	}
	if page := g.do(ben, "GET", "/groups/"+grp.ID+"/templates", "").Body.String(); strings.Contains(page, edit) {
		t.Errorf("a member is offered the edit link")
	}
	if rec := g.do(ben, "GET", edit, ""); rec.Code != 403 {
		t.Errorf("a member opens the edit form: %d", rec.Code)
	}
	if rec := g.do(ada, "GET", "/groups/"+grp.ID+"/templates/consent/edit", ""); rec.Code != 409 {
		t.Errorf("edit a built-in: %d", rec.Code)
	}
	form := g.do(ada, "GET", edit, "").Body.String()
	v := strconv.FormatInt(tp.Version, 10)
	for _, want := range []string{`value="Harvest report"`, `value="Monthly harvest"`, "What we picked.", `name="version" value="` + v + `"`} {
		if !strings.Contains(form, want) {
			t.Errorf("the edit form lacks %q", want)
		}
	}
	if rec := g.do(ben, "POST", edit, url.Values{"name": {"Mine"}, "version": {v}}.Encode()); rec.Code != 403 {
		t.Errorf("a member edits: %d", rec.Code)
	}
	// Invalid: the form again with the message and what was typed.
	rec := g.do(ada, "POST", edit, url.Values{"name": {""}, "guide": {"Kept guide"}, "version": {v}}.Encode())
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "Kept guide") || !strings.Contains(rec.Body.String(), `id="name"`) {
		t.Fatalf("an empty name: %d\n%s", rec.Code, rec.Body)
	}
	rec = g.do(ada, "POST", edit, url.Values{"name": {"Harvest"}, "guide": {"First of the month."}, "title": {"Harvest report"}, "details": {"Picked, given."}, "version": {v}}.Encode())
	if rec.Code != 303 || rec.Header().Get("Location") != "/groups/"+grp.ID+"/templates?done=edited" {
		t.Fatalf("save: %d %s", rec.Code, rec.Body)
	}
	var got process.Template
	g.json(g.do(ben, "GET", base+"/"+tp.ID, ""), 200, &got)
	if got.Name != "Harvest" || got.Guide != "First of the month." || got.Title != "Harvest report" || got.Details != "Picked, given." {
		t.Fatalf("after the edit: %+v", got)
	}
	// A second tab still at the old version: a conflict on the form.
	rec = g.do(ada, "POST", edit, url.Values{"name": {"Stale tab"}, "version": {v}}.Encode())
	body := rec.Body.String()
	if rec.Code != 409 || !strings.Contains(body, "Someone else changed this template") || !strings.Contains(body, `value="Stale tab"`) ||
		!strings.Contains(body, "The current version") || !strings.Contains(body, `name="version" value="`+strconv.FormatInt(got.Version, 10)+`"`) {
		t.Fatalf("conflict: %d\n%s", rec.Code, body)
	}
	g.json(g.do(ben, "GET", base+"/"+tp.ID, ""), 200, &got)
	if got.Name != "Harvest" {
		t.Fatalf("the stale edit was saved: %+v", got)
	}
	// Saving the form as shown again replaces the current version.
	rec = g.do(ada, "POST", edit, url.Values{"name": {"Stale tab"}, "version": {strconv.FormatInt(got.Version, 10)}}.Encode())
	if rec.Code != 303 {
		t.Fatalf("save after the conflict: %d", rec.Code)
	}
}
