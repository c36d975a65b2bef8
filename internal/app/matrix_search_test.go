package app_test

// The search routes in the authorization matrix (matrix_test.go). Without
// a group a search covers the searcher's own groups and guest grants, so
// every signed-in person may search; with ?group= it covers that group if
// its content is theirs to read (an open group's is anyone's), or the
// threads and polls of it they are a guest of: a closed group's outsider is
// refused, a secret group stays hidden. What each actor finds is
// TestSearchFindsTheSecretPhraseOnlyForThoseAllowed's (search_test.go).

import (
	"context"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

func init() { matrixAreas = append(matrixAreas, searchMatrix) }

// searchIn builds a search of path, in the case's group when it has one.
// The outsider N accepts invitations to fresh threads in other cases
// (threadInviteToken), which makes them a guest there: those grants are
// dropped first, so N meets the group as an outsider.
func searchIn(path string) func(c *cas) call {
	return func(c *cas) call {
		if c.f != nil {
			n := c.w.people["N"]
			var grants []store.Item
			err := c.w.a.Store.Table().Get(tabledef.GSI1PK, "USER#"+n.id).Index(tabledef.GSI1).
				Range(tabledef.GSI1SK, dynamo.BeginsWith, "GUEST#"+c.f.id+"#").All(context.Background(), &grants)
			c.w.must(err, "N's guest grants")
			for _, g := range grants {
				c.w.must(c.w.a.Store.Delete(context.Background(), g.PK, g.SK), "drop N's guest grant")
			}
		}
		if c.f == nil {
			return call{method: "GET", path: path + "?q=plant"}
		}
		return call{method: "GET", path: path + "?q=plant&group=" + c.f.id}
	}
}

func searchMatrix() map[string]spec {
	//                  open               closed             secret             subgroup of the secret parent
	pages := [4]string{"S A A A A A F F", "S F A A F A F F", "S H A A H A F F", "S H A A F A F F"}
	apis := [4]string{"S A A A A A A A", "S F A A F A A F", "S H A A H A A H", "S H A A F A A H"}
	return map[string]spec{
		"GET /search":        {acct: "S A A A A A F F", grp: pages, build: searchIn("/search"), guest: true},
		"GET /api/v1/search": {acct: "S A A A A A A A", grp: apis, build: searchIn("/api/v1/search"), guest: true},
	}
}
