package server

// proxyRoutes are the proxy routes, added to the poll routes.
func (s *Server) proxyRoutes() []Route {
	return []Route{
		{Pattern: "GET /api/v1/polls/{pid}/proxy", Access: Token, Handler: s.api.PollProxy},
		{Pattern: "PUT /api/v1/polls/{pid}/proxy", Access: Token, Handler: s.api.GrantPollProxy},
		{Pattern: "DELETE /api/v1/polls/{pid}/proxy", Access: Token, Handler: s.api.RevokePollProxy},
		{Pattern: "GET /api/v1/groups/{id}/proxy", Access: Token, Handler: s.api.GroupProxy},
		{Pattern: "PUT /api/v1/groups/{id}/proxy", Access: Token, Handler: s.api.GrantGroupProxy},
		{Pattern: "DELETE /api/v1/groups/{id}/proxy", Access: Token, Handler: s.api.RevokeGroupProxy},
		{Pattern: "POST /polls/{pid}/proxy", Access: Session, Page: true, Handler: s.pages.PollProxySubmit},
		{Pattern: "POST /polls/{pid}/proxy/revoke", Access: Session, Page: true, Handler: s.pages.PollProxyRevokeSubmit},
		{Pattern: "POST /polls/{pid}/proxy/withdraw", Access: Session, Page: true, Handler: s.pages.PollProxyWithdrawSubmit},
		{Pattern: "GET /groups/{id}/proxies", Access: Session, Page: true, Handler: s.pages.ProxiesPage},
		{Pattern: "POST /groups/{id}/proxies/revoke", Access: Session, Page: true, Handler: s.pages.ProxiesRevokeSubmit},
	}
}
