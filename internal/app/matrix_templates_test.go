package app_test

// The template routes in the authorization matrix (matrix_test.go). Every
// group fixture gets a template of its own, saved by its admin O; cases
// that use one up (delete) get a fresh one. Reading a group's templates is
// reading its content; starting from one is starting a thread or poll;
// saving, editing, arranging and deleting them is for the group's admins.

import (
	"fmt"
	"net/url"

	"github.com/quorum-app/quorum/internal/process"
)

func init() {
	matrixAreas = append(matrixAreas, templateMatrix)
	fixtureHooks = append(fixtureHooks, templateFixture)
}

func templateFixture(w *world, f *fixture) {
	t, err := w.a.Processes.Create(w.people["O"].ctx, f.id, process.Input{Kind: process.KindThread, Name: "Matrix template", Title: "Weekly update"})
	w.must(err, "template in "+f.kind)
	f.ext["template"] = t.ID
}

// freshTemplate is a new template of the case's group, made by O.
func freshTemplate(c *cas) string {
	t, err := c.w.a.Processes.Create(c.w.people["O"].ctx, c.f.id, process.Input{Kind: process.KindThread, Name: fmt.Sprintf("Matrix spare %d", c.w.next())})
	c.w.must(err, "fresh template")
	return t.ID
}

func onTemplate(b func(c *cas) call) func(c *cas) call {
	return withParam(b, "{tid}", func(c *cas) string { return c.f.ext["template"] })
}

func templateMatrix() map[string]spec {
	const all = "A A A A A A A A"
	// Reading them: whoever reads the group's content.
	read := [4]string{all, "S F A A F F A F", "H H A A H H A H", "H H A A F H A H"}
	readPage := [4]string{"A A A A A A F F", "S F A A F F F F", "H H A A H H F F", "H H A A F H F F"}
	// Starting a poll from one: whoever may start polls.
	start := [4]string{"S F A A F F A F", "S F A A F F A F", "H H A A H H A H", "H H A A F H A H"}
	// Managing them: the group's admins (their bots too; the member's bot is a member's).
	admin := [4]string{"S F F A F F F F", "S F F A F F F F", "S H F A H H F H", "S H F A F H F H"}
	adminPage := [4]string{"S F F A F F F F", "S F F A F F F F", "H H F A H H F F", "H H F A F H F F"}
	body := func(c *cas) string {
		return jsonOf(map[string]any{"kind": "thread", "name": fmt.Sprintf("Matrix API template %d", c.w.next()), "title": "Check-in"})
	}
	return map[string]spec{
		"GET /api/v1/groups/{id}/templates": {build: get("/api/v1/groups/{id}/templates"), grp: read},
		"POST /api/v1/groups/{id}/templates": {build: func(c *cas) call {
			return call{method: "POST", path: c.sub("/api/v1/groups/{id}/templates"), json: body(c)}
		}, grp: admin},
		"PUT /api/v1/groups/{id}/templates/order":       {build: api("PUT", "/api/v1/groups/{id}/templates/order", `{"hidden":[]}`), grp: admin},
		"GET /api/v1/groups/{id}/templates/{tid}":       {build: onTemplate(get("/api/v1/groups/{id}/templates/{tid}")), grp: read},
		"GET /api/v1/groups/{id}/templates/{tid}/start": {build: get("/api/v1/groups/{id}/templates/consent/start"), grp: start},
		"PUT /api/v1/groups/{id}/templates/{tid}": {build: func(c *cas) call {
			return call{method: "PUT", path: c.sub("/api/v1/groups/{id}/templates/") + c.f.ext["template"], json: body(c)}
		}, grp: admin},
		"DELETE /api/v1/groups/{id}/templates/{tid}": {build: withParam(api("DELETE", "/api/v1/groups/{id}/templates/{tid}", ""), "{tid}", freshTemplate), grp: admin},

		"GET /groups/{id}/templates": {build: get("/groups/{id}/templates"), grp: readPage},
		"POST /groups/{id}/templates": {build: func(c *cas) call {
			return call{method: "POST", path: c.sub("/groups/{id}/templates"), form: url.Values{"from": {"thread:" + c.f.thread},
				"name": {fmt.Sprintf("Matrix page template %d", c.w.next())}}}
		}, grp: adminPage},
		"POST /groups/{id}/templates/{tid}/arrange": {build: page("/groups/{id}/templates/consent/arrange", "do", "show"), grp: adminPage},
		"POST /groups/{id}/templates/{tid}/delete":  {build: withParam(page("/groups/{id}/templates/{tid}/delete"), "{tid}", freshTemplate), grp: adminPage},
		"GET /groups/{id}/templates/{tid}/edit":     {build: onTemplate(get("/groups/{id}/templates/{tid}/edit")), grp: adminPage},
		"POST /groups/{id}/templates/{tid}/edit": {build: func(c *cas) call {
			t, err := c.w.a.Processes.Editable(c.w.people["O"].ctx, c.f.id, c.f.ext["template"])
			c.w.must(err, "template to edit")
			return call{method: "POST", path: c.sub("/groups/{id}/templates/") + t.ID + "/edit", form: url.Values{
				"name": {fmt.Sprintf("Matrix edited template %d", c.w.next())}, "version": {fmt.Sprint(t.Version)}}}
		}, grp: adminPage},
	}
}
