package app_test

// The routes of removing a member's comments (#16, moderation) in the
// authorization matrix (matrix_test.go): the group's admins only; outsiders
// of a secret group get 404, pages refuse bearer tokens.

func init() { matrixAreas = append(matrixAreas, leaveMatrix) }

func leaveMatrix() map[string]spec {
	//                       open               closed             secret             subgroup of the secret parent
	apiAdmins := [4]string{"S F F A F F F F", "S F F A F F F F", "H H F A H H F H", "H H F A F H F H"}
	pageAdmins := [4]string{"S F F A F F F F", "S F F A F F F F", "H H F A H H F F", "H H F A F H F F"}
	return map[string]spec{
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
