package server

// designRoutes: the design-system page (issue 15, docs/design.md), every
// component of app.css in every state with the tokens as swatches. It is
// public and holds no personal data: made-up names only.
func (s *Server) designRoutes() []Route {
	return []Route{
		{Pattern: "GET /design", Access: Public, Page: true, Handler: s.pages.DesignPage},
	}
}
