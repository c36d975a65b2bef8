package app_test

// The import routes in the authorization matrix (matrix_test.go). Anyone
// signed in may import a group export as a new group (whoever may create a
// group): by API token or session through the API, with a browser session
// on the page. An import is its owner's: everyone else gets 404, as for an
// import that does not exist.

import (
	"archive/zip"
	"bytes"
	"context"
	"sync"

	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

func init() { matrixAreas = append(matrixAreas, importMatrix) }

// freshImports forgets the actor's imports first (at most 3 a day per
// person), so each route's case may start a new one.
func freshImports(b func(c *cas) call) func(c *cas) call {
	return func(c *cas) call {
		if u := c.act.user; u != nil {
			var items []store.Item
			err := c.w.a.Store.Table().Get(tabledef.GSI1PK, "USER#"+u.id).Index(tabledef.GSI1).All(context.Background(), &items)
			c.w.must(err, "list the imports")
			for _, it := range items {
				if it.Type == "import" {
					c.w.must(c.w.a.Store.Delete(context.Background(), it.PK, it.SK), "forget an import")
				}
			}
		}
		return b(c)
	}
}

// ownImports: M's import waiting for its archive, per world.
var ownImports sync.Map // *world → string

// ownImport fills in {iid} with an import of M's.
func ownImport(b func(c *cas) call) func(c *cas) call {
	return withParam(b, "{iid}", func(c *cas) string {
		if id, ok := ownImports.Load(c.w); ok {
			return id.(string)
		}
		j, err := c.w.a.Exports.StartImport(c.w.people["M"].ctx, 100)
		c.w.must(err, "M starts an import")
		ownImports.Store(c.w, j.ID)
		return j.ID
	})
}

// uploadArchive posts a small group export archive to the page's form.
func uploadArchive(path string) func(c *cas) call {
	return func(c *cas) call {
		var b bytes.Buffer
		z := zip.NewWriter(&b)
		w, _ := z.Create("group.jsonl")
		_, _ = w.Write([]byte(`{"entity":"group","data":{"name":"Imported"}}` + "\n"))
		_ = z.Close()
		return call{method: "POST", path: c.sub(path), upload: b.Bytes()}
	}
}

func importMatrix() map[string]spec {
	const tokenOK, sessionOnly = "S A A A A A A A", "S A A A A A F F"
	// An import: its owner (M), by session or token; Begin answers 409
	// while the archive is not uploaded.
	const own, ownBegin = "S H A H H H A H", "S H C H H H C H"
	return map[string]spec{
		"POST /api/v1/imports":            {acct: tokenOK, build: freshImports(api("POST", "/api/v1/imports", `{"size":1000}`))},
		"GET /api/v1/imports":             {acct: tokenOK, build: get("/api/v1/imports")},
		"GET /api/v1/imports/{id}":        {acct: own, build: ownImport(get("/api/v1/imports/{iid}"))},
		"POST /api/v1/imports/{id}/begin": {acct: ownBegin, build: ownImport(api("POST", "/api/v1/imports/{iid}/begin", ""))},
		"GET /groups/import":              {acct: sessionOnly, build: get("/groups/import")},
		"POST /groups/import":             {acct: sessionOnly, build: freshImports(uploadArchive("/groups/import"))},
	}
}
