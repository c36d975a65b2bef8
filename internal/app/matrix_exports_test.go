package app_test

// The export routes in the authorization matrix (matrix_test.go). A
// personal export is asked for and followed by anyone signed in with a
// browser session (never an API token); its download link is issued to its
// owner only: everyone else gets 404, as for an export that does not exist.

import (
	"context"
	"sync"
)

func init() { matrixAreas = append(matrixAreas, exportMatrix) }

// freshRequest clears the actor's pending export first (one at a time per
// person), so each route's case asks for a new one.
func freshRequest(b func(c *cas) call) func(c *cas) call {
	return func(c *cas) call {
		if u := c.act.user; u != nil {
			c.w.must(c.w.a.Store.Delete(context.Background(), "EXPORTLOCK#USER#"+u.id, "LOCK"), "clear the pending export")
		}
		return b(c)
	}
}

// ownExports: M's finished export, per world.
var ownExports sync.Map // *world → string

// readyExport fills in {eid} with a finished personal export of M.
func readyExport(b func(c *cas) call) func(c *cas) call {
	return withParam(b, "{eid}", func(c *cas) string {
		if id, ok := ownExports.Load(c.w); ok {
			return id.(string)
		}
		{
			m := c.w.people["M"]
			c.w.must(c.w.a.Store.Delete(context.Background(), "EXPORTLOCK#USER#"+m.id, "LOCK"), "clear the pending export")
			e, err := c.w.a.Exports.Request(m.ctx)
			c.w.must(err, "M asks for an export")
			for range 50 {
				done, _, err := c.w.a.Exports.Step(context.Background(), e.ID)
				c.w.must(err, "an export step")
				if done {
					break
				}
			}
			ownExports.Store(c.w, e.ID)
			return e.ID
		}
	})
}

// freshGroupRequest clears the case's group's pending export first.
func freshGroupRequest(b func(c *cas) call) func(c *cas) call {
	return func(c *cas) call {
		if c.f != nil {
			c.w.must(c.w.a.Store.Delete(context.Background(), "EXPORTLOCK#GROUP#"+c.f.id, "LOCK"), "clear the pending group export")
		}
		return b(c)
	}
}

func exportMatrix() map[string]spec {
	// A group's exports: its admins, with a browser session.
	//                    open               closed             secret             subgroup of the secret parent
	admins := [4]string{"S F F A F F F F", "S F F A F F F F", "H H F A H H F F", "H H F A F H F F"}
	const sessionOnly = "S A A A A A F F"
	// The download link: its owner (M) only; bots are refused by the route.
	const own = "S H A H H H F F"
	return map[string]spec{
		"POST /api/v1/me/exports":        {acct: sessionOnly, build: freshRequest(api("POST", "/api/v1/me/exports", ""))},
		"GET /api/v1/me/exports":         {acct: sessionOnly, build: get("/api/v1/me/exports")},
		"POST /api/v1/exports/{id}/link": {acct: own, build: readyExport(api("POST", "/api/v1/exports/{eid}/link", ""))},
		"GET /settings/export":           {acct: sessionOnly, build: get("/settings/export")},
		"POST /settings/export":          {acct: sessionOnly, build: freshRequest(page("/settings/export"))},
		"POST /exports/{id}/download":    {acct: own, build: readyExport(page("/exports/{eid}/download"))},

		"POST /api/v1/groups/{id}/exports": {grp: admins, mut: true, build: freshGroupRequest(api("POST", "/api/v1/groups/{id}/exports", ""))},
		"GET /api/v1/groups/{id}/exports":  {grp: admins, build: get("/api/v1/groups/{id}/exports")},
		"GET /groups/{id}/export":          {grp: admins, build: get("/groups/{id}/export")},
		"POST /groups/{id}/export":         {grp: admins, mut: true, build: freshGroupRequest(page("/groups/{id}/export"))},
	}
}
