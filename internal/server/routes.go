package server

// routeTable lists every route Quorum serves. Each area keeps its routes in
// its own routes_<area>.go file and is concatenated here, so the whole
// surface is one list; each entry says who it is for, and the authorization
// matrix test fails for a route without an entry in its table.
func (s *Server) routeTable() []Route {
	routes := []Route{
		{Pattern: "GET /healthz", Access: Public, Handler: s.healthz},
		{Pattern: "GET /{$}", Access: Public, Page: true, Handler: s.pages.Home},
		{Pattern: "GET /static/", Access: Public, Handler: s.pages.Static},
		{Pattern: "GET /security", Access: Public, Page: true, Handler: s.securityPage},
		{Pattern: "GET /api/v1/security", Access: Public, Handler: s.apiSecurity},
		{Pattern: "GET /terms", Access: Public, Page: true, Handler: s.pages.TermsPage},
		{Pattern: "GET /privacy", Access: Public, Page: true, Handler: s.pages.PrivacyPage},
		{Pattern: "GET /api/v1/legal", Access: Public, Handler: s.api.Legal},
	}
	routes = append(routes, s.accountRoutes()...)
	routes = append(routes, s.groupRoutes()...)
	routes = append(routes, s.discussionRoutes()...)
	routes = append(routes, s.pollRoutes()...)
	routes = append(routes, s.tagRoutes()...)
	routes = append(routes, s.mailRoutes()...)
	routes = append(routes, s.inboxRoutes()...)
	routes = append(routes, s.searchRoutes()...)
	routes = append(routes, s.templateRoutes()...)
	routes = append(routes, s.exportRoutes()...)
	routes = append(routes, s.importRoutes()...)
	routes = append(routes, s.designRoutes()...)
	return routes
}
