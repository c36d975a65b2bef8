package app_test

// The routes of pictures (avatars) in the authorization matrix
// (matrix_test.go): one's own picture with a session or a token (pages:
// sessions only); someone's picture to themself and to those who share a
// group with them, 404 to everyone else (the signed-out too).

import (
	"bytes"
	"image"
	"image/png"
	"sync"
)

func init() { matrixAreas = append(matrixAreas, avatarMatrix) }

// tinyPNG is a 4×4 picture.
func tinyPNG() string {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4)))
	return b.String()
}

// pictured gives O (admin of every group and of the secret parent) a
// picture, once per world.
var pictured sync.Map

func ownerPicture(c *cas) string {
	o := c.w.people["O"]
	if _, done := pictured.LoadOrStore(c.w, true); !done {
		if _, err := c.w.a.Accounts.SetAvatar(o.ctx, []byte(tinyPNG())); err != nil {
			c.w.t.Fatal(err)
		}
	}
	return o.id
}

func avatarMatrix() map[string]spec {
	const sessionOnly, tokenOK = "S A A A A A F F", "S A A A A A A A"
	return map[string]spec{
		"GET /api/v1/me/avatar":    {acct: tokenOK, build: get("/api/v1/me/avatar")},
		"PUT /api/v1/me/avatar":    {acct: tokenOK, build: api("PUT", "/api/v1/me/avatar", tinyPNG())},
		"DELETE /api/v1/me/avatar": {acct: tokenOK, build: api("DELETE", "/api/v1/me/avatar", "")},
		"POST /api/v1/me/avatar/uploads": {acct: tokenOK,
			build: api("POST", "/api/v1/me/avatar/uploads", `{"content_type":"image/png","size":100}`)},
		// Confirming an upload that never arrived: 409 for whoever may.
		"POST /api/v1/me/avatar/uploads/{id}/confirm": {acct: "S C C C C C C C",
			build: api("POST", "/api/v1/me/avatar/uploads/01JX0000000000000000000000/confirm", "")},
		// O's picture: O shares a group with the member, the admin and the
		// parent-group member (and the member's bot); the non-member and
		// the guest share none.
		"GET /people/{uid}/avatar/{size}": {acct: "H H A A A H A H",
			build: withParam(get("/people/{uid}/avatar/64"), "{uid}", ownerPicture)},
		// The form sends no "picture" file: past authorization, a 400.
		"POST /settings/avatar":        {acct: "S V V V V V F F", build: page("/settings/avatar")},
		"POST /settings/avatar/remove": {acct: sessionOnly, build: page("/settings/avatar/remove")},
	}
}
