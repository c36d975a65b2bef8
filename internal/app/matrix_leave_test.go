package app_test

// The routes of removing a member's comments (#16, moderation) in the
// authorization matrix (matrix_test.go): the group's admins only; outsiders
// of a secret group get 404, pages refuse bearer tokens.

func init() { matrixAreas = append(matrixAreas, leaveMatrix) }

func leaveMatrix() map[string]spec {
	//                       open               closed             secret             subgroup of the secret parent
	apiAdmins := [4]string{"S F F A F F F F", "S F F A F F F F", "H H F A H H F H", "H H F A F H F H"}
	pageAdmins := [4]string{"S F F A F F F F", "S F F A F F F F", "H H F A H H F F", "H H F A F H F F"}
	// Restoring a group that is not deleted: 409 for those who may.
	apiRestore := [4]string{"S F F C F F F F", "S F F C F F F F", "H H F C H H F H", "H H F C F H F H"}
	pageRestore := [4]string{"S F F C F F F F", "S F F C F F F F", "H H F C H H F F", "H H F C F H F F"}
	deleteAPI := func(c *cas) call {
		return call{method: "DELETE", path: c.sub("/api/v1/groups/{id}"), json: jsonOf(map[string]any{"name": c.f.name})}
	}
	return map[string]spec{
		"DELETE /api/v1/groups/{id}":       {grp: apiAdmins, mut: true, build: deleteAPI},
		"POST /api/v1/groups/{id}/restore": {grp: apiRestore, build: api("POST", "/api/v1/groups/{id}/restore", "")},
		"GET /groups/{id}/delete":          {grp: pageAdmins, build: get("/groups/{id}/delete")},
		"POST /groups/{id}/restore":        {grp: pageRestore, build: page("/groups/{id}/restore")},
		"POST /groups/{id}/delete": {grp: pageAdmins, mut: true, build: func(c *cas) call {
			return page("/groups/{id}/delete", "name", c.f.name)(c)
		}},
		"POST /api/v1/groups/{id}/members/{uid}/comment-removal": {grp: apiAdmins, mut: true,
			build: withParam(api("POST", "/api/v1/groups/{id}/members/{uid}/comment-removal", ""), "{uid}", target)},
		"GET /api/v1/groups/{id}/members/{uid}/comment-removal": {grp: apiAdmins,
			build: withParam(get("/api/v1/groups/{id}/members/{uid}/comment-removal"), "{uid}", target)},
		"GET /groups/{id}/members/{uid}/remove-comments": {grp: pageAdmins,
			build: withParam(get("/groups/{id}/members/{uid}/remove-comments"), "{uid}", target)},
		"POST /groups/{id}/members/{uid}/remove-comments": {grp: pageAdmins, mut: true,
			build: withParam(page("/groups/{id}/members/{uid}/remove-comments"), "{uid}", target)},
	}
}
