package app_test

// The tag routes in the authorization matrix (matrix_test.go): a group's
// tags are managed by its admins and read by whoever reads its content;
// the tags on a thread or poll are changed by whoever may edit it (the
// thread's author, the poll's admins) and by the group's admins.

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/quorum-app/quorum/internal/tag"
)

func init() {
	matrixAreas = append(matrixAreas, tagMatrix)
	fixtureHooks = append(fixtureHooks, tagFixture)
}

// tagFixture: a tag of the group, made by its admin O.
func tagFixture(w *world, f *fixture) {
	name, colour := "Matrix "+f.kind, "blue"
	t, err := w.a.Tags.Create(w.people["O"].ctx, f.id, tag.Input{Name: &name, Colour: &colour})
	w.must(err, "tag in "+f.kind)
	f.ext["tag"] = t.ID
}

// onTag fills in {tag} with the fixture's tag, in the path, the JSON body
// and the form.
func onTag(b func(c *cas) call) func(c *cas) call {
	return func(c *cas) call {
		cl := b(c)
		id := c.f.ext["tag"]
		cl.path = strings.ReplaceAll(cl.path, "{tag}", id)
		cl.json = strings.ReplaceAll(cl.json, "{tag}", id)
		for k, vs := range cl.form {
			for i := range vs {
				cl.form[k][i] = strings.ReplaceAll(vs[i], "{tag}", id)
			}
		}
		return cl
	}
}

// freshTag fills in {tag} with a new tag of the group (cases that delete one).
func freshTag(b func(c *cas) call) func(c *cas) call {
	return withParam(b, "{tag}", func(c *cas) string {
		name, colour := fmt.Sprintf("Fresh %d", c.w.next()), "green"
		t, err := c.w.a.Tags.Create(c.w.people["O"].ctx, c.f.id, tag.Input{Name: &name, Colour: &colour})
		c.w.must(err, "fresh tag")
		return t.ID
	})
}

func tagMatrix() map[string]spec {
	const all = "A A A A A A A A"
	content := [4]string{all, "S F A A F F A F", "H H A A H H A H", "H H A A F H A H"}
	// Admins only (API writes ask anonymous callers to sign in first).
	adminAPI := [4]string{"S F F A F F F F", "S F F A F F F F", "S H F A H H F H", "S H F A F H F H"}
	adminPage := [4]string{"S F F A F F F F", "S F F A F F F F", "H H F A H H F F", "H H F A F H F F"}
	// Pages that show a form ask anonymous callers to sign in first.
	listPage := [4]string{"S A A A A A F F", "S F A A F F F F", "S H A A H H F F", "S H A A F H F F"}
	// Tags on M's own thread: its author M (and M's bot), and the admins.
	threadAPI := [4]string{"S F A A F F A F", "S F A A F F A F", "S H A A H H A H", "S H A A F H A H"}
	threadPage := [4]string{"S F A A F F F F", "S F A A F F F F", "H H A A H H F F", "H H A A F H F F"}
	threadForm := [4]string{"S F A A F F F F", "S F A A F F F F", "S H A A H H F F", "S H A A F H F F"}
	// Tags on O's poll in the guest's thread: its admins (O and A).
	pollAPI := [4]string{"S F F A F F F F", "S F F A F F F F", "S H F A H F F H", "S H F A F F F H"}
	pollPage := [4]string{"S F F A F F F F", "S F F A F F F F", "H H F A H F F F", "H H F A F F F F"}
	pollForm := [4]string{"S F F A F F F F", "S F F A F F F F", "S H F A H F F F", "S H F A F F F F"}

	setThread := func(b func(c *cas) call) func(c *cas) call { return onTag(freshThread(b, false)) }
	return map[string]spec{
		"GET /api/v1/groups/{id}/tags": {build: get("/api/v1/groups/{id}/tags"), grp: content},
		"POST /api/v1/groups/{id}/tags": {build: func(c *cas) call {
			return call{method: "POST", path: c.sub("/api/v1/groups/{id}/tags"), json: jsonOf(map[string]string{"name": fmt.Sprintf("API %d", c.w.next()), "colour": "red"})}
		}, grp: adminAPI},
		"PATCH /api/v1/groups/{id}/tags/{tag}": {build: onTag(func(c *cas) call {
			return call{method: "PATCH", path: c.sub("/api/v1/groups/{id}/tags/{tag}"), json: jsonOf(map[string]string{"name": fmt.Sprintf("Renamed %d", c.w.next())})}
		}), grp: adminAPI},
		"DELETE /api/v1/groups/{id}/tags/{tag}": {build: freshTag(api("DELETE", "/api/v1/groups/{id}/tags/{tag}", "")), grp: adminAPI},
		"PUT /api/v1/threads/{tid}/tags":        {build: setThread(api("PUT", "/api/v1/threads/{tid}/tags", `{"tags":["{tag}"]}`)), grp: threadAPI},
		"PUT /api/v1/polls/{pid}/tags":          {build: onTag(onPoll("poll", api("PUT", "/api/v1/polls/{pid}/tags", `{"tags":["{tag}"]}`))), grp: pollAPI, guest: true},

		"GET /groups/{id}/tags": {build: get("/groups/{id}/tags"), grp: listPage},
		"POST /groups/{id}/tags": {build: func(c *cas) call {
			return call{method: "POST", path: c.sub("/groups/{id}/tags"), form: url.Values{"name": {fmt.Sprintf("Page %d", c.w.next())}, "colour": {"pink"}}}
		}, grp: adminPage},
		"POST /groups/{id}/tags/{tag}": {build: onTag(func(c *cas) call {
			return call{method: "POST", path: c.sub("/groups/{id}/tags/{tag}"), form: url.Values{"name": {fmt.Sprintf("Form %d", c.w.next())}, "colour": {"teal"}}}
		}), grp: adminPage},
		"POST /groups/{id}/tags/{tag}/delete": {build: freshTag(page("/groups/{id}/tags/{tag}/delete")), grp: adminPage},
		"GET /threads/{tid}/tags":             {build: freshThread(get("/threads/{tid}/tags"), false), grp: threadForm},
		"POST /threads/{tid}/tags": {build: setThread(func(c *cas) call {
			return call{method: "POST", path: "/threads/{tid}/tags", form: url.Values{"tag": {"{tag}"}}}
		}), grp: threadPage},
		"GET /polls/{pid}/tags": {build: onPoll("poll", get("/polls/{pid}/tags")), grp: pollForm, guest: true},
		"POST /polls/{pid}/tags": {build: onTag(onPoll("poll", func(c *cas) call {
			return call{method: "POST", path: "/polls/{pid}/tags", form: url.Values{"tag": {"{tag}"}}}
		})), grp: pollPage, guest: true},
	}
}
