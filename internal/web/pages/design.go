package pages

import "net/http"

// designTokens is what the page lists of app.css's tokens: names are CSS
// identifiers (not translated); the page draws each with a class of its own.
type designTokens struct {
	Roles, Spaces, Texts, Radii, Shadows, Avatars []string
	// Initials are the made-up person's on the avatar samples.
	Initials string
}

var designTokenNames = designTokens{
	Roles: []string{"page", "surface", "text", "muted", "border", "accent", "on-accent", "danger", "on-danger",
		"success", "warning", "highlight", "focus", "field-border"},
	Spaces:   []string{"space-1", "space-2", "space-3", "space-4", "space-5", "space-6"},
	Texts:    []string{"text-xs", "text-sm", "text-md", "text-lg", "text-xl", "text-2xl"},
	Radii:    []string{"radius-sm", "radius-md", "radius", "radius-pill"},
	Shadows:  []string{"shadow-1", "shadow-2"},
	Avatars:  []string{"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"},
	Initials: "AE",
}

// GET /design
func (s *Server) DesignPage(w http.ResponseWriter, r *http.Request) {
	s.web.Page(w, r, http.StatusOK, "design", s.web.Printer(r).T("page.design.title"), designTokenNames)
}
