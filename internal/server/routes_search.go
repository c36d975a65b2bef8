package server

// searchRoutes: one search over threads, comments, polls, reasons and
// outcomes (docs/search.md). Both need a signed-in person (the scope is
// theirs); app.Search computes the scope from the group policy and asks the
// owning cores about every hit, so a route never decides visibility.
func (s *Server) searchRoutes() []Route {
	if s.search == nil {
		return nil
	}
	return []Route{
		{Pattern: "GET /search", Access: Session, Page: true, Handler: s.pages.SearchPage},
		{Pattern: "GET /api/v1/search", Access: Token, Handler: s.api.Search},
	}
}
