package app_test

// The design-system page in the authorization matrix (matrix_test.go): it
// shows app.css's components with made-up content and no personal data,
// so everyone may read it, signed in or not.

func init() { matrixAreas = append(matrixAreas, designMatrix) }

func designMatrix() map[string]spec {
	return map[string]spec{
		"GET /design": {acct: "A A A A A A A A", build: get("/design")},
	}
}
